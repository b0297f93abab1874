// The install path of the README, outside this repository: pack both packages, install the
// tarballs into a fresh Nx 22 workspace in a temp folder (npm from its cache or the
// registry), `nx g @autopar/nx:init` (what `nx add` runs; `nx add` itself needs the
// packages on a registry), `nx g @autopar/nx:kernel …` on a project that has never seen
// autopar, then `nx build` — which must link a verified variant.
//
// Like e2e/build.test.ts, the project's threshold is 0.01: this tests what gets linked and
// why, not how fast this (busy, shared) machine happens to be.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { execa } from 'execa';

const REPO = resolve(__dirname, '../..');
const run = process.env.AUTOPAR_NEWCOMER !== '0';
const NX_VERSION = JSON.parse(readFileSync(join(REPO, 'node_modules/nx/package.json'), 'utf8')).version as string;
let root: string;
let install: { exitCode: number; output: string };

const KERNEL = `#include <math.h>

/* y[i] = a damped sum of sines of x[i]: compute-bound, every element independent. */
void oscillate(int n, int terms, const double *x, double *y)
{
    for (int i = 0; i < n; i++) {
        double acc = 0.0;
        for (int t = 1; t <= terms; t++)
            acc += sin(t * x[i]) * exp(-0.1 * t) / t;
        y[i] = acc;
    }
}
`;
const MAIN = `#include <stdio.h>
#include <stdlib.h>
void oscillate(int n, int terms, const double *x, double *y);
int main(void)
{
    int n = 5000;
    double *x = malloc(sizeof(double) * n), *y = malloc(sizeof(double) * n), s = 0;
    for (int i = 0; i < n; i++) x[i] = (double)(i % 13) / 13.0;
    oscillate(n, 24, x, y);
    for (int i = 0; i < n; i++) s += y[i] * (i + 1);
    printf("%.17g\\n", s);
    return 0;
}
`;

