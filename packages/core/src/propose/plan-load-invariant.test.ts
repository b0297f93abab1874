// Invariant loads (reads a loop does not change loaded into locals before it, when it runs at
// least once): on its own and over the inner body of an interchanged pair (the i-k-j product),
// run against the original (bitwise), the refusals, and the analyzer's distribute-interchange
// variant that carries it.
import { describe, expect, test } from 'vitest';
import { checkPlan } from '../analysis/legality.js';
import { candidatesFor } from './analyzer.js';
import { validatePlan, type Plan } from './plan.js';
import { applyPlan } from './plan-apply.js';
import { plan, runBoth, stateOf } from './locality-corpus.testkit.js';

const li = (loop: string) => ({ kind: 'load-invariant' as const, loop });

describe('invariant loads', () => {
  test('a row scale: s[i] loaded before the simd j loop, only when it runs; bitwise the original', () => {
    const s = stateOf('li_scale');
    const p = plan('li_scale', [{ loop: 'L1', action: 'parallel-for' }, { loop: 'L1.1', action: 'simd' }], [li('L1.1')]);
    expect(validatePlan(p).ok).toBe(true);
    expect(checkPlan(s, p).errors).toEqual([]);
    const { functionText } = applyPlan(s, p);
    expect(functionText).toMatch(/\{\n\s*const double s_inv = \(0 < n\) \? s\[i\] : \(double\)0;\n\s*(\{\n\s*)?#pragma omp simd\n\s*for \(int j = 0; j < n; j\+\+\)\n\s*y\[i \* n \+ j\] \*= s_inv;\n\s*\}/);
    for (const [m, n] of [[5, 0], [1, 1], [37, 29]]) {
      const driver = `int main(void){ static double s[40], y[40*40]; for(int i=0;i<40;i++) s[i]=1.0/(i+3); for(int i=0;i<40*40;i++) y[i]=sin(i); li_scale(${m},${n},s,y); for(int i=0;i<40*40;i++) printf("%.17g\\n",y[i]); return 0; }`;
      const [a, b] = runBoth('li_scale', functionText, driver);
      expect(b).toBe(a);
    }
  });

  test('over the inner body of an interchanged pair: A[i][k] loaded per k in the i-k-j product; bitwise the original', () => {
    const s = stateOf('gemm_init');
    const p = plan('gemm_init', [{ loop: 'L1', action: 'parallel-for' }, { loop: 'L1.1', action: 'simd' }], [
      { kind: 'distribute', loop: 'L1.1' }, { kind: 'interchange', loop: 'L1.1', with: 'L1.1.1' }, li('L1.1'),
    ]);
    expect(checkPlan(s, p).errors).toEqual([]);
    const { functionText } = applyPlan(s, p);
    expect(functionText).toContain('const double A_inv = (0 < n) ? A[IDX(i, k, n)] : (double)0;');
    expect(functionText).toContain('C[IDX(i, j, n)] += A_inv * B[IDX(k, j, n)];');
    for (const n of [0, 1, 7, 33]) {
      const driver = `int main(void){ static double A[40*40], B[40*40], C[40*40]; for(int i=0;i<40*40;i++){A[i]=sin(i);B[i]=cos(i);C[i]=-1;} gemm_init(${n},A,B,C); for(int i=0;i<40*40;i++) printf("%.17g\\n",C[i]); return 0; }`;
      const [a, b] = runBoth('gemm_init', functionText, driver);
      expect(b).toBe(a);
    }
  });

  test("refused where the loop's stores may alias the read (no noalias), and for the inner loop of an interchanged pair", () => {
    expect(checkPlan(stateOf('li_scale', false), plan('li_scale', [], [li('L1.1')])).errors.join('\n')).toMatch(/no read in its body is the same in every iteration/);
    const p = plan('gemm_init', [{ loop: 'L1', action: 'parallel-for' }], [
      { kind: 'distribute', loop: 'L1.1' }, { kind: 'interchange', loop: 'L1.1', with: 'L1.1.1' }, li('L1.1.1'),
    ]);
    expect(checkPlan(stateOf('gemm_init'), p).errors.join('\n')).toMatch(/only the outer loop of an interchanged pair can load invariants/);
  });

  test("the analyzer's distribute-interchange variant loads A[i][k] once per k", () => {
    const c = candidatesFor(stateOf('gemm_init')).find((x) => x.label === 'analyzer:distribute-interchange');
    expect(c).toBeDefined();
    expect((c!.plan as Plan).transforms).toContainEqual(li('L1.1'));
    expect(c!.functionText).toContain('A_inv * B[IDX(k, j, n)]');
  });
});
