// A faster variant keeps the original for small sizes: after the benchmark the verifier times
// both at the test sizes and a ladder up to the bench size, stores where the variant stops
// winning, and the build links both behind a dispatch on the kernel's size parameter. The
// variant is the scripted model's (tools/scripted-ollama: a scripted answer, not a model's).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { buildProject } from '../../packages/core/src/pipeline/build.js';
import { startScriptedOllama, type ScriptedOllama } from '../../tools/scripted-ollama/server.mjs';
import { FAST_POLICY, buildOptions, fenced, GOOD_VARIANT, makeProject, modelScript, type TempProject } from '../failure/project.js';

let p: TempProject;
let srv: ScriptedOllama;

beforeAll(async () => {
  p = makeProject();
  srv = await startScriptedOllama({ script: modelScript(fenced(GOOD_VARIANT)) as never, port: 0 });
});

afterAll(async () => {
  await srv?.close();
  p?.dispose();
});

const options = (out: string) => buildOptions(p, { proposer: 'ollama', ollamaHost: srv.url, outputPath: p.out(out), policy: { ...FAST_POLICY, sizeGuard: true } });

describe('size guard', () => {
  it('measures the variant against the original from the test sizes up and links the original below the crossover', async () => {
    const o = options('first');
    const report = await buildProject(o);
    const k = report.kernels[0]!;
    expect(k.outcome, k.reason).toBe('generated');
    const linked = k.candidates.find((c) => c.label === k.chosen!.label)!;
    const guard = linked.verdict.sizeGuard!;
    expect(guard.measure).toBe('(double)n');
    // The spec's test sizes (1, 7, 33), then a geometric ladder from 33 towards the bench size 50000.
    expect(guard.points.map((x) => x.size.n)).toEqual([1, 7, 33, 206, 1285, 8014]);
    // One element costs nanoseconds, starting a parallel region microseconds: at n = 1 the
    // variant loses on any machine, busy or not, so there is a threshold above 1.
    expect(guard.points[0]!.speedup).toBeLessThan(1);
    expect(guard.threshold).toBeGreaterThan(1);
    expect(guard.threshold).toBeLessThanOrEqual(50000);
    expect(linked.verdict.stages.find((s) => s.stage === 'benchmark')!.reason).toContain(`size guard: the original runs below (double)n = ${guard.threshold}`);
    expect(o.lines.join('\n')).toContain(`original below n = ${guard.threshold}`);

    // Linked: the original (renamed, static), the variant (renamed, static), the dispatch under the kernel's name.
    const spliced = readFileSync(join(p.out('first'), 'autopar-src/kern.c'), 'utf8');
    expect(spliced).toMatch(/static void scale__autopar_serial\(int n, const double \*x, double \*y\)\s*\{\s*for/);
    expect(spliced).toMatch(/static void scale__autopar_variant\(int n, const double \*x, double \*y\)\s*\{\s*#pragma omp parallel for/);
    expect(spliced).toContain(`if ((double)n >= ${guard.threshold}.0) {\n        scale__autopar_variant(n, x, y);`);
    // Both paths compute what the original computes.
    const plain = join(p.root, 'plain');
    await execa('gcc', ['-O2', join(p.projectRoot, 'src/kern.c'), join(p.projectRoot, 'src/main.c'), '-o', plain, '-lm']);
    for (const n of ['1', '60000']) expect((await execa(join(p.out('first'), 'demo'), [n])).stdout).toBe((await execa(plain, [n])).stdout);
  }, 600_000);

  it('links the same dispatch from the store: the guard is part of the stored verdict', async () => {
    const o = options('again');
    const report = await buildProject(o);
    expect(report.kernels[0]!.outcome).toBe('cache-hit');
    const spliced = readFileSync(join(p.out('again'), 'autopar-src/kern.c'), 'utf8');
    expect(spliced).toContain('scale__autopar_serial(n, x, y);');
  }, 600_000);
});
