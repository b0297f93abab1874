// The plan format: what a proposer (the analyzer or a model) asks the generator to
// do to a kernel. Versioned; validated against schemas/plan.schema.json.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { ReductionOp } from '../analysis/reductions.js';

export const PLAN_VERSION = 1;

export type LoopAction = 'parallel-for' | 'simd' | 'parallel-for-simd' | 'none';

export interface LoopPlan {
  /** Loop id of the original kernel (L1, L1.2); '<id>:point' for the point loop of a tiled loop; '<id>:moved' for a loop accumulated in its output. */
  loop: string;
  action: LoopAction;
  private?: string[];
  firstprivate?: string[];
  lastprivate?: string[];
  reduction?: { op: ReductionOp; vars: string[] }[];
  collapse?: number;
  schedule?: { kind: 'static' | 'dynamic' | 'guided'; chunk?: number };
  /** C expression over parameters: parallel only when true (e.g. 'n > 64'). */
  ifThreshold?: string;
  /** Arrays whose reduction updates in this loop are made atomic. */
  atomic?: string[];
  /**
   * Selection (argmin/argmax) reduction: `if (... E < value) { value = E; index = i; }`.
   * Each thread scans its part from the initial (value, index); results combine by
   * better value, ties to the lower index (the serial result).
   */
  select?: {
    op: 'min' | 'max';
    value: string;
    index: string;
    /**
     * Only in an owner-computes round: each thread scans its block with this many
     * independent (value, index) pairs over interleaved elements, combined like the
     * threads' results. One pair is a chain of dependent compare-and-selects (gcc
     * if-converts it); several pairs run side by side.
     */
    lanes?: number;
  };
}

export type Transform =
  | { kind: 'restrict-params' }
  | { kind: 'interchange'; loop: string; with: string }
  | { kind: 'tile'; loop: string; size: number }
  | { kind: 'hoist-parallel-region'; loop: string }
  /**
   * Loop distribution of an imperfect nest: the loop's leading statements (before its
   * single inner loop) move into their own copy of the loop, placed first; the id then
   * names the copy that holds the inner loop, which is perfectly nested afterwards
   * (so it can be interchanged or tiled).
   */
  | { kind: 'distribute'; loop: string }
  /**
   * Scalar replacement: `array`'s element updated in `loop` (its subscript invariant
   * there) lives in a scalar across the loop: `{ T <array>_acc = e; for ... <array>_acc += ...; e = <array>_acc; }`.
   * The scalar is named `<array>_acc` (plus `_` while that name is taken) and may be
   * named in the loop's clauses (e.g. `simd reduction(+:C_acc)`).
   */
  | { kind: 'scalar-replace'; loop: string; array: string }
  /**
   * Accumulation in the output (analysis/accumulate.ts): the loop's body is
   * `T acc = init; <perfect reduction loops>; A[g(x)] = h(acc);`. The element A[g(x)]
   * takes the accumulator's place and the loop moves below the reduction loops:
   * `for x A[g] = init; for r.. for x {body}; for x A[g] = h(A[g]);`. '<id>:moved'
   * names the moved copy (simd only).
   */
  | { kind: 'accumulate-in-output'; loop: string }
  /**
   * Unroll and jam (analysis/unroll-jam.ts): the loop's body is `T acc = init; for k
   * acc op= f; <statements>`; `factor` iterations run together, their accumulators
   * updated in one k loop, their statements after it in order; a remainder loop
   * finishes. Per-accumulator order unchanged.
   */
  | { kind: 'unroll-and-jam'; loop: string; factor: number }
  /**
   * Array reduction (analysis/array-reduction.ts): the parallel-for loop's only carried
   * dependence is `array[c] += ...` over a range of `array`; each thread adds into its own
   * zeroed copy of the range (on the heap), and the copies are added into `array` after
   * the loop, in thread order. The original loop runs instead when the copies cannot be
   * allocated.
   */
  | { kind: 'array-reduction'; loop: string; array: string }
  /**
   * Idempotent store (analysis/idempotent-store.ts): the parallel-for loop's only carried
   * dependence is `if (array[x] == d) array[x] = c;` with one loop-invariant c (graph
   * search levels, visited marks). The array's loads and stores become relaxed atomics;
   * scalars the loop only sets to one invariant value become `|`-combined flags; the
   * loop's other tests of the array must not tell d from c, which its `if()` clause
   * checks on entry (otherwise it runs on one thread, in order).
   */
  | { kind: 'idempotent-store'; loop: string; array: string }
  /**
   * Precomputed term (analysis/precompute-term.ts): the floating-point expression of array
   * elements at `index` that the parallel loop evaluates (`rank[u] / outdeg[u]` per edge) is
   * evaluated once per element into a table before the loop (in parallel, over the arrays'
   * spec length), and the loop reads the table; the expression itself where the table cannot
   * be allocated.
   */
  | { kind: 'precompute-term'; loop: string; index: string }
  /**
   * Invariant loads (analysis/load-invariant.ts): reads of the loop's body that are the same
   * in every iteration are loaded into locals (`<array>_inv`) before the loop, when it runs at
   * least once. With an interchange of the loop and its child, over the child's body (the
   * loop is then innermost).
   */
  | { kind: 'load-invariant'; loop: string }
  /**
   * Checked blocks (analysis/checked-blocks.ts): every iteration of the parallel-for loop
   * writes its own block `A[b*M + offset]` of each array it writes; an inspection before the
   * loop (the body's offset slice, run once) checks every offset is in [0, M), and the
   * loop's if() clause runs it on one thread, in order, when one is not.
   */
  | { kind: 'checked-blocks'; loop: string }
  /**
   * Owner-computes rounds (analysis/owner-computes.ts), with hoist-parallel-region of the same
   * round loop and its selection: every thread owns a fixed block of the selection's range,
   * scans only that, and runs the rest of each round itself, storing only the elements it
   * owns; one barrier per round.
   */
  | { kind: 'owner-computes'; loop: string };

export interface Plan {
  version: 1;
  kernel: string;
  loops: LoopPlan[];
  transforms?: Transform[];
  /** Free-form remarks for people (what a variant changes, e.g. that simd reassociates a sum). */
  notes?: string[];
}

export const PLAN_SCHEMA_PATH = new URL('../../schemas/plan.schema.json', import.meta.url);

let validator: ((x: unknown) => boolean) & { errors?: { instancePath: string; message?: string }[] | null } | undefined;

export function planSchema(): object {
  return JSON.parse(readFileSync(PLAN_SCHEMA_PATH, 'utf8')) as object;
}

/** Checks the shape of a plan (not its legality: see analysis/legality.ts). */
export function validatePlan(x: unknown): { ok: true; plan: Plan } | { ok: false; errors: string[] } {
  if (!validator) {
    const require = createRequire(import.meta.url);
    const AjvModule = require('ajv') as { default?: new (o: object) => { compile(s: object): typeof validator } } & (new (o: object) => { compile(s: object): typeof validator });
    const Ajv = AjvModule.default ?? AjvModule;
    validator = new Ajv({ allErrors: true, strict: false }).compile(planSchema());
  }
  if (validator!(x)) return { ok: true, plan: x as Plan };
  return { ok: false, errors: (validator!.errors ?? []).map((e) => `plan${e.instancePath} ${e.message ?? 'is invalid'}`) };
}
