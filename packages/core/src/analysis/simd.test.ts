// Static simd legality (simd.ts), reductions that privatize, and never privatizing an
// enclosing loop's index (legality.ts), with the analyzer's own plans for a 2mm-like nest.
import { describe, expect, test } from 'vitest';
import { analyzeSource } from './analyze.js';
import { checkPlan } from './legality.js';
import { simdHazardsOf, simdHazardsOfUnit } from './simd.js';
import { candidatesFor } from '../propose/analyzer.js';
import type { Plan } from '../propose/plan.js';

const fn = (pragma: string, body: string, extra = '') => `void k(int n, double *a, const double *b) {
  ${extra}
#pragma omp ${pragma}
  for (int i = 1; i < n; i++)
    ${body}
}
`;

describe('simd hazards', () => {
  test('a distance-1 recurrence under simd is refused, naming the array and the distance', () => {
    const h = simdHazardsOf(fn('simd', 'a[i] = a[i - 1] + b[i];'), 'k');
    expect(h).toHaveLength(1);
    expect(h[0]!.message).toMatch(/simd loop at line 4 carries a dependence of distance 1 on a .*race/);
  });
  test('also under parallel for simd, and a forward (anti) dependence too', () => {
    expect(simdHazardsOf(fn('parallel for simd', 'a[i] = a[i + 1] * b[i];'), 'k')).toHaveLength(1);
  });
  test('independent lanes, safelen at least the distance, ordered simd, and non-simd pragmas are not refused', () => {
    expect(simdHazardsOf(fn('simd', 'a[i] = 2 * a[i] + b[i];'), 'k')).toEqual([]);
    expect(simdHazardsOf(fn('simd safelen(4)', 'a[i] = a[i - 4] + b[i];'), 'k')).toEqual([]);
    expect(simdHazardsOf(fn('simd safelen(8)', 'a[i] = a[i - 4] + b[i];'), 'k')).toHaveLength(1);
    expect(simdHazardsOf(fn('simd', '{\n#pragma omp ordered simd\n a[i] = a[i - 1] + b[i]; }'), 'k')).toEqual([]);
    expect(simdHazardsOf(fn('parallel for', 'a[i] = a[i - 1] + b[i];'), 'k')).toEqual([]);
  });
  test('a local initialized with a literal and never written again is a constant distance', () => {
    const body = (m: string) => `void k(int n, double *a) {
  int m = ${m};
#pragma omp simd safelen(2)
  for (int i = m; i < n; i++) a[i] = a[i - m] - 1.0;
}
`;
    expect(simdHazardsOf(body('1'), 'k').map((h) => h.message)).toEqual([expect.stringMatching(/distance 1 on a .*shorter than safelen\(2\)/)]);
    expect(simdHazardsOf(body('2'), 'k')).toEqual([]);
    // written again: not a constant, nothing proven
    expect(simdHazardsOf(body('1').replace('int m = 1;', 'int m = 1; if (n > 4) m = 3;'), 'k')).toEqual([]);
  });
  test('an unproven dependence (indirect subscript) is left to the other checks', () => {
    const text = `void k(int n, double *a, const int *idx) {
#pragma omp simd
  for (int i = 0; i < n; i++) a[idx[i]] += 1.0;
}
`;
    expect(simdHazardsOf(text, 'k')).toEqual([]);
  });
  test('a whole translation unit: globals and macros of the file are used', () => {
    const tu = `#define N 100
int a[N];
int main(void) {
  int i;
#pragma omp simd
  for (i = 0; i < N - 1; i++) a[i + 1] = a[i] + 1;
  return 0;
}
`;
    expect(simdHazardsOfUnit(tu).map((h) => h.fn)).toEqual(['main']);
  });
});

const MM = `void mm(int ni, int nj, int nk, double *restrict tmp, const double *restrict A, const double *restrict B) {
  int i, j, k;
  for (i = 0; i < ni; i++)
    for (j = 0; j < nj; j++) {
      tmp[i * nj + j] = 0.0;
      for (k = 0; k < nk; ++k)
        tmp[i * nj + j] += A[i * nk + k] * B[k * nj + j];
    }
}
`;

describe('privatization', () => {
  test('2mm with loop variables at function scope: no analyzer plan makes an enclosing index private', () => {
    const s = analyzeSource(MM, 'mm');
    const cands = candidatesFor(s);
    expect(cands.length).toBeGreaterThan(0);
    for (const c of cands) {
      // every simd loop's private list is free of the index of a loop around it
      expect(c.functionText).not.toMatch(/omp simd[^\n]*private\([^)]*\bk\b/);
    }
  });
  test('checkPlan refuses simd private(k) on the j-loop moved inside the k-loop', () => {
    const s = analyzeSource(MM, 'mm');
    const p: Plan = {
      version: 1,
      kernel: 'mm',
      loops: [{ loop: 'L1', action: 'parallel-for', private: ['j', 'k'] }, { loop: 'L1.1', action: 'simd', private: ['k'] }],
      transforms: [{ kind: 'distribute', loop: 'L1.1' }, { kind: 'interchange', loop: 'L1.1', with: 'L1.1.1' }],
    };
    const r = checkPlan(s, p);
    expect(r.ok).toBe(false);
    expect(r.errors.join('\n')).toMatch(/private\(k\) gives every SIMD lane its own uninitialised k, but k is the index of the enclosing loop L1\.1\.1/);
  });
  test('reduction(+:x) on an accumulator reset in every iteration privatizes it: legal', () => {
    const text = `void rowsum(int n, int m, const double *restrict a, double *restrict out) {
  double s;
  for (int i = 0; i < n; i++) {
    s = 0.0;
    for (int j = 0; j < m; j++) s += a[i * m + j];
    out[i] = s;
  }
}
`;
    const s = analyzeSource(text, 'rowsum');
    const r = checkPlan(s, { version: 1, kernel: 'rowsum', loops: [{ loop: 'L1', action: 'parallel-for', reduction: [{ op: '+', vars: ['s'] }] }] });
    expect(r.errors).toEqual([]);
  });
  test('...but not when the accumulator is used after the loop (its value would be the combined one)', () => {
    const text = `double rowsum(int n, int m, const double *restrict a, double *restrict out) {
  double s = 0.0;
  for (int i = 0; i < n; i++) {
    s = 0.0;
    for (int j = 0; j < m; j++) s += a[i * m + j];
    out[i] = s;
  }
  return s;
}
`;
    const s = analyzeSource(text, 'rowsum');
    const r = checkPlan(s, { version: 1, kernel: 'rowsum', loops: [{ loop: 'L1', action: 'parallel-for', reduction: [{ op: '+', vars: ['s'] }] }] });
    expect(r.ok).toBe(false);
    expect(r.errors.join('\n')).toMatch(/used after the loop/);
  });
});
