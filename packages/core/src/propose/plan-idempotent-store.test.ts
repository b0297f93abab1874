// Idempotent store (`if (A[x] == d) { A[x] = c; flag = k; }` with one invariant c -> relaxed
// atomics, `|`-combined flags, and an `if()` clause checking that the loop's other tests of A
// cannot tell d from c): legal and refused cases, the applied text run against the original
// (integers: bitwise, on 3 threads), the run-time condition that keeps the loop in order, and
// the analyzer's variant.
import { describe, expect, test } from 'vitest';
import { checkPlan } from '../analysis/legality.js';
import { candidatesFor } from './analyzer.js';
import { validatePlan, type Plan } from './plan.js';
import { applyPlan } from './plan-apply.js';
import { plan, runBoth, stateOf } from './locality-corpus.testkit.js';

const is = (loop: string, array: string) => ({ kind: 'idempotent-store' as const, loop, array });

// A random graph of n vertices with 3 out-edges each; sweeps from vertex 0 until nothing is
// reached, printing every level and the flags; `start` is the first sweep's depth.
const sweepDriver = (n: number, start: number) => `int main(void){
  enum { N = ${n} }; static int rowptr[N + 1], cols[3 * N], level[N];
  unsigned x = 12345u; rowptr[0] = 0;
  for (int v = 0; v < N; v++) { for (int k = 0; k < 3; k++) { x = x * 1103515245u + 12345u; cols[3 * v + k] = (int)((x >> 8) % N); } rowptr[v + 1] = 3 * v + 3; }
  for (int v = 0; v < N; v++) level[v] = -1;
  level[0] = ${start};
  int depth = ${start}, found = 1;
  while (found && depth < ${start} + 64) { found = is_sweep(N, rowptr, cols, depth, level); printf("%d ", found); depth++; }
  for (int v = 0; v < N; v++) printf("%d\\n", level[v]);
  return 0; }`;

describe('idempotent store', () => {
  test('a search sweep: atomic loads and stores, the flag combined with |, the run-time condition in if(); the same levels as the original', () => {
    const s = stateOf('is_sweep');
    const p = plan('is_sweep', [{ loop: 'L1', action: 'parallel-for', schedule: { kind: 'dynamic', chunk: 4 } }], [is('L1', 'level')]);
    expect(validatePlan(p).ok).toBe(true);
    expect(checkPlan(s, p).errors).toEqual([]);
    const { functionText } = applyPlan(s, p);
    expect(functionText).toContain('int found_set = 0;');
    expect(functionText).toContain('#pragma omp parallel for reduction(|:found_set) schedule(dynamic, 4) if((((-1) == (depth)) == ((depth + 1) == (depth))))');
    expect(functionText).toContain('if (__atomic_load_n(&level[v], __ATOMIC_RELAXED) == depth)');
    expect(functionText).toContain('if (__atomic_load_n(&level[u], __ATOMIC_RELAXED) == -1) {');
    expect(functionText).toContain('__atomic_store_n(&level[u], depth + 1, __ATOMIC_RELAXED);');
    expect(functionText).toContain('found_set = 1;');
    expect(functionText).toMatch(/\n\s*if \(found_set\) found = 1;\n\s*\}/);
    for (const n of [1, 7, 5000]) {
      const [a, b] = runBoth('is_sweep', functionText, sweepDriver(n, 0));
      expect(b).toBe(a);
    }
    // depth = -1: the sweep tests for the guarded value itself; the if() clause keeps it on one thread, in order.
    const [a, b] = runBoth('is_sweep', functionText, sweepDriver(3000, -1));
    expect(b).toBe(a);
  });

  test('bytes, a guard written value-first, a flag with its own value (and untouched when no store runs)', () => {
    const s = stateOf('is_marks');
    const p = plan('is_marks', [{ loop: 'L1', action: 'parallel-for' }], [is('L1', 'mark')]);
    expect(checkPlan(s, p).errors).toEqual([]);
    const { functionText } = applyPlan(s, p);
    expect(functionText).toContain('if (0 == __atomic_load_n(&mark[t], __ATOMIC_RELAXED)) {');
    expect(functionText).toContain('if (hit_set) hit = 7;');
    const driver = (pre: number) => `int main(void){ static int t[300]; static unsigned char mark[500]; for(int i=0;i<300;i++)t[i]=(i*37)%500; for(int i=0;i<500;i++)mark[i]=${pre}; long h = is_marks(1000,300,t,mark,-5); printf("%ld\\n",h); for(int i=0;i<500;i++) printf("%d ",mark[i]); return 0; }`;
    for (const pre of [0, 1]) {
      const [a, b] = runBoth('is_marks', functionText, driver(pre));
      expect(b).toBe(a);
    }
  });

  test.each([
    ['is_else', /the guard at line \d+ has an else branch/],
    ['is_count', /the guarded block at line \d+ does more than store into level and set flags/],
    ['is_values', /the value stored at line \d+ uses v, which the loop changes/],
    ['is_sum', /level\[v\] \(line \d+\) is read other than in a comparison/],
    ['is_seen', /level\[v\] \(line \d+\) is tested for -1, which the stores change, outside a guard/],
  ])('refused: %s', (fn, why) => {
    const p = plan(fn, [{ loop: 'L1', action: 'parallel-for' }], [is('L1', 'level')]);
    const errors = checkPlan(stateOf(fn), p).errors;
    expect(errors.some((e) => why.test(e)), errors.join('\n')).toBe(true);
  });

  test('refused unless the loop is a plain parallel-for, with the flag in a clause, or without the transform', () => {
    const s = stateOf('is_sweep');
    expect(checkPlan(s, plan('is_sweep', [{ loop: 'L1', action: 'simd' }], [is('L1', 'level')])).errors.join('\n')).toMatch(/the loop's action must be parallel-for/);
    expect(checkPlan(s, plan('is_sweep', [{ loop: 'L1', action: 'parallel-for', lastprivate: ['found'] }], [is('L1', 'level')])).errors.join('\n')).toMatch(/found is only set to 1 in the loop; it becomes a flag/);
    const without = checkPlan(s, plan('is_sweep', [{ loop: 'L1', action: 'parallel-for' }])).errors.join('\n');
    expect(without).toMatch(/carries a dependence on level/);
    expect(without).toMatch(/found is assigned only on some paths/);
  });

  test('the analyzer proposes it when a loop is blocked only by such stores and flags', () => {
    const c = candidatesFor(stateOf('is_sweep')).find((x) => x.label === 'analyzer:idempotent-store');
    expect(c).toBeDefined();
    expect((c!.plan as Plan).transforms).toContainEqual(is('L1', 'level'));
    expect(checkPlan(stateOf('is_sweep'), c!.plan as Plan).ok).toBe(true);
  });
});
