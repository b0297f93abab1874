// Unroll and jam of dot-product loops (`for j { acc = init; for k acc += f; tail }`):
// legal and refused cases, applied text that compiles and computes bitwise the same for
// trip counts that are and are not multiples of the factor, and the analyzer's variant.
import { describe, expect, test } from 'vitest';
import { checkPlan } from '../analysis/legality.js';
import { candidatesFor } from './analyzer.js';
import { validatePlan, type Plan } from './plan.js';
import { applyPlan } from './plan-apply.js';
import { plan, runBoth, stateOf } from './locality-corpus.testkit.js';

const jam = (loop: string, factor = 4) => ({ kind: 'unroll-and-jam' as const, loop, factor });
const scoresDriver = (n: number) => `int main(void){ int n=${n},d=7; static double q[7],K[64*7],s[64]; double mx; for(int i=0;i<d;i++)q[i]=sin(i+1); for(int i=0;i<n*d;i++)K[i]=cos(5*i); jam_scores(n,d,q,K,s,&mx); for(int i=0;i<n;i++) printf("%a\\n",s[i]); printf("%a\\n",mx); return 0; }`;

describe('unroll-and-jam: legal cases', () => {
  test.each([[13], [16], [3]])('dot products with a running maximum, n = %i: four accumulators, tails in order, remainder loop; bitwise equal', (n) => {
    const s = stateOf('jam_scores');
    const p = plan('jam_scores', [], [jam('L1')]);
    expect(validatePlan(p).ok).toBe(true);
    expect(checkPlan(s, p).errors).toEqual([]);
    const { functionText } = applyPlan(s, p);
    expect(functionText).toMatch(/for \(; j \+ 3 < \(n\); j \+= 4\) \{/);
    expect(functionText).toMatch(/double dot_0 = 0\.0, dot_1 = 0\.0, dot_2 = 0\.0, dot_3 = 0\.0;/);
    expect(functionText).toMatch(/dot_3 \+= q\[k\] \* K\[\(j \+ 3\) \* d \+ k\];/);
    expect(functionText).toMatch(/for \(; j < n; j\+\+\) \{/);
    const [a, b] = runBoth('jam_scores', functionText, scoresDriver(n));
    expect(b).toBe(a);
  });
  test('factor 2 is accepted by the schema and the gate', () => {
    const p = plan('jam_scores', [], [jam('L1', 2)]);
    expect(validatePlan(p).ok).toBe(true);
    expect(checkPlan(stateOf('jam_scores'), p).ok).toBe(true);
  });
  test('the analyzer proposes it inside a parallel row loop (Q K^T: the Q row is read for four dot products); bitwise equal', () => {
    const c = candidatesFor(stateOf('jam_rows')).find((x) => x.label === 'analyzer:jam');
    expect(c).toBeDefined();
    expect((c!.plan as Plan).transforms).toContainEqual(jam('L1.1'));
    const driver = `int main(void){ int m=5,n=11,d=6; static double Q[5*6],K[11*6],S[5*11]; for(int i=0;i<m*d;i++)Q[i]=sin(i); for(int i=0;i<n*d;i++)K[i]=cos(2*i); jam_rows(m,n,d,Q,K,S); for(int i=0;i<m*n;i++) printf("%a\\n",S[i]); return 0; }`;
    const [a, b] = runBoth('jam_rows', c!.functionText, driver);
    expect(b).toBe(a);
  });
});

describe('unroll-and-jam: refused', () => {
  const refuse = (fn: string, loop: string, re: RegExp, loops: Plan['loops'] = []) => {
    const r = checkPlan(stateOf(fn), plan(fn, loops, [jam(loop)]));
    expect(r.ok).toBe(false);
    expect(r.errors.join()).toMatch(re);
  };
  test('a tail that writes what later dot products read', () => refuse('jam_feedback', 'L1', /x\[j\] \(line \d+\) is written after the inner loop and x\[k\] \(line \d+\) reads the same array/));
  test('a macro that names the unrolled index', () => refuse('jam_macro', 'L1', /macro KROW .* refers to j/));
  test('an action on the unrolled loop', () => refuse('jam_scores', 'L1', /inside the regenerated nest/, [{ loop: 'L1.1', action: 'simd', reduction: [{ op: '+', vars: ['dot'] }] }]));
  test('a loop without the shape', () => refuse('acc_pv', 'L1', /unroll-and-jam of loop L1 .*: /));
});
