// Precomputed term (`sum += rank[u] / deg[u]` per edge -> a table of rank[w] / deg[w] per
// element filled before the loop, allocated around the outermost loop): the applied text run
// against the original (bitwise, on 3 threads, with zero degrees where the table holds inf),
// refusals with their reasons, and the analyzer's variant.
import { describe, expect, test } from 'vitest';
import { analyzeState } from '../analysis/analyze.js';
import { checkPlan } from '../analysis/legality.js';
import { extractKernels } from '../kernel/extract.js';
import type { KernelSpec } from '../spec/types.js';
import { candidatesFor } from './analyzer.js';
import { validatePlan, type Plan } from './plan.js';
import { applyPlan } from './plan-apply.js';
import { file, plan, runBoth, source, stateOf } from './locality-corpus.testkit.js';

const pt = (loop: string, index: string) => ({ kind: 'precompute-term' as const, loop, index });

/** The spec's arguments: the lengths are what the table covers. */
const pullSpec = (lengths: boolean): KernelSpec => ({
  name: 'pt_pull', source: file, sizes: { test: [{ n: 5 }], bench: { n: 5 } }, noalias: true,
  args: [
    { name: 'n', kind: 'scalar', type: 'int', value: 'n' },
    { name: 'steps', kind: 'scalar', type: 'int', value: 2 },
    { name: 'rowptr', kind: 'input', type: 'int', length: 'n+1' },
    { name: 'cols', kind: 'input', type: 'int', length: 'n*3' },
    { name: 'rank', kind: 'inout', type: 'double', length: lengths ? 'n' : 'g_nnz' },
    { name: 'deg', kind: 'input', type: 'int', length: 'n' },
    { name: 'out', kind: 'output', type: 'double', length: 'n' },
  ],
} as unknown as KernelSpec);
const pullState = (lengths = true) => analyzeState(extractKernels(source, file, ['pt_pull'])[0]!, pullSpec(lengths));

const pullDriver = (n: number) => `int main(void){
  enum { N = ${n} }; static int rowptr[N + 1], cols[3 * N], deg[N]; static double rank[N], out[N];
  unsigned x = 777u; rowptr[0] = 0;
  for (int v = 0; v < N; v++) { for (int k = 0; k < 3; k++) { x = x * 1103515245u + 12345u; cols[3 * v + k] = (int)((x >> 8) % N); } rowptr[v + 1] = 3 * v + 3; }
  for (int v = 0; v < N; v++) { deg[v] = v % 5; rank[v] = 1.0 / (v + 1); }
  pt_pull(N, 4, rowptr, cols, rank, deg, out);
  for (int v = 0; v < N; v++) printf("%.17g %.17g\\n", rank[v], out[v]);
  return 0; }`;

