// Scalar replacement of array accumulators (`for k: C[e] += f(k)` -> a scalar across k):
// legality (legal and refused cases), applied text that compiles and computes bitwise the
// same without simd, and the simd-reduction variant (within tolerance).
import { describe, expect, test } from 'vitest';
import { checkPlan } from '../analysis/legality.js';
import { candidatesFor } from './analyzer.js';
import { validatePlan, type Plan } from './plan.js';
import { applyPlan } from './plan-apply.js';
import { plan, runBoth, spec, stateOf } from './locality-corpus.testkit.js';

const sr = (loop: string, array: string) => ({ kind: 'scalar-replace' as const, loop, array });
const gemmDriver = `int main(void){ int n=37; static double A[37*37],B[37*37],C[37*37]; for(int i=0;i<n*n;i++){A[i]=sin(i);B[i]=cos(3*i);} gemm_init(n,A,B,C); for(int i=0;i<n*n;i++) printf("%a\\n",C[i]); return 0; }`;

describe('scalar replacement: legal cases', () => {
  test('gemm (C[i][j] += A[i][k]*B[k][j] across k): applied without simd is bitwise equal', () => {
    const s = stateOf('gemm_init');
    const p = plan('gemm_init', [{ loop: 'L1', action: 'parallel-for' }], [{ kind: 'restrict-params' }, sr('L1.1.1', 'C')]);
    expect(validatePlan(p).ok).toBe(true);
    expect(checkPlan(s, p).errors).toEqual([]);
    const { functionText } = applyPlan(s, p);
    expect(functionText).toMatch(/double C_acc = C\[IDX\(i, j, n\)\];/);
    expect(functionText).toMatch(/C_acc \+= A\[IDX\(i, k, n\)\]/);
    expect(functionText).toMatch(/C\[IDX\(i, j, n\)\] = C_acc;/);
    const [a, b] = runBoth('gemm_init', functionText, gemmDriver);
    expect(b).toBe(a);
  });
  test('after the rewrite simd reduction on k is legal; without the transform or the reduction it is refused', () => {
    const s = stateOf('gemm_init');
    const simd = { loop: 'L1.1.1', action: 'simd' as const, reduction: [{ op: '+' as const, vars: ['C_acc'] }] };
    expect(checkPlan(s, plan('gemm_init', [{ loop: 'L1', action: 'parallel-for' }, simd], [sr('L1.1.1', 'C')])).errors).toEqual([]);
    const without = checkPlan(s, plan('gemm_init', [{ loop: 'L1', action: 'parallel-for' }, { loop: 'L1.1.1', action: 'simd' }]));
    expect(without.errors.join()).toMatch(/carries a dependence on C/);
    const noRed = checkPlan(s, plan('gemm_init', [{ loop: 'L1.1.1', action: 'simd' }], [sr('L1.1.1', 'C')]));
    expect(noRed.errors.join()).toMatch(/race on C_acc/);
    const { functionText } = applyPlan(s, plan('gemm_init', [{ loop: 'L1', action: 'parallel-for' }, simd], [sr('L1.1.1', 'C')]));
    expect(functionText).toMatch(/double C_acc = C\[IDX\(i, j, n\)\];\n\s*#pragma omp simd reduction\(\+:C_acc\)\n\s*for \(int k/);
    const [a, b] = runBoth('gemm_init', functionText, gemmDriver);
    const x = a.trim().split('\n').map(Number.parseFloat);
    const y = b.trim().split('\n').map(Number.parseFloat);
    expect(y.length).toBe(x.length);
    y.forEach((v, i) => expect(Math.abs(v - x[i]!)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(x[i]!))));
  });
  test('matrix-vector shapes: y[i] += A[i][k]*x[k] and mvt x1[i] = x1[i] + A[i][j]*y1[j] (no init: the loop provably runs)', () => {
    expect(checkPlan(stateOf('sr_matvec', false), plan('sr_matvec', [], [sr('L1.1', 'y')])).errors).toEqual([]);
    const s = stateOf('sr_mvt');
    const p = plan('sr_mvt', [{ loop: 'L1', action: 'parallel-for' }], [sr('L1.1', 'x1')]);
    expect(checkPlan(s, p).errors).toEqual([]);
    const { functionText } = applyPlan(s, p);
    expect(functionText).toMatch(/x1_acc = x1_acc \+ A\[i\]\[j\]/);
    const driver = `int main(void){ int n=29; static double x[29],A[29][29],y[29]; for(int i=0;i<n;i++){x[i]=cos(i);y[i]=sin(2*i);for(int j=0;j<n;j++)A[i][j]=sin(i*n+j);} sr_mvt(n,x,A,y); for(int i=0;i<n;i++) printf("%a\\n",x[i]); return 0; }`;
    const [a, b] = runBoth('sr_mvt', functionText, driver);
    expect(b).toBe(a);
  });
  test('CSR row sum into y[i] (possibly empty rows): legal because y[i] is stored just before; bitwise equal', () => {
    const s = stateOf('sr_rowsum');
    const p = plan('sr_rowsum', [{ loop: 'L1', action: 'parallel-for' }], [sr('L1.1', 'y')]);
    expect(checkPlan(s, p).errors).toEqual([]);
    const driver = `int main(void){ int n=9; int rp[10]={0,3,3,4,8,8,8,10,13,15}; double v[15],y[9]; for(int i=0;i<15;i++)v[i]=sin(i+1); sr_rowsum(n,rp,v,y); for(int i=0;i<n;i++) printf("%a\\n",y[i]); return 0; }`;
    const [a, b] = runBoth('sr_rowsum', applyPlan(s, p).functionText, driver);
    expect(b).toBe(a);
  });
  test('the analyzer proposes scalar-replace and scalar-replace-simd, with notes on reassociation', () => {
    const cands = candidatesFor(stateOf('gemm_init'));
    const byLabel = new Map(cands.map((c) => [c.label, c.plan as Plan]));
    expect(byLabel.has('analyzer:scalar-replace')).toBe(true);
    const simd = byLabel.get('analyzer:scalar-replace-simd')!;
    expect(simd).toBeDefined();
    expect(validatePlan(simd).ok).toBe(true);
    expect(simd.notes!.join(' ')).toMatch(/reassociates.*tolerance/);
  });
});

