// A newcomer's first ten minutes, end to end: clone this repository (its committed HEAD)
// into a temp folder, run `npm run setup` as the README says, then run every
// `npx autopar …` line of the README exactly as written, and the inferred targets.
//
// What is cut to keep it to minutes (and said here, not hidden): setup builds one kernel
// (AUTOPAR_SETUP_PROJECTS=matmul) instead of all eleven — the others are the same
// executor on other projects and e2e/build.test.ts covers run-many; `npm run bench` and
// `npm test` are not run from the clone. The system-package step runs (it installs only
// what is missing).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { execa } from 'execa';

const REPO = resolve(__dirname, '../..');
const run = process.env.AUTOPAR_NEWCOMER !== '0';
let root: string;
let setup: { exitCode: number; output: string };

const sh = async (command: string, env: Record<string, string> = {}, timeout = 900_000) => {
  const r = await execa('bash', ['-c', command], { cwd: root, reject: false, all: true, timeout, env: { NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false', CI: 'true', ...env } });
  return { exitCode: r.exitCode ?? -1, output: r.all ?? '' };
};

/** The `npx autopar …` lines of the README's code blocks, comments cut. */
function readmeCommands(): string[] {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const blocks = [...readme.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!);
  return blocks
    .flatMap((b) => b.split('\n'))
    .map((l) => l.replace(/\s+#.*$/, '').trim())
    .filter((l) => l.startsWith('npx autopar '));
}

describe.skipIf(!run)('fresh clone → README commands', () => {
  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'autopar-clone-'));
    const head = (await execa('git', ['rev-parse', 'HEAD'], { cwd: REPO })).stdout.trim();
    await execa('git', ['clone', '--quiet', REPO, root]);
    await execa('git', ['checkout', '--quiet', head], { cwd: root });
    setup = await sh('npm run setup', { AUTOPAR_SETUP_PROJECTS: 'matmul' }, 1_800_000);
  }, 1_900_000);
  afterAll(() => {
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('npm run setup succeeds and builds the kernel through autopar', () => {
    expect(setup.exitCode, setup.output.slice(-3000)).toBe(0);
    const report = JSON.parse(readFileSync(join(root, 'dist/kernels/matmul/autopar-report.json'), 'utf8'));
    expect(report.schema).toBe('autopar-report-v1');
    expect(report.kernels.map((k: { kernel: string }) => k.kernel)).toEqual(['matmul']);
  });

  it('links node_modules/.bin/autopar to this clone\'s CLI (never the registry)', async () => {
    const bin = join(root, 'node_modules/.bin/autopar');
    expect(existsSync(bin)).toBe(true);
    expect(realpathSync(bin)).toBe(realpathSync(join(root, 'packages/core/bin/autopar.js')));
    // npx resolves the nearest node_modules/.bin: the clone's, not one further up.
    const which = await sh(`npx -c 'command -v autopar'`);
    expect(which.output.trim()).toBe(join(root, 'node_modules/.bin/autopar'));
  });

  it('runs every `npx autopar` line of the README as written', async () => {
    const commands = readmeCommands();
    expect(commands.length).toBeGreaterThanOrEqual(8);
    for (const c of commands) {
      const r = await sh(c);
      if (c.startsWith('npx autopar verify ')) {
        // 1 is "rejected": allowed only at the benchmark (a busy machine may not show the speedup).
        expect([0, 1], `${c}\n${r.output}`).toContain(r.exitCode);
        expect(r.output, c).toMatch(/^(ACCEPTED|REJECTED at benchmark)/m);
        expect(r.output, c).not.toMatch(/^FAIL {2}(static-gate|compile|differential|sanitize|race)/m);
        // The README's candidate is a drop-in file: the verifier says what it did with it.
        expect(r.output, c).toMatch(/autopar: candidate: expanded #define KB/);
      } else {
        expect(r.exitCode, `${c}\n${r.output}`).toBe(0);
      }
    }
    expect(existsSync(join(root, 'dist/drafts/autopar.spec.json'))).toBe(true);
  }, 1_800_000);

  it('runs the inferred autopar-explain target and caches builds on the named input', async () => {
    const explain = await sh('npx nx run jacobi2d:autopar-explain --outputStyle=static');
    expect(explain.exitCode, explain.output).toBe(0);
    expect(explain.output).toMatch(/kernel jacobi2d in src\/jacobi2d\.c/);
    const show = await sh('npx nx show project matmul --json');
    const build = JSON.parse(show.output.slice(show.output.indexOf('{'))).targets.build;
    expect(build.inputs).toContain('autoparKernel');
    expect(build.inputs).toContainEqual({ env: 'AUTOPAR_SANDBOX' });
    expect(build.inputs).toContainEqual({ runtime: 'node node_modules/@autopar/core/bin/autopar.js proposer' });
  });
});
