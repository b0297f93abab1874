// `autopar doctor` and `autopar verify` on bad input: a line per check; exit 2 with a
// message that says what to do.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli, closedPort, GOOD_VARIANT, makeProject, type TempProject } from './project.js';

let p: TempProject;
beforeAll(() => {
  p = makeProject();
});
afterAll(() => p?.dispose());

describe('autopar doctor', () => {
  it('prints one line per check and exits 0, even with pieces missing', async () => {
    const env = { OLLAMA_HOST: `http://127.0.0.1:${await closedPort()}` };
    const json = await cli(['doctor', '--json'], env);
    expect(json.code).toBe(0);
    const checks = JSON.parse(json.stdout) as Array<{ name: string; ok: boolean; fix?: string }>;
    expect(checks.map((c) => c.name)).toEqual(expect.arrayContaining(['gcc', 'clang-19', 'ollama']));
    // CUDA kernels are not supported yet: doctor must not call nvcc "ok" for them.
    expect(checks.map((c) => c.name)).not.toContain('nvcc');

    const r = await cli(['doctor'], env);
    expect(r.code).toBe(0);
    const statusLines = r.stdout.split('\n').filter((l) => /^( ok |MISS) {2}/.test(l));
    expect(statusLines).toHaveLength(checks.length);
    for (const c of checks) expect(statusLines.some((l) => l.slice(6).startsWith(c.name))).toBe(true);
    // Every missing piece comes with its fix on the next line.
    const lines = r.stdout.split('\n');
    lines.forEach((l, i) => {
      const name = l.slice(6, 28).trim();
      if (l.startsWith('MISS') && checks.find((c) => c.name === name)?.fix) expect(lines[i + 1]).toMatch(/^ {6}fix: /);
    });
    expect(statusLines.find((l) => l.slice(6).startsWith('ollama'))).toMatch(/^MISS/);
  });
});

describe('autopar verify', () => {
  it('a missing --candidate file: exit 2, one line naming the file and the option', async () => {
    const missing = join(p.root, 'no-such-candidate.c');
    const r = await cli(['verify', p.projectRoot, '--kernel', 'scale', '--candidate', missing]);
    expect(r.code).toBe(2);
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(missing);
    expect(lines[0]).toMatch(/--candidate/);
    expect(r.stdout).toBe('');
  });

  it('an unknown kernel name: exit 2, one line listing the kernels in the spec', async () => {
    const cand = join(p.root, 'cand.c');
    writeFileSync(cand, GOOD_VARIANT);
    const r = await cli(['verify', p.projectRoot, '--kernel', 'nope', '--candidate', cand]);
    expect(r.code).toBe(2);
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/kernel "nope" is not in autopar\.spec\.json; kernels there: scale/);
  });

  it('a missing project folder: exit 2, one line naming it', async () => {
    const r = await cli(['verify', join(p.root, 'nowhere'), '--kernel', 'scale', '--candidate', join(p.root, 'x.c')]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toMatch(/project folder .*nowhere does not exist/);
  });
});

describe('autopar build: target options from project.json and nx.json', () => {
  it('a bad option in project.json: exit 2, one line naming the file, the option and the choices', async () => {
    const q = makeProject({ projectOptions: { strategy: 'tot', proposer: 'none' } });
    try {
      const r = await cli(['build', q.projectRoot]);
      expect(r.code).toBe(2);
      expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(r.stderr).toContain(`autopar: ${join(q.projectRoot, 'project.json')}: option "strategy" (or AUTOPAR_STRATEGY) is "tot"; use one of "zero-shot", "few-shot"`);
    } finally {
      q.dispose();
    }
  });

  it("reads nx.json targetDefaults as nx build does (the project's own options win)", async () => {
    const q = makeProject({ projectOptions: { proposer: 'none' } });
    try {
      q.write('nx.json', JSON.stringify({ targetDefaults: { '@autopar/nx:build': { options: { samples: 99 } } } }));
      const r = await cli(['build', q.projectRoot]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`autopar: ${join(q.projectRoot, 'project.json')} (with ${join(q.root, 'nx.json')} targetDefaults): option "samples"`);
      // The project's own value overrides the default: the build runs.
      q.write('demo/project.json', JSON.stringify({ name: 'demo', targets: { build: { executor: '@autopar/nx:build', options: { sources: ['src/kern.c', 'src/main.c'], spec: 'autopar.spec.json', proposer: 'none', samples: 2 } } } }));
      const ok = await cli(['build', q.projectRoot, '--json', '--output-path', q.out('td')]);
      expect(ok.code, ok.stderr).toBe(0);
    } finally {
      q.dispose();
    }
  }, 120_000);
});