describe('scalar replacement: refused', () => {
  const refuse = (fn: string, loop: string, array: string, re: RegExp, noalias = true) => {
    const r = checkPlan(stateOf(fn, noalias), plan(fn, [], [sr(loop, array)]));
    expect(r.ok).toBe(false);
    expect(r.errors.join()).toMatch(re);
  };
  test('C[i] += C[k]*... in the k loop: C[k] may be the element', () => refuse('sr_self', 'L1.1', 'C', /C\[k\].*may touch the same element as C\[i\]/));
  test('another pointer that may alias the element (no restrict/noalias)', () => refuse('sr_alias', 'L1.1', 'y', /may alias y\[i\]/, false));
  test('a loop that may run zero times with no access before it', () => refuse('sr_zero_trip', 'L1.1', 'y', /may run zero times/));
  test('an impure call in the loop', () => refuse('sr_impure', 'L1.1', 'y', /calls printf/));
  test('a subscript that varies in the loop, and an array the loop does not write', () => {
    refuse('gemm_init', 'L1.1', 'C', /varies in the loop/);
    refuse('gemm_init', 'L1.1.1', 'A', /does not write A/);
  });
  test('combined with an interchange or tile of the loop, or a collapse into it', () => {
    const s = stateOf('gemm_init');
    const inter = checkPlan(s, plan('gemm_init', [], [{ kind: 'distribute', loop: 'L1.1' }, { kind: 'interchange', loop: 'L1.1', with: 'L1.1.1' }, sr('L1.1.1', 'C')]));
    expect(inter.errors.join()).toMatch(/interchanged/);
    const m = stateOf('sr_matvec');
    expect(checkPlan(m, plan('sr_matvec', [{ loop: 'L1', action: 'parallel-for', collapse: 2 }], [sr('L1.1', 'y')])).ok).toBe(false);
    expect(checkPlan(m, plan('sr_matvec', [], [{ kind: 'tile', loop: 'L1', size: 16 }, sr('L1.1', 'y')])).errors.join()).toMatch(/tile/);
  });
});
