// Checked blocks (each iteration of a batch loop writes its own block A[b*M + offset]; the
// body's offset slice runs once before the loop and the if() clause keeps the loop in order
// unless every offset is inside [0, M)): the applied text run against the original (bitwise,
// on 3 threads), a kernel whose offsets leave the block, refusals, the analyzer's variant.
import { describe, expect, test } from 'vitest';
import { checkPlan } from '../analysis/legality.js';
import { candidatesFor } from './analyzer.js';
import { validatePlan, type Plan } from './plan.js';
import { applyPlan } from './plan-apply.js';
import { plan, runBoth, stateOf } from './locality-corpus.testkit.js';

const cb = (loop: string) => ({ kind: 'checked-blocks' as const, loop });
const printAll = `for (int i = 0; i < 64 * 40 + 8; i++) printf("%.17g\\n", x[i]);`;

describe('checked blocks', () => {
  test('batch rows reversed through a row pointer with a helper: the slice checks i and mirror(i, m), the loop runs in parallel; bitwise the original', () => {
    const s = stateOf('cb_batch');
    const p = plan('cb_batch', [{ loop: 'L1', action: 'parallel-for', schedule: { kind: 'static' } }], [cb('L1')]);
    expect(validatePlan(p).ok).toBe(true);
    expect(checkPlan(s, p).errors).toEqual([]);
    const { functionText } = applyPlan(s, p);
    expect(functionText).toContain('int blocks_ok = 1;');
    expect(functionText).toContain('const long block_size = (m);');
    // The slice: the loop header, the helper call, the checks, no data statement.
    expect(functionText).toMatch(/if \(0 < batch\) \{ for \(int i = 0; i < m \/ 2; i\+\+\) \{ int j = mirror\(i, m\); if \(!\(\(\(i\)\) >= 0 && \(\(i\)\) < block_size\)\) blocks_ok = 0;/);
    expect(functionText).not.toMatch(/\{ for \(int i[^\n]*double t/);
    expect(functionText).toContain('#pragma omp parallel for schedule(static) if(blocks_ok)');
    for (const [m, batch] of [[0, 3], [1, 1], [7, 5], [64, 40]]) {
      const driver = `int main(void){ static double x[64 * 40 + 8]; for (int i = 0; i < 64 * 40 + 8; i++) x[i] = sin(i); cb_batch(${m}, ${batch}, x); ${printAll} return 0; }`;
      const [a, b] = runBoth('cb_batch', functionText, driver, 'static int mirror(int i, int m) { return m - 1 - i; }');
      expect(b).toBe(a);
    }
  });

  test('offsets that leave the block (shift > 0): the check clears the flag and the loop runs in order; bitwise the original either way', () => {
    const s = stateOf('cb_shift');
    const p = plan('cb_shift', [{ loop: 'L1', action: 'parallel-for', schedule: { kind: 'static', chunk: 1 } }], [cb('L1')]);
    expect(checkPlan(s, p).errors).toEqual([]);
    const { functionText } = applyPlan(s, p);
    expect(functionText).toContain('if (!(((i) + (shift)) >= 0 && ((i) + (shift)) < block_size)) blocks_ok = 0;');
    for (const shift of [0, 1, 3]) {
      const driver = `int main(void){ static double x[64 * 40 + 8]; for (int i = 0; i < 64 * 40 + 8; i++) x[i] = cos(i); cb_shift(64, 40, ${shift}, x); ${printAll} return 0; }`;
      const [a, b] = runBoth('cb_shift', functionText, driver);
      expect(b).toBe(a);
    }
  });

  test.each([
    ['cb_gather', /the offset of row\[idx\[i\]\] \(line \d+\) depends on memory \(idx\[i\]\)/],
    ['cb_cond', /a condition that depends on memory \(row\[i\]\)/],
    ['cb_sidefx', /a data statement changes k, which the offsets are computed with/],
  ])('refused: %s', (fn, why) => {
    const errors = checkPlan(stateOf(fn), plan(fn, [{ loop: 'L1', action: 'parallel-for' }], [cb('L1')])).errors;
    expect(errors.some((e) => why.test(e)), errors.join('\n')).toBe(true);
  });

  test('refused unless the loop is a plain parallel-for; without the transform the loop is refused', () => {
    const s = stateOf('cb_batch');
    expect(checkPlan(s, plan('cb_batch', [{ loop: 'L1', action: 'simd' }], [cb('L1')])).errors.join('\n')).toMatch(/the loop's action must be parallel-for/);
    expect(checkPlan(s, plan('cb_batch', [{ loop: 'L1', action: 'parallel-for' }])).ok).toBe(false);
  });

  test('the analyzer proposes it for a batch loop it cannot prove parallel', () => {
    const c = candidatesFor(stateOf('cb_batch')).find((x) => x.label === 'analyzer:checked-blocks');
    expect(c).toBeDefined();
    expect((c!.plan as Plan).transforms).toContainEqual(cb('L1'));
  });
});
