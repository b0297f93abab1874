// The bundled examples are shown to models as correct answers, so each is checked here:
// the original and the parallel version compile with gcc -fopenmp, and both run on the
// same small data (with 4 threads) and agree.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BUNDLED_EXAMPLES, nearestExamples, type FewShotExample } from './examples.js';
import { kernelFeatures } from './kernel-features.js';

const gccMissing = spawnSync('gcc', ['--version']).status !== 0;
const skipReason = 'gcc is not installed: the bundled examples cannot be compiled here';
if (gccMissing) console.warn(`examples.test.ts: ${skipReason}`);

const nameOf = (text: string) => /(\w+)\s*\(/.exec(text)![1]!;

// Per example: data set-up, a call of the function as `F` (the harness renames it), and a
// comparison of the serial outputs (`*_s`) with the parallel ones (`*_p`). Both runs get
// their own output arrays; `ok` ends 1 when they agree.
const DRIVERS: Record<string, string> = {
  update_velocity: `
    int n = 1003; double f[1003], m[1003], v_s[1003], v_p[1003];
    for (int i = 0; i < n; i++) { f[i] = sin(i); m[i] = 1.0 + (i % 7); v_s[i] = v_p[i] = 0.5 * i; }
    update_velocity_s(n, 0.01, f, m, v_s); update_velocity_p(n, 0.01, f, m, v_p);
    for (int i = 0; i < n; i++) ok &= v_s[i] == v_p[i];`,
  dot_product: `
    int n = 10007; static double x[10007], y[10007];
    for (int i = 0; i < n; i++) { x[i] = cos(i); y[i] = 1.0 / (1 + i); }
    double a = dot_product_s(n, x, y), b = dot_product_p(n, x, y);
    ok = fabs(a - b) <= 1e-12 * (1 + fabs(a));
    ok &= dot_product_s(0, x, y) == dot_product_p(0, x, y);`,
  jacobi_step: `
    int nx = 37, ny = 53; static double u[37 * 53], w_s[37 * 53], w_p[37 * 53];
    for (int i = 0; i < nx * ny; i++) { u[i] = sin(0.1 * i); w_s[i] = w_p[i] = -1; }
    jacobi_step_s(nx, ny, u, w_s); jacobi_step_p(nx, ny, u, w_p);
    for (int i = 0; i < nx * ny; i++) ok &= w_s[i] == w_p[i];`,
  matvec: `
    int n = 61, m = 47; static double A[61 * 47], x[47], y_s[61], y_p[61];
    for (int i = 0; i < n * m; i++) A[i] = cos(0.3 * i);
    for (int j = 0; j < m; j++) x[j] = 1.0 + j;
    matvec_s(n, m, A, x, y_s); matvec_p(n, m, A, x, y_p);
    for (int i = 0; i < n; i++) ok &= y_s[i] == y_p[i];`,
  cumulative_rainfall: `
    int n = 500; double r[500], t_s[500], t_p[500];
    for (int i = 0; i < n; i++) r[i] = (i % 5) * 0.25;
    cumulative_rainfall_s(n, r, t_s); cumulative_rainfall_p(n, r, t_p);
    for (int i = 0; i < n; i++) ok &= t_s[i] == t_p[i];`,
  histogram: `
    int n = 20000, nb = 17; static double x[20000]; long c_s[17], c_p[17];
    for (int i = 0; i < n; i++) x[i] = 3.0 * sin(0.7 * i) * cos(0.011 * i);
    histogram_s(n, x, -2.0, 2.0, nb, c_s); histogram_p(n, x, -2.0, 2.0, nb, c_p);
    long total = 0;
    for (int k = 0; k < nb; k++) { ok &= c_s[k] == c_p[k]; total += c_p[k]; }
    ok &= total == n;`,
};

function harness(e: FewShotExample): string {
  const name = nameOf(e.original);
  return [
    '#include <math.h>',
    '#include <stdio.h>',
    `#define ${name} ${name}_s`,
    e.original,
    `#undef ${name}`,
    `#define ${name} ${name}_p`,
    e.parallel,
    `#undef ${name}`,
    'int main(void) {',
    '  int ok = 1;',
    DRIVERS[name]!,
    '  printf(ok ? "agree\\n" : "DIFFER\\n");',
    '  return ok ? 0 : 1;',
    '}',
  ].join('\n');
}

describe('BUNDLED_EXAMPLES', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'autopar-examples-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('are six, bundled, with distinct functions, a note each, and a driver here each', () => {
    expect(BUNDLED_EXAMPLES).toHaveLength(6);
    const names = BUNDLED_EXAMPLES.map((e) => nameOf(e.original));
    expect(new Set(names).size).toBe(6);
    for (const e of BUNDLED_EXAMPLES) {
      expect(e.source).toBe('bundled');
      expect(nameOf(e.parallel)).toBe(nameOf(e.original));
      expect(e.note.length).toBeGreaterThan(20);
      expect(DRIVERS[nameOf(e.original)]).toBeDefined();
    }
  });

  it('grammar plans use the analyzer loop ids and the grammar form\'s fields', () => {
    for (const e of BUNDLED_EXAMPLES) {
      if (e.grammarPlan === undefined) continue;
      const plan = e.grammarPlan as { loops: Array<Record<string, unknown>>; transforms: unknown[] };
      expect(plan.transforms).toEqual([]);
      const f = kernelFeatures(e.original);
      for (const l of plan.loops) {
        expect(Object.keys(l).sort()).toEqual(['action', 'collapse', 'loop', 'private', 'reduction', 'schedule']);
        expect(l.loop).toMatch(/^L[1-9](\.[1-9])*$/);
        const [top, ...nested] = String(l.loop).slice(1).split('.');
        expect(Number(top)).toBeLessThanOrEqual(f.forLoops);
        expect(nested.length).toBeLessThan(f.maxLoopDepth);
        expect(Number(l.collapse)).toBeLessThanOrEqual(f.maxLoopDepth);
      }
    }
  });

  it.skipIf(gccMissing)('original and parallel versions compile with gcc -fopenmp -c (no warnings with -Wall)', () => {
    for (const e of BUNDLED_EXAMPLES) {
      for (const [kind, text] of [['original', e.original], ['parallel', e.parallel]] as const) {
        const file = join(dir, `${nameOf(e.original)}-${kind}.c`);
        writeFileSync(file, `${text}\n`);
        const r = spawnSync('gcc', ['-std=c11', '-fopenmp', '-Wall', '-Wextra', '-Werror', '-c', file, '-o', `${file}.o`], { encoding: 'utf8' });
        expect(r.status, `${nameOf(e.original)} (${kind}):\n${r.stderr}`).toBe(0);
      }
    }
  });

  it.skipIf(gccMissing)('serial and parallel versions agree on small data with 4 threads', () => {
    for (const e of BUNDLED_EXAMPLES) {
      const name = nameOf(e.original);
      const file = join(dir, `${name}-harness.c`);
      writeFileSync(file, harness(e));
      execFileSync('gcc', ['-std=c11', '-O1', '-fopenmp', file, '-o', `${file}.exe`, '-lm']);
      const out = spawnSync(`${file}.exe`, [], { encoding: 'utf8', env: { ...process.env, OMP_NUM_THREADS: '4' } });
      expect(`${name}: ${out.stdout.trim()}`).toBe(`${name}: agree`);
      expect(out.status).toBe(0);
    }
  });
});

