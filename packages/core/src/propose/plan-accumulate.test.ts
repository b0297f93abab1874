// Accumulation in the output (`for x { acc = init; <reduction loops>; A[g(x)] = h(acc); }`
// -> the element as the accumulator, x innermost): legal and refused cases, applied text
// that compiles and computes bitwise the same (with simd on the moved loop), and the
// analyzer's variant.
import { describe, expect, test } from 'vitest';
import { checkPlan } from '../analysis/legality.js';
import { candidatesFor } from './analyzer.js';
import { validatePlan, type Plan } from './plan.js';
import { applyPlan } from './plan-apply.js';
import { plan, runBoth, stateOf } from './locality-corpus.testkit.js';

const acc = (loop: string) => ({ kind: 'accumulate-in-output' as const, loop });
const pvDriver = `int main(void){ int n=23,d=19; static double p[23*23],V[23*19],nr[23],O[23*19]; for(int i=0;i<n*n;i++)p[i]=sin(i); for(int i=0;i<n*d;i++)V[i]=cos(3*i); for(int i=0;i<n;i++)nr[i]=1.5+i; acc_pv(n,d,p,V,nr,O); for(int i=0;i<n*d;i++) printf("%a\\n",O[i]); return 0; }`;
const windowDriver = `int main(void){ int n=11,w=17,k=3; static double in[13*20],f[9],out[11*17]; for(int i=0;i<13*20;i++)in[i]=sin(i); for(int i=0;i<9;i++)f[i]=cos(i); acc_window(n,w,k,in,f,out); for(int i=0;i<n*w;i++) printf("%a\\n",out[i]); return 0; }`;

