// Array reduction (`for r { ... for c y[c] += f(r, c) }` -> per-thread copies of y's range
// on the heap, added into y after the loop): legal and refused cases, the applied text run
// against the original (integers: bitwise; doubles: within rounding), the fallback when there
// is no range to copy, and the analyzer's variant.
import { describe, expect, test } from 'vitest';
import { checkPlan } from '../analysis/legality.js';
import { candidatesFor } from './analyzer.js';
import { validatePlan, type Plan } from './plan.js';
import { applyPlan } from './plan-apply.js';
import { plan, runBoth, stateOf } from './locality-corpus.testkit.js';

const ar = (loop: string, array: string) => ({ kind: 'array-reduction' as const, loop, array });
const normalDriver = (m: number, n: number) =>
  `int main(void){ int m=${m},n=${n}; static double A[40*40],x[40],y[40],tmp[40]; for(int i=0;i<40*40;i++)A[i]=sin(i); for(int i=0;i<40;i++){x[i]=cos(i);y[i]=0.5*i;} ar_normal(m,n,A,x,y,tmp); for(int i=0;i<40;i++) printf("%.12e %.17g\\n",y[i],tmp[i]); return 0; }`;

describe('array reduction', () => {
  test('normal equations: per-thread copies of y, the loop parallel, same results within rounding (and tmp exact)', () => {
    const s = stateOf('ar_normal');
    const p = plan('ar_normal', [{ loop: 'L1', action: 'parallel-for', schedule: { kind: 'static' } }], [ar('L1', 'y')]);
    expect(validatePlan(p).ok).toBe(true);
    expect(checkPlan(s, p).errors).toEqual([]);
    const { functionText } = applyPlan(s, p);
    expect(functionText).toMatch(/^#include <stdlib\.h>\n#include <omp\.h>\n/);
    expect(functionText).toContain('double *y_part = y_len > 0 ? (double *)calloc((size_t)autopar_nt * (size_t)y_len, sizeof(double)) : 0;');
    expect(functionText).toContain('y_mine[(c) - y_lo] += A[r * n + c] * tmp[r];');
    expect(functionText).toMatch(/#pragma omp parallel num_threads\(autopar_nt\)\n\s*\{\n\s*double \*restrict y_mine = y_part \+ \(size_t\)omp_get_thread_num\(\) \* \(size_t\)y_len;\n\s*#pragma omp for schedule\(static\)/);
    // The fallback is the original loop, untouched.
    expect(functionText).toMatch(/\} else \{\n\s*free\(y_part\);\n\s*for \(int r = 0; r < m; r\+\+\) \{/);
    for (const [m, n] of [[37, 29], [1, 5], [5, 0]] as const) {
      const [a, b] = runBoth('ar_normal', functionText, normalDriver(m, n));
      expect(b).toBe(a); // %.12e: the reassociated sums agree to 12 digits here
    }
  });

  test('an inclusive range that does not start at 0, of integers: bitwise equal', () => {
    const s = stateOf('ar_colsum');
    const p = plan('ar_colsum', [{ loop: 'L1', action: 'parallel-for' }], [ar('L1', 's')]);
    expect(checkPlan(s, p).errors).toEqual([]);
    const { functionText } = applyPlan(s, p);
    expect(functionText).toContain('const long s_lo = lo, s_len = (hi) - (lo) + 1;');
    const driver = `int main(void){ static int a[50*20]; static long s[20]; for(int i=0;i<50*20;i++)a[i]=(i*7)%13-6; for(int i=0;i<20;i++)s[i]=i; ar_colsum(50,3,17,a,s); for(int i=0;i<20;i++) printf("%ld\\n",s[i]); return 0; }`;
    const [x, y] = runBoth('ar_colsum', functionText, driver);
    expect(y).toBe(x);
  });

  test.each([
    ['ar_reads', 'y', /y\[0\] \(line \d+\) is not a `\+=` update/],
    ['ar_triangle', 'y', /the bounds of loop L1\.1 use r, which loop L1 changes/],
    ['ar_shifted', 'y', /the subscript of y\[c \+ 1\] \(line \d+\) is not a loop index/],
    ['ar_normal', 'tmp', /tmp\[r\] \(line \d+\) is not a `\+=` update/],
  ])('refused: %s (%s)', (fn, array, why) => {
    const p = plan(fn, [{ loop: 'L1', action: 'parallel-for' }], [ar('L1', array)]);
    const errors = checkPlan(stateOf(fn), p).errors;
    expect(errors.some((e) => why.test(e)), errors.join('\n')).toBe(true);
  });

  test('refused where another pointer may be the array (no restrict, no noalias); legal with noalias', () => {
    const p = plan('ar_alias', [{ loop: 'L1', action: 'parallel-for' }], [ar('L1', 'y')]);
    expect(checkPlan(stateOf('ar_alias', false), p).errors.join('\n')).toMatch(/A\[r \* n \+ c\] \(line \d+\) may alias y/);
    expect(checkPlan(stateOf('ar_alias', true), p).errors).toEqual([]);
  });

  test('refused unless the loop is a plain parallel-for, and without the transform the loop is still refused', () => {
    const s = stateOf('ar_normal');
    expect(checkPlan(s, plan('ar_normal', [{ loop: 'L1', action: 'simd' }], [ar('L1', 'y')])).errors.join('\n')).toMatch(/the loop's action must be parallel-for/);
    expect(checkPlan(s, plan('ar_normal', [{ loop: 'L1', action: 'parallel-for' }])).errors.join('\n')).toMatch(/carries a dependence on y/);
  });

  test('the analyzer proposes it when a loop is blocked only by such sums', () => {
    const c = candidatesFor(stateOf('ar_normal')).find((x) => x.label === 'analyzer:array-reduction');
    expect(c).toBeDefined();
    expect((c!.plan as Plan).transforms).toContainEqual(ar('L1', 'y'));
    expect(checkPlan(stateOf('ar_normal'), c!.plan as Plan).ok).toBe(true);
  });
});