const sh = async (cmd: string, args: string[], env: Record<string, string> = {}, timeout = 1_200_000) => {
  const r = await execa(cmd, args, { cwd: root, reject: false, all: true, timeout, env: { NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false', CI: 'true', ...env } });
  return { exitCode: r.exitCode ?? -1, output: r.all ?? '' };
};

describe.skipIf(!run)('packed tarballs → fresh Nx workspace → nx g init/kernel → nx build', () => {
  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'autopar-install-'));
    const packs = join(root, '.packs');
    mkdirSync(packs);
    await execa('npm', ['pack', '-w', 'packages/core', '-w', 'packages/nx', '--pack-destination', packs], { cwd: REPO });
    const tgz = readdirSync(packs).filter((f) => f.endsWith('.tgz')).map((f) => join(packs, f));
    writeFileSync(join(root, 'package.json'), JSON.stringify({ name: 'my-monorepo', private: true, devDependencies: { nx: NX_VERSION } }, null, 2));
    writeFileSync(join(root, 'nx.json'), JSON.stringify({ $schema: './node_modules/nx/schemas/nx-schema.json' }, null, 2));
    mkdirSync(join(root, 'libs/signal/src'), { recursive: true });
    writeFileSync(join(root, 'libs/signal/project.json'), JSON.stringify({ name: 'signal', root: 'libs/signal', targets: {} }, null, 2));
    writeFileSync(join(root, 'libs/signal/src/oscillate.c'), KERNEL);
    writeFileSync(join(root, 'libs/signal/src/main.c'), MAIN);
    install = await sh('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '-D', ...tgz]);
  }, 1_300_000);
  afterAll(() => {
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('installs the two tarballs without peer-dependency warnings', () => {
    expect(install.exitCode, install.output).toBe(0);
    // The tree-sitter grammars' peer ranges used to conflict (tree-sitter-cuda pulls
    // tree-sitter-cpp, which wants tree-sitter ^0.21): CUDA parsing is an optional peer now.
    expect(install.output).not.toMatch(/ERESOLVE|peer dep|invalid|deprecated @autopar/i);
    const pkgs = ['core', 'nx'].map((p) => JSON.parse(readFileSync(join(root, `node_modules/@autopar/${p}/package.json`), 'utf8')));
    expect(pkgs.map((p) => p.version)).toEqual(['0.1.0', '0.1.0']);
    // Each tarball carries its README; no tests or fixtures.
    for (const p of ['core', 'nx']) expect(readdirSync(join(root, `node_modules/@autopar/${p}`))).toContain('README.md');
    const files = (dir: string): string[] => readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : [join(dir, e.name)]));
    expect(files(join(root, 'node_modules/@autopar/core/dist')).filter((f) => /\.test\.|fixtures/.test(f))).toEqual([]);
  });

  it('nx g @autopar/nx:init sets up the workspace', async () => {
    const r = await sh('npx', ['nx', 'g', '@autopar/nx:init', '--no-interactive']);
    expect(r.exitCode, r.output).toBe(0);
    const nx = JSON.parse(readFileSync(join(root, 'nx.json'), 'utf8'));
    expect(nx.plugins).toContain('@autopar/nx');
    expect(nx.namedInputs.autoparKernel).toBeDefined();
    expect(readFileSync(join(root, '.gitignore'), 'utf8')).toMatch(/^\.autopar\/$/m);
  });

  it('nx g @autopar/nx:kernel opts the target in and drafts a spec that runs', async () => {
    const r = await sh('npx', ['nx', 'g', '@autopar/nx:kernel', '--project', 'signal', '--source', 'src/oscillate.c', '--function', 'oscillate', '--no-interactive']);
    expect(r.exitCode, r.output).toBe(0);
    expect(r.output).toMatch(/guesses to confirm/);
    const spec = JSON.parse(readFileSync(join(root, 'libs/signal/autopar.spec.json'), 'utf8'));
    const k = spec.kernels[0];
    expect(k.args.map((a: { name: string; kind: string; length?: string }) => `${a.name}:${a.kind}:${a.length ?? ''}`)).toEqual([
      'n:scalar:', 'terms:scalar:', 'x:input:n', 'y:output:n',
    ]);
    expect(k.confirm.join('\n')).toMatch(/sizes\.bench: measured on this machine/);
    const pj = JSON.parse(readFileSync(join(root, 'libs/signal/project.json'), 'utf8'));
    expect(pj.targets.build.executor).toBe('@autopar/nx:build');
    // See the file comment: what is linked must not depend on this machine's load.
    pj.targets.build.options.threshold = 0.01;
    writeFileSync(join(root, 'libs/signal/project.json'), JSON.stringify(pj, null, 2));
  }, 600_000);

  it('nx build links a verified variant that computes what the original computes', async () => {
    const r = await sh('npx', ['nx', 'build', 'signal', '--outputStyle=static'], { AUTOPAR_PROPOSER: 'analyzer' });
    expect(r.exitCode, r.output.slice(-4000)).toBe(0);
    const report = JSON.parse(readFileSync(join(root, 'dist/kernels/signal/autopar-report.json'), 'utf8'));
    const k = report.kernels[0];
    expect(k.outcome, k.reason).toBe('generated');
    const linked = k.candidates.find((c: { label: string }) => c.label === k.chosen?.label);
    expect(linked.verdict.accepted).toBe(true);
    expect(linked.verdict.stages.map((s: { stage: string }) => s.stage)).toEqual(expect.arrayContaining(['differential', 'sanitize-memory', 'sanitize-race', 'benchmark']));
    const spliced = readFileSync(report.splicedSources[0], 'utf8');
    expect(spliced).toMatch(/#pragma omp/);
    const plain = join(root, 'plain');
    await execa('gcc', ['-O2', '-o', plain, join(root, 'libs/signal/src/oscillate.c'), join(root, 'libs/signal/src/main.c'), '-lm']);
    expect((await execa(report.artifact)).stdout).toBe((await execa(plain)).stdout);
    // The inferred target's inputs follow Nx conventions.
    const show = await sh('npx', ['nx', 'show', 'project', 'signal', '--json']);
    const inputs = JSON.parse(show.output.slice(show.output.indexOf('{'))).targets.build.inputs;
    expect(inputs).toContain('autoparKernel');
    expect(inputs).toContainEqual({ runtime: 'node node_modules/@autopar/core/bin/autopar.js proposer' });
  }, 1_800_000);
});
