// The size guard's pieces: which parameters it dispatches on, the ladder of sizes, where the
// threshold goes (pure, from given speedups), and the ladder timed on real harness binaries
// (only what holds on a busy machine is asserted: which sizes ran, not which side won).
import { describe, it, expect, afterAll } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KernelSpec } from '../spec/types.js';
import { validateSpec } from '../spec/load.js';
import { extractKernels } from '../kernel/extract.js';
import { prepareOriginal } from './original-cache.js';
import { resolveToolchain } from './policy.js';
import { decideThreshold, ladderSizes, measureSizeGuard, sizeMeasure } from './size-guard.js';

const root = mkdtempSync(join(tmpdir(), 'autopar-size-guard-test-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const SCALE = `void scale(int n, int reps, double a, const double *x, double *y)
{
    for (int r = 0; r < reps; r++)
        for (int i = 0; i < n; i++) y[i] = a * x[i] + r;
}
`;

const spec = (over: Partial<KernelSpec> = {}): KernelSpec =>
  validateSpec(
    {
      version: 1,
      kernels: [
        {
          name: 'scale',
          source: 'scale.c',
          sizes: { test: [{ n: 1 }, { n: 9 }, { n: 97 }], bench: { n: 10000 } },
          args: [
            { name: 'n', kind: 'scalar', type: 'int', value: 'n' },
            { name: 'reps', kind: 'scalar', type: 'int', value: 3 },
            { name: 'a', kind: 'scalar', type: 'double', value: 2 },
            { name: 'x', kind: 'input', type: 'double', length: 'n', init: { gen: 'uniform', min: -1, max: 1 } },
            { name: 'y', kind: 'output', type: 'double', length: 'n' },
          ],
          ...over,
        },
      ],
    },
    'scale.spec.json',
  ).kernels[0]!;

const unit = () => extractKernels(SCALE, 'scale.c', ['scale'])[0]!;
const point = (n: number, speedup: number) => ({ size: { n }, measure: n, speedup });

describe('size measure', () => {
  it('multiplies the integer parameters whose value comes from the sizes (not constants, not floating ones)', () => {
    const m = sizeMeasure(spec(), unit())!;
    expect(m.expression).toBe('(double)n');
    expect(m.at({ n: 40 })).toBe(40);
  });

  it('leaves out a parameter derived from a size another parameter carries (a start vertex n/2), keeps one computed from a size no parameter carries', () => {
    const args = (n: string, reps: string) => [
      { name: 'n', kind: 'scalar' as const, type: 'int' as const, value: n },
      { name: 'reps', kind: 'scalar' as const, type: 'int' as const, value: reps },
      { name: 'a', kind: 'scalar' as const, type: 'double' as const, value: 2 },
      { name: 'x', kind: 'input' as const, type: 'double' as const, length: 'n', init: { gen: 'uniform' as const, min: -1, max: 1 } },
      { name: 'y', kind: 'output' as const, type: 'double' as const, length: 'n' },
    ];
    expect(sizeMeasure(spec({ args: args('n', 'n/2') }), unit())!.expression).toBe('(double)n');
    const squared = sizeMeasure(spec({ args: args('n*n', 'n/2') }), unit())!;
    expect(squared.expression).toBe('(double)n * (double)reps');
    expect(squared.at({ n: 10 })).toBe(500);
  });

  it('is absent when no integer parameter depends on a size', () => {
    const s = spec({ args: [
      { name: 'n', kind: 'scalar', type: 'int', value: 64 },
      { name: 'reps', kind: 'scalar', type: 'int', value: 3 },
      { name: 'a', kind: 'scalar', type: 'double', value: 'n' },
      { name: 'x', kind: 'input', type: 'double', length: 'n', init: { gen: 'uniform', min: -1, max: 1 } },
      { name: 'y', kind: 'output', type: 'double', length: 'n' },
    ] });
    expect(sizeMeasure(s, unit())).toBeUndefined();
  });
});

describe('size ladder', () => {
  it('is geometric per size between the largest test size and the bench size, without repeats', () => {
    expect(ladderSizes({ n: 100, k: 3 }, { n: 10000, k: 3 }, [0.25, 0.5, 0.75])).toEqual([
      { n: 316, k: 3 },
      { n: 1000, k: 3 },
      { n: 3162, k: 3 },
    ]);
    expect(ladderSizes({ n: 4 }, { n: 5 }, [0.25, 0.5, 0.75])).toEqual([{ n: 4 }, { n: 5 }]);
  });
});

describe('threshold', () => {
  it('has none when the candidate wins at every size timed', () => {
    const g = decideThreshold('(double)n', [point(1, 1.2), point(100, 2)], point(10000, 3));
    expect(g.threshold).toBeNull();
    expect(g.why).toMatch(/^no guard: faster at every size timed \(1\.20x at n=1, 2\.00x at n=100\)/);
  });

  it('sits where the speedup crosses 1, interpolated in log space between the last loss and the next win', () => {
    // 0.5x at 10, 2x at 1000: log speedup crosses 0 halfway, at 100.
    const g = decideThreshold('(double)n', [point(1, 0.1), point(10, 0.5), point(1000, 2)], point(10000, 4));
    expect(g.threshold).toBe(100);
    expect(g.why).toMatch(/^the original runs below \(double\)n = 100 \(/);
  });

  it('takes the last loss: a win below a loss does not lower the threshold', () => {
    const g = decideThreshold('(double)n', [point(1, 0.2), point(10, 1.5), point(100, 0.9), point(1000, 1.1)], point(10000, 2));
    expect(g.threshold).toBeGreaterThan(100);
    expect(g.threshold).toBeLessThanOrEqual(1000);
  });

  it('uses the bench size as the win above a loss at the top of the ladder', () => {
    const g = decideThreshold('(double)n', [point(1000, 0.5)], point(100000, 2));
    expect(g.threshold).toBe(10000);
  });

  it('keeps the original at every size below the bench size when the variant loses there too (a build threshold below 1)', () => {
    const g = decideThreshold('(double)n', [point(1, 0.1), point(100, 1.3)], point(10000, 0.8));
    expect(g.threshold).toBe(10000);
    expect(g.why).toMatch(/^the original runs below \(double\)n = 10000, the bench size, where the variant was slower too \(.*0\.80x at the bench size\)$/);
  });
});

async function binaryOf(name: string, source: string) {
  const dir = join(root, name);
  const sourcePath = join(root, `${name}.c`);
  writeFileSync(sourcePath, source);
  const s = spec();
  const prepared = await prepareOriginal({}, dir, {
    spec: s,
    sourceText: source,
    sourcePath,
    toolchain: resolveToolchain(undefined),
    compileTimeoutMs: 60_000,
    testTimeoutMs: 30_000,
    seeds: [1],
    log: () => {},
  });
  return prepared.binary;
}

describe('size ladder on harness binaries', () => {
  it('times the test sizes and the ladder, smallest first, and places a threshold only from what ran', async () => {
    const original = await binaryOf('orig', SCALE);
    const same = await binaryOf('same', SCALE);
    const { guard, problem } = await measureSizeGuard({ spec: spec(), unit: unit(), originalBinary: original, candidateBinary: same, cwd: root, sandbox: { workDir: root }, benchSpeedup: 2 });
    expect(problem).toBeUndefined();
    expect(guard.measure).toBe('(double)n');
    expect(guard.points.map((p) => p.size.n)).toEqual([1, 9, 97, 309, 985, 3138]);
    for (const p of guard.points) expect(p.speedup).toBeGreaterThan(0);
    if (guard.threshold !== null) expect(guard.threshold).toBeLessThan(10000);
  }, 120_000);

  it('reports a candidate that fails at a ladder size where the original runs, naming the size', async () => {
    const original = await binaryOf('orig2', SCALE);
    // Right at the test sizes and the bench size; wrong between them.
    const broken = await binaryOf('broken', SCALE.replace('{\n', '{\n    if (n > 200 && n < 5000) { volatile int *p = 0; *p = 1; }\n'));
    const { guard, problem } = await measureSizeGuard({ spec: spec(), unit: unit(), originalBinary: original, candidateBinary: broken, cwd: root, sandbox: { workDir: root }, benchSpeedup: 2 });
    expect(problem).toMatch(/^the candidate failed at size n=309, where the original runs: /);
    expect(guard.threshold).toBeNull();
  }, 120_000);
});
