// A compiler that is not installed: one error naming it and the command that installs it,
// from the library, the CLI (exit 2) and the Nx executor ({success: false}).
import { stripVTControlCharacters } from 'node:util';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { buildProject } from '../../packages/core/src/pipeline/build.js';
import buildExecutor from '../../packages/nx/src/executors/build/build.impl.js';
import { buildOptions, cli, listFiles, makeProject, type TempProject } from './project.js';

let p: TempProject | undefined;
afterEach(() => {
  p?.dispose();
  p = undefined;
  vi.restoreAllMocks();
});

describe('missing compiler', () => {
  it('buildProject names the compiler and what to do', async () => {
    p = makeProject();
    const err = await buildProject(buildOptions(p, { cc: 'gcc-does-not-exist' })).catch((e: Error) => e);
    const msg = (err as Error).message;
    expect(msg).toMatch(/compiler "gcc-does-not-exist" not found on PATH/);
    expect(msg).toMatch(/install gcc-does-not-exist, or set the target's `cc` option \/ AUTOPAR_CC to an installed compiler/);
    expect(listFiles(p.cacheDir)).toEqual([]);
  });

  it('a versioned gcc that is not installed gets the apt-get command', async () => {
    p = makeProject();
    const err = await buildProject(buildOptions(p, { cc: 'gcc-99' })).catch((e: Error) => e);
    expect((err as Error).message).toMatch(/compiler "gcc-99" not found on PATH; apt-get install gcc-99/);
  });

  it('autopar build exits 2 with one line on stderr', async () => {
    p = makeProject({ projectOptions: { cc: 'gcc-does-not-exist', proposer: 'none' } });
    const r = await cli(['build', p.projectRoot, '--cache-dir', p.cacheDir, '--output-path', p.out()]);
    expect(r.code).toBe(2);
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^autopar: compiler "gcc-does-not-exist" not found on PATH; install gcc-does-not-exist/);
  });

  it('AUTOPAR_CC pointing at a missing compiler fails the same way', async () => {
    p = makeProject({ projectOptions: { proposer: 'none' } });
    const r = await cli(['build', p.projectRoot, '--cache-dir', p.cacheDir, '--output-path', p.out()], { AUTOPAR_CC: 'gcc-99' });
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe('autopar: compiler "gcc-99" not found on PATH; apt-get install gcc-99');
  });

  it('the Nx executor returns {success: false} and prints the same message once', async () => {
    p = makeProject();
    const errors: string[] = [];
    // Nx's logger colours its output when the environment says colour is wanted (CI=true does):
    // the words are what this test holds to.
    vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void errors.push(stripVTControlCharacters(a.join(' '))));
    vi.spyOn(console, 'log').mockImplementation(() => {});
    const result = await buildExecutor(
      { sources: ['src/kern.c', 'src/main.c'], cc: 'gcc-does-not-exist', proposer: 'none', cacheDir: p.cacheDir, outputPath: p.out() },
      {
        root: p.root,
        projectName: 'demo',
        isVerbose: false,
        projectsConfigurations: { version: 2, projects: { demo: { root: 'demo' } } },
      } as never,
    );
    expect(result).toEqual({ success: false });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^autopar: demo: compiler "gcc-does-not-exist" not found on PATH/);
  });
});