describe('nearestExamples', () => {
  const dotLike = kernelFeatures('double norm2(int n, const double *v) { double s = 0; for (int i = 0; i < n; i++) s += v[i] * v[i]; return s; }');

  it('picks the dot product for a sum of squares, the stencil for a 2-D smoothing loop', () => {
    expect(nameOf(nearestExamples(dotLike, BUNDLED_EXAMPLES, 1)[0]!.original)).toBe('dot_product');
    const smooth = kernelFeatures(`void smooth(int n, int m, const float *in, float *out) {
      for (int i = 1; i < n - 1; i++) for (int j = 1; j < m - 1; j++)
        out[i*m + j] = (in[(i-1)*m + j] + in[(i+1)*m + j]) * 0.5f; }`);
    expect(nameOf(nearestExamples(smooth, BUNDLED_EXAMPLES, 1)[0]!.original)).toBe('jacobi_step');
    const bins = kernelFeatures(`void count_bins(int n, const int *cell, int *hits) {
      for (int i = 0; i < n; i++) { if (cell[i] >= 0) hits[cell[i]]++; } }`);
    expect(nameOf(nearestExamples(bins, BUNDLED_EXAMPLES, 1)[0]!.original)).toBe('histogram');
    const running = kernelFeatures(`void running_sum(int n, const float *v, float *out) {
      float m = 0; for (int i = 0; i < n; i++) { m += v[i]; out[i] = m; } }`);
    expect(nameOf(nearestExamples(running, BUNDLED_EXAMPLES, 1)[0]!.original)).toBe('cumulative_rainfall');
  });

  it('returns k examples (none for k <= 0), without features, independent of pool order', () => {
    const pool = BUNDLED_EXAMPLES.map((e) => ({ ...e, features: kernelFeatures(e.original) }));
    const a = nearestExamples(dotLike, pool, 2);
    const b = nearestExamples(dotLike, [...pool].reverse(), 2);
    expect(a).toHaveLength(2);
    expect(a).toEqual(b);
    expect(a.every((e) => !('features' in e))).toBe(true);
    expect(nearestExamples(dotLike, pool, 0)).toEqual([]);
    expect(nearestExamples(dotLike, pool, 100)).toHaveLength(6);
  });

  it('breaks ties deterministically: store before bundled, then higher speedup, then text', () => {
    const base = BUNDLED_EXAMPLES[1]!;
    const pool: FewShotExample[] = [
      { ...base, source: 'bundled' },
      { ...base, source: 'store', speedup: 1.5 },
      { ...base, source: 'store', speedup: 3 },
      { ...base, source: 'store', speedup: 3, parallel: `${base.parallel}\n` },
    ];
    const got = nearestExamples(kernelFeatures(base.original), pool, 4);
    expect(got.map((e) => [e.source, e.speedup, e.parallel.endsWith('\n')])).toEqual([
      ['store', 3, false],
      ['store', 3, true],
      ['store', 1.5, false],
      ['bundled', undefined, false],
    ]);
  });
});