describe('precomputed term', () => {
  test('a pull loop in a time loop: the table allocated around the time loop, filled before the pull, read in it; the same values as the original', () => {
    const s = pullState();
    const p = plan('pt_pull', [{ loop: 'L1.1', action: 'parallel-for', schedule: { kind: 'guided', chunk: 16 } }], [pt('L1.1', 'u')]);
    expect(validatePlan(p).ok).toBe(true);
    expect(checkPlan(s, p).errors).toEqual([]);
    const { functionText } = applyPlan(s, p);
    expect(functionText).toMatch(/^#include <stdlib\.h>\n/);
    expect(functionText).toMatch(/\)\n\{\n    double \*rank_term = \(double \*\)malloc\(sizeof\(double\) \* \(size_t\)\(\(n\) > 0 \? \(n\) : 1\)\);\n\s*for \(int s = 0; s < steps; s\+\+\) \{/);
    expect(functionText).toMatch(/if \(rank_term\) \{\n\s*#pragma omp parallel for schedule\(static\)\n\s*for \(long rank_w = 0; rank_w < \(n\); rank_w\+\+\)\n\s*rank_term\[rank_w\] = 0\.5 \* rank\[rank_w\] \/ deg\[rank_w\];\n\s*\}\n\s*#pragma omp parallel for schedule\(guided, 16\)\n\s*for \(int v = 0; v < n; v\+\+\)/);
    expect(functionText).toContain('sum += (rank_term ? rank_term[u] : (0.5 * rank[u] / deg[u]));');
    expect(functionText).toMatch(/\n    \}\n    free\(rank_term\);\n\}$/);
    for (const n of [1, 6, 3000]) {
      const [a, b] = runBoth('pt_pull', functionText, pullDriver(n));
      expect(b).toBe(a);
    }
  });

  test('floats, a loop that is the body of an if: the table in a block of its own, of floats; the same values as the original', () => {
    const spec = { ...pullSpec(true), name: 'pt_if', args: [
      { name: 'n', kind: 'scalar', type: 'int', value: 'n' },
      { name: 'rowptr', kind: 'input', type: 'int', length: 'n+1' },
      { name: 'cols', kind: 'input', type: 'int', length: 'n*3' },
      { name: 'x', kind: 'input', type: 'float', length: 'n' },
      { name: 'w', kind: 'input', type: 'float', length: 'n' },
      { name: 'out', kind: 'output', type: 'float', length: 'n' },
    ] } as unknown as KernelSpec;
    const s = analyzeState(extractKernels(source, file, ['pt_if'])[0]!, spec);
    const p = plan('pt_if', [{ loop: 'L1', action: 'parallel-for' }], [pt('L1', 'u')]);
    expect(checkPlan(s, p).errors).toEqual([]);
    const { functionText } = applyPlan(s, p);
    expect(functionText).toMatch(/if \(n > 1\)\n\s*\{\n\s*float \*x_term = \(float \*\)malloc/);
    expect(functionText).toContain('x_term[x_w] = x[x_w] * w[x_w] + 1.5f;');
    expect(functionText).toMatch(/\n\s*free\(x_term\);\n\s*\}\n\}$/);
    const driver = `int main(void){ enum { N = 500 }; static int rowptr[N + 1], cols[3 * N]; static float x[N], w[N], out[N];
      rowptr[0] = 0; for (int v = 0; v < N; v++) { for (int k = 0; k < 3; k++) cols[3 * v + k] = (v * 7 + k * 131) % N; rowptr[v + 1] = 3 * v + 3; x[v] = 0.25f * v; w[v] = 1.0f / (v + 1); }
      pt_if(N, rowptr, cols, x, w, out); for (int v = 0; v < N; v++) printf("%.9g\\n", out[v]); return 0; }`;
    const [a, b] = runBoth('pt_if', functionText, driver);
    expect(b).toBe(a);
  });

  test('refused without a spec length in terms of the size parameters, and where the plan does not run the loop in parallel', () => {
    const p = plan('pt_pull', [{ loop: 'L1.1', action: 'parallel-for' }], [pt('L1.1', 'u')]);
    expect(checkPlan(pullState(false), p).errors.join('\n')).toMatch(/the spec gives no length for rank in terms of the kernel's size parameters/);
    expect(checkPlan(pullState(), plan('pt_pull', [], [pt('L1.1', 'u')])).errors.join('\n')).toMatch(/the loop's action must be parallel-for or parallel-for-simd/);
  });

  test.each([
    ['pt_int', 'L1', 'e', /no floating-point expression of the arrays at e/],
    ['pt_written', 'L1', 'u', /the loop writes x\[v\] \(line \d+\), which may be x/],
    ['pt_return', 'L1.1', 'u', /the loop nest L1 leaves at line \d+ \(return -1;\); the table around it would not be freed/],
  ])('refused: %s', (fn, loop, index, why) => {
    const p = plan(fn, [{ loop, action: 'parallel-for' }], [pt(loop, index)]);
    const errors = checkPlan(stateOf(fn), p).errors;
    expect(errors.some((e) => why.test(e)), errors.join('\n')).toBe(true);
  });

  test('the analyzer proposes it for a parallel loop that computes the term per inner iteration', () => {
    const c = candidatesFor(pullState()).find((x) => x.label === 'analyzer:precompute');
    expect(c).toBeDefined();
    expect((c!.plan as Plan).transforms).toContainEqual(pt('L1.1', 'u'));
    expect(checkPlan(pullState(), c!.plan as Plan).ok).toBe(true);
  });
});
