// Compilers as candidate generators: a compile recipe's variant (the original kernel
// compiled with clang / Polly in a translation unit of its own) goes through the same
// verifier as any candidate, is stored with its recipe, changes the key, and is linked the
// way it was verified. The threshold is tiny (see test/failure/project.ts): this tests what
// gets linked and how, not whether clang is faster on a busy machine.
import { afterEach, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { buildProject } from '../../packages/core/src/pipeline/build.js';
import { FAST_POLICY, buildOptions, makeProject, manifests, scaleKernelSpec, type TempProject } from '../failure/project.js';

// `noalias: false`: the analyzer keeps the original (the pointers might alias), so the
// candidates are the recipes' and whichever is linked is a compiler's variant.
const SPEC = { version: 1, kernels: [scaleKernelSpec({ noalias: false })] };
const WITH_RACE = { ...FAST_POLICY, sanitizers: { memory: true, race: true } };

const SMOOTH_C = `void smooth(int n, double A[n][n], double B[n][n])
{
    for (int i = 1; i < n - 1; i++)
        for (int j = 1; j < n - 1; j++)
            B[i][j] = 0.25 * (A[i - 1][j] + A[i + 1][j] + A[i][j - 1] + A[i][j + 1]);
}
`;
const SMOOTH_MAIN = `#include <stdio.h>
#include <stdlib.h>

void smooth(int n, double A[n][n], double B[n][n]);

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 300;
    double (*A)[n] = malloc(sizeof(double) * n * n), (*B)[n] = calloc((size_t)n * n, sizeof(double));
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++) A[i][j] = (i * 7 + j) % 11;
    smooth(n, A, B);
    double s = 0;
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++) s += B[i][j] * (i + 1);
    printf("%.17g\\n", s);
    return 0;
}
`;
const SMOOTH_SPEC = {
  version: 1,
  kernels: [
    {
      name: 'smooth',
      source: 'src/kern.c',
      sizes: { test: [{ n: 1 }, { n: 3 }, { n: 17 }, { n: 40 }], bench: { n: 500 } },
      args: [
        { name: 'n', kind: 'scalar', type: 'int', value: 'n' },
        { name: 'A', kind: 'input', type: 'double', length: 'n*n', init: { gen: 'uniform', min: -1, max: 1 } },
        { name: 'B', kind: 'inout', type: 'double', length: 'n*n', init: { gen: 'uniform', min: -1, max: 1 } },
      ],
      tolerance: { rel: 1e-12, abs: 1e-12 },
      noalias: false,
    },
  ],
};

let p: TempProject | undefined;
afterEach(() => {
  p?.dispose();
  p = undefined;
});

const run = (cmd: string, args: string[], cwd: string) => execa(cmd, args, { cwd, reject: false });

describe('compile recipes as candidates', () => {
  it('verifies a recipe like any candidate and links the kernel in its own translation unit, compiled with the recipe', async () => {
    // A stencil Polly parallelizes (a one-dimensional loop it finds unprofitable): the race
    // build must see Polly's threads, and the linked program must run them through libgomp.
    p = makeProject({ spec: SMOOTH_SPEC, kern: SMOOTH_C });
    p.write('demo/src/main.c', SMOOTH_MAIN);
    const opts = buildOptions(p, { proposer: 'analyzer', compilerRecipes: ['clang-polly-parallel'], policy: WITH_RACE });
    const report = await buildProject(opts);
    const k = report.kernels[0]!;
    expect(k.candidates.map((c) => c.label)).toEqual(['recipe:clang-polly-parallel']);
    expect(k.outcome, k.reason).toBe('generated');
    const linked = k.candidates.find((c) => c.label === k.chosen!.label)!;
    expect(linked.verdict.accepted).toBe(true);
    const ran = linked.verdict.stages.filter((s) => s.status === 'ran').map((s) => s.stage);
    expect(ran).toEqual(expect.arrayContaining(['static-gate', 'compile', 'differential', 'sanitize-memory', 'sanitize-race', 'benchmark']));
    expect(linked.verdict.stages.find((s) => s.stage === 'compile')!.reason).toMatch(/own translation unit with clang-19 -O3 -mllvm -polly -mllvm -polly-pattern-matching-nc-quotient=32 -mllvm -polly-parallel/);
    // The recipe is in the report and in the stored manifest.
    expect(linked.recipe?.cc).toBe('clang-19');
    expect(linked.recipe?.version).toMatch(/clang version 19/);
    const stored = manifests(p.cacheDir).map((f) => readFileSync(f, 'utf8')).join('\n');
    expect(stored).toContain('"name":"clang-polly-parallel"');

    // Linked as verified: the kernel in autopar-kernel-smooth.c (compiled by clang with
    // Polly, whose threads call libgomp), the user's file without the kernel's body.
    const out = p.out();
    const own = join(out, 'autopar-src/autopar-kernel-smooth.c');
    expect(readFileSync(own, 'utf8')).toMatch(/void smooth\(int n, double A\[n\]\[n\], double B\[n\]\[n\]\)\s*\{/);
    const rest = readFileSync(join(out, 'autopar-src/kern.c'), 'utf8');
    expect(rest).toMatch(/void smooth\(int n, double A\[n\]\[n\], double B\[n\]\[n\]\);/);
    expect(rest).not.toContain('0.25');
    expect((await run('nm', [join(out, 'demo')], p.root)).stdout).toMatch(/U GOMP_parallel_loop_runtime_start/);
    // The program computes what the original computes.
    const original = await run('gcc', ['-O2', join(p.projectRoot, 'src/kern.c'), join(p.projectRoot, 'src/main.c'), '-o', join(p.root, 'orig'), '-lm'], p.root);
    expect(original.exitCode, original.stderr).toBe(0);
    const want = await run(join(p.root, 'orig'), ['300'], p.root);
    const got = await run(join(out, 'demo'), ['300'], p.root);
    expect(got.stdout).toBe(want.stdout);
  }, 600_000);

  it("aligned-loops composes with the analyzer: each plan also gets a twin compiled with it, screened like any candidate, and whichever wins is linked as verified", async () => {
    p = makeProject({ spec: { version: 1, kernels: [scaleKernelSpec({ noalias: true })] } });
    const opts = buildOptions(p, { proposer: 'analyzer', compilerRecipes: ['aligned-loops'], policy: WITH_RACE });
    const report = await buildProject(opts);
    const k = report.kernels[0]!;
    const labels = k.candidates.map((c) => c.label);
    // Every analyzer plan has its twin; the original compiled with the recipe is a candidate too.
    const plans = labels.filter((l) => l.startsWith('analyzer:') && !l.includes('+'));
    expect(plans.length).toBeGreaterThan(0);
    for (const l of plans) expect(labels).toContain(`${l}+aligned-loops`);
    expect(labels).toContain('recipe:aligned-loops');
    const twin = k.candidates.find((c) => c.label === `${plans[0]}+aligned-loops`)!;
    const plain = k.candidates.find((c) => c.label === plans[0])!;
    expect(twin.functionText).toBe(plain.functionText);
    expect(twin.recipe?.cc).toBe('gcc');
    expect(twin.recipe?.cflags).toEqual([...opts.cflags, '-falign-loops=32']);
    expect(twin.proposer.kind).toBe('analyzer');
    // Every twin is screened like its plain candidate: compiled in its own translation unit
    // with the recipe, its bench-size outputs compared with the original's, timed.
    for (const l of plans) {
      const c = k.candidates.find((x) => x.label === `${l}+aligned-loops`)!;
      const compile = c.verdict.stages.find((s) => s.stage === 'compile')!;
      expect(compile.status).toBe('ran');
      expect(compile.reason).toMatch(/own translation unit with gcc -O2 -fopenmp -falign-loops=32 \(recipe aligned-loops\)/);
      expect(c.verdict.speedup, c.verdict.reason).toBeDefined();
    }
    expect(k.outcome, k.reason).toBe('generated');
    // Whichever was linked, it is linked as verified: with a recipe, the kernel in its own TU.
    const linked = k.candidates.find((c) => c.label === k.chosen!.label)!;
    const own = join(p.out(), 'autopar-src/autopar-kernel-scale.c');
    if (linked.recipe) {
      expect(readFileSync(own, 'utf8')).toContain(linked.functionText.includes('#pragma omp') ? '#pragma omp' : 'sqrt');
    } else {
      expect(() => readFileSync(own, 'utf8')).toThrow();
    }
    const original = await run('gcc', ['-O2', join(p.projectRoot, 'src/kern.c'), join(p.projectRoot, 'src/main.c'), '-o', join(p.root, 'orig'), '-lm'], p.root);
    expect(original.exitCode, original.stderr).toBe(0);
    const want = await run(join(p.root, 'orig'), ['5000'], p.root);
    const got = await run(join(p.out(), 'demo'), ['5000'], p.root);
    expect(got.stdout).toBe(want.stdout);
  }, 600_000);

  it('puts the recipes in the key: the same kernel with and without recipes are different entries', async () => {
    p = makeProject({ spec: SPEC });
    const without = await buildProject(buildOptions(p, { proposer: 'analyzer' }));
    const withRecipes = await buildProject(buildOptions(p, { proposer: 'analyzer', compilerRecipes: ['clang-O3'], outputPath: p.out('with') }));
    expect(withRecipes.kernels[0]!.key).not.toBe(without.kernels[0]!.key);
    expect(JSON.stringify(withRecipes.kernels[0]!.proposer)).toContain('clang-O3');
    // A rebuild is a hit: no candidate is verified again.
    const again = buildOptions(p, { proposer: 'analyzer', compilerRecipes: ['clang-O3'], outputPath: p.out('again') });
    const hit = await buildProject(again);
    expect(hit.kernels[0]!.outcome, hit.kernels[0]!.reason).toBe('cache-hit');
    expect(again.lines.join('\n')).not.toMatch(/screening recipe:/);
  }, 600_000);

  it('without clang, skips the clang recipes and says so; the others still run', async () => {
    p = makeProject({ spec: SPEC });
    const saved = process.env.AUTOPAR_RECIPE_CLANG;
    process.env.AUTOPAR_RECIPE_CLANG = join(p.root, 'no-such-clang');
    try {
      const opts = buildOptions(p, { proposer: 'analyzer', compilerRecipes: ['clang-polly', 'gcc-autopar'] });
      const report = await buildProject(opts);
      expect(opts.lines.join('\n')).toMatch(/compile recipes skipped: clang-polly: .*no-such-clang not found \(apt-get install clang-19 libpolly-19-dev\)/);
      const labels = report.kernels[0]!.candidates.map((c) => c.label);
      expect(labels.some((l) => l.startsWith('recipe:clang'))).toBe(false);
      expect(labels.some((l) => /^recipe:gcc-autopar-\d+$/.test(l))).toBe(true);
    } finally {
      if (saved === undefined) delete process.env.AUTOPAR_RECIPE_CLANG;
      else process.env.AUTOPAR_RECIPE_CLANG = saved;
    }
  }, 600_000);

  it("gcc's autoparallelized code cannot be race-checked: its verdict is incomplete, never linked", async () => {
    p = makeProject({ spec: SPEC });
    const report = await buildProject(buildOptions(p, { proposer: 'analyzer', compilerRecipes: ['gcc-autopar'], policy: WITH_RACE }));
    const k = report.kernels[0]!;
    const gcc = k.candidates.find((c) => c.label.startsWith('recipe:gcc-autopar'))!;
    expect(gcc.recipe?.cflags.join(' ')).toMatch(/-ftree-parallelize-loops=\d+/);
    // Screening passes (compile, bench-size outputs; with the tiny threshold nothing screens as
    // slower); full verification stops at the race stage, which cannot run.
    expect(gcc.verdict.accepted).toBe(false);
    expect(gcc.verdict.kind).toBe('incomplete');
    expect(gcc.verdict.stage).toBe('sanitize-race');
    expect(gcc.verdict.reason).toMatch(/cannot be checked.*-fsanitize=thread/);
    expect(gcc.verdict.stages.find((s) => s.stage === 'differential')?.status).toBe('ran');
    expect(k.chosen).toBeNull();
  }, 600_000);
});