describe('accumulate-in-output: legal cases', () => {
  test('P*V product: init, moved simd loop inside the j loop, final division; bitwise equal', () => {
    const s = stateOf('acc_pv');
    const p = plan('acc_pv', [{ loop: 'L1', action: 'parallel-for' }, { loop: 'L1.1:moved', action: 'simd' }], [acc('L1.1')]);
    expect(validatePlan(p).ok).toBe(true);
    expect(checkPlan(s, p).errors).toEqual([]);
    const { functionText } = applyPlan(s, p);
    expect(functionText).toMatch(/O\[i \* d \+ c\] = 0\.0;/);
    // p[i * n + j] does not change across c: loaded once per j, and only when the c loop runs.
    expect(functionText).toMatch(/if \(0 < d\) \{\n\s*for \(int j = 0; j < n; j\+\+\) \{\n\s*const double p_inv = p\[i \* n \+ j\];\n\s*#pragma omp simd\n\s*for \(int c = 0; c < d; c\+\+\) \{\n\s*O\[i \* d \+ c\] \+= p_inv \* V\[j \* d \+ c\];/);
    expect(functionText).toMatch(/O\[i \* d \+ c\] = O\[i \* d \+ c\] \/ norm\[i\];/);
    const [a, b] = runBoth('acc_pv', functionText, pvDriver);
    expect(b).toBe(a);
  });
  test('a 2-deep window with a local in the body and a non-zero init; the plain store needs no final loop', () => {
    const s = stateOf('acc_window');
    const p = plan('acc_window', [{ loop: 'L1', action: 'parallel-for' }, { loop: 'L1.1:moved', action: 'simd' }], [acc('L1.1')]);
    expect(checkPlan(s, p).errors).toEqual([]);
    const { functionText } = applyPlan(s, p);
    expect(functionText).toMatch(/out\[y \* w \+ x\] = 1\.0;/);
    expect(functionText).toMatch(/double t = in\[/);
    expect(functionText).not.toMatch(/out\[y \* w \+ x\] = out\[y \* w \+ x\];/);
    const [a, b] = runBoth('acc_window', functionText, windowDriver);
    expect(b).toBe(a);
  });
  test('the analyzer proposes it (unit stride once moved) and its plan passes the gate', () => {
    const c = candidatesFor(stateOf('acc_pv')).find((x) => x.label === 'analyzer:accumulate');
    expect(c).toBeDefined();
    expect((c!.plan as Plan).transforms).toContainEqual(acc('L1.1'));
    expect(checkPlan(stateOf('acc_pv'), c!.plan as Plan).ok).toBe(true);
  });
  test('reads that do not change across the moved loop are loaded once before it; conditional ones and those using body locals stay', () => {
    const s = stateOf('acc_invariant');
    const p = plan('acc_invariant', [{ loop: 'L1:moved', action: 'simd' }], [acc('L1')]);
    expect(checkPlan(s, p).errors).toEqual([]);
    const { functionText } = applyPlan(s, p);
    expect(functionText).toMatch(/if \(0 < n\) \{\n\s*for \(int j = 0; j < m; j\+\+\) \{\n\s*const int idx_inv = idx\[j\];\n\s*const double w_inv = w\[j\];\n/);
    expect(functionText).toMatch(/int t = idx_inv;/);
    expect(functionText).toMatch(/out\[i\] \+= w_inv \* a\[j \* n \+ i\] \+ \(i > j \? c\[j\] : 0\.5\) \+ w\[t\];/);
    for (const n of [0, 1, 13]) {
      const driver = `int main(void){ int n=${n},m=9; static double a[9*13],w[9],c[9],out[13]; static int idx[9]; for(int i=0;i<9*13;i++)a[i]=sin(i); for(int j=0;j<9;j++){w[j]=cos(j);c[j]=j*0.25;idx[j]=(j*4)%9;} acc_invariant(n,m,a,w,c,idx,out); for(int i=0;i<n;i++) printf("%a\\n",out[i]); return 0; }`;
      const [x, y] = runBoth('acc_invariant', functionText, driver);
      expect(y).toBe(x);
    }
  });
  test('a run-time stride (pooling): proposed, and bitwise equal with stride 1 and 2', () => {
    const s = stateOf('acc_pool');
    const c = candidatesFor(s).find((x) => x.label === 'analyzer:accumulate');
    expect(c).toBeDefined();
    for (const st of [1, 2]) {
      const driver = `int main(void){ int n=9,w=13,k=3,s=${st}; static double in[40*40],out[9*13]; for(int i=0;i<40*40;i++)in[i]=sin(7*i); acc_pool(n,w,k,s,in,out); for(int i=0;i<n*w;i++) printf("%a\\n",out[i]); return 0; }`;
      const [a, b] = runBoth('acc_pool', c!.functionText, driver);
      expect(b).toBe(a);
    }
  });
});

describe('accumulate-in-output: refused', () => {
  const refuse = (fn: string, loop: string, re: RegExp, loops: Plan['loops'] = [], more: Plan['transforms'] = []) => {
    const r = checkPlan(stateOf(fn), plan(fn, loops, [...more!, acc(loop)]));
    expect(r.ok).toBe(false);
    expect(r.errors.join()).toMatch(re);
  };
  test('the body reads the output (a carried anti dependence)', () => refuse('acc_reads_out', 'L1.1', /not independent/));
  test('a narrower output type', () => refuse('acc_narrow', 'L1.1', /O\[i \* n \+ c\] is float, the accumulator double/));
  test('reduction bounds that depend on the moved loop', () => refuse('acc_triangle', 'L1.1', /bounds of loop L1\.1\.1 use c/));
  test('continue in the reduction body', () => refuse('acc_continue', 'L1.1', /continue at line \d+ would apply to the moved loop/));
  test('a loop without the shape (gemm with C[i][j] updated in place)', () => refuse('gemm_init', 'L1.1', /is not `T acc = init|does not declare the accumulator/));
  test('the moved loop made parallel, or given clauses', () => {
    refuse('acc_pv', 'L1.1', /only simd is allowed there/, [{ loop: 'L1.1:moved', action: 'parallel-for' }]);
    refuse('acc_pv', 'L1.1', /takes no clauses/, [{ loop: 'L1.1:moved', action: 'simd', reduction: [{ op: '+', vars: ['acc'] }] }]);
  });
  test('an action inside the regenerated nest, a collapse into it, another transform on it', () => {
    refuse('acc_pv', 'L1.1', /inside the regenerated nest/, [{ loop: 'L1.1.1', action: 'simd' }]);
    refuse('acc_pv', 'L1.1', /collapse\(2\) of L1 reaches into the regenerated nest/, [{ loop: 'L1', action: 'parallel-for', collapse: 2 }]);
    refuse('acc_pv', 'L1.1', /cannot be combined with tile of L1/, [], [{ kind: 'tile', loop: 'L1', size: 8 }]);
  });
  test('a moved loop without the transform', () => {
    const r = checkPlan(stateOf('acc_pv'), plan('acc_pv', [{ loop: 'L1.1:moved', action: 'simd' }]));
    expect(r.errors.join()).toMatch(/no accumulate-in-output transform/);
  });
});
