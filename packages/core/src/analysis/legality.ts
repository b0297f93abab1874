// The static legality gate for plans, ours or a model's. A plan is rejected before
// anything is compiled when it would run a loop in parallel (or as SIMD) across a
// dependence it does not cover, leave a written scalar shared, collapse loops that
// cannot be collapsed, or reorder loops against a dependence. Every reason names
// the loop (id and line) and what is wrong.
import type { LoopPlan, Plan, Transform } from '../propose/plan.js';
import { declaredName, descendants, statementsOf } from './ast.js';
import { parse } from '../kernel/parse.js';
import type { AnalysisState } from './analyze.js';
import { carriedAt, dirText, type DepVector } from './dependence.js';
import { escapesOf, perfectChild, isDescendant, type LoopNode } from './loops.js';
import { liveAfter } from './scalars.js';
import { declaratorsOf } from './context.js';
import { distributionParts, distributionProblem } from './distribute.js';
import { hoistedSelectionProblem, isUniformExit, isUniformExpression, parallelSelectionOf } from './selection.js';
import type { LoopFacts } from './types.js';
import { scalarReplacementOf, type ScalarReplacement } from './scalar-replace.js';
import { accumulationOf } from './accumulate.js';
import { unrollJamOf } from './unroll-jam.js';
import { arrayReductionOf } from './array-reduction.js';
import { idempotentStoreOf } from './idempotent-store.js';
import { precomputedTermOf } from './precompute-term.js';
import { invariantLoadsOf } from './load-invariant.js';
import { checkedBlocksOf } from './checked-blocks.js';
import { ownerComputesOf } from './owner-computes.js';

export interface LegalityResult {
  ok: boolean;
  errors: string[];
  warnings: string[];
  /**
   * The errors that rest only on dependences the analysis could not decide (non-affine
   * subscripts, pointers that may alias, rows that may overlap) rather than on proven ones.
   * Also unproven: a dependence with no exact distance at the loop (direction '*'), and
   * calls the analysis does not know (their effects, and so the classification of the
   * scalars around them, are guesses). A plan autopar applies must not have any of these;
   * a model's hand-written pragmas whose errors are all unproven are left to the race
   * detector and the differential test.
   */
  unproven: string[];
}

/** A tiled loop or pair: outer/inner in the order after the plan's interchanges; root is the pair's original outer loop. */
interface Band {
  outer: LoopNode;
  inner?: LoopNode;
  root?: LoopNode;
}

const PARALLEL: LoopPlan['action'][] = ['parallel-for', 'parallel-for-simd'];

export function checkPlan(state: AnalysisState, plan: Plan): LegalityResult {
  const errors: string[] = [];
  const warnings: string[] = [];
  const unproven: string[] = [];
  if (plan.version !== 1) errors.push(`plan version ${String(plan.version)} is not supported (expected 1)`);
  if (plan.kernel !== state.ctx.name) warnings.push(`plan names kernel ${plan.kernel}, analyzing ${state.ctx.name}`);
  const transforms = plan.transforms ?? [];
  const swapped = new Map<string, { outer: LoopNode; inner: LoopNode }>(); // by either id
  const tiled = new Map<string, Band>();
  const hoisted = new Set<string>();
  const distributed = new Set<string>();

  // Distribution first: it makes the nests that interchange and tile work on.
  for (const t of transforms) if (t.kind === 'distribute') checkDistribute(state, t.loop, transforms, errors, distributed);
  for (const t of transforms) if (t.kind !== 'distribute' && t.kind !== 'scalar-replace' && t.kind !== 'accumulate-in-output' && t.kind !== 'unroll-and-jam' && t.kind !== 'array-reduction' && t.kind !== 'idempotent-store' && t.kind !== 'precompute-term' && t.kind !== 'load-invariant' && t.kind !== 'checked-blocks' && t.kind !== 'owner-computes') checkTransform(state, t, plan, errors, swapped, tiled, hoisted, distributed);
  // Scalar replacement last: it must not be combined with a reordering of its loop.
  const replaced = new Map<string, ScalarReplacement[]>();
  for (const t of transforms) if (t.kind === 'scalar-replace') checkScalarReplace(state, t, plan, errors, replaced, distributed);

  // Accumulation in the output: its moved loop ('<id>:moved') is checked with the transform.
  const accumulated = new Set<string>();
  for (const t of transforms) if (t.kind === 'accumulate-in-output') checkAccumulate(state, t.loop, plan, errors, accumulated);
  for (const t of transforms) if (t.kind === 'unroll-and-jam') checkUnrollJam(state, t.loop, plan, errors);
  // Array reductions, idempotent stores and checked blocks: their arrays' dependences in
  // their loop are then the reduction's (per-thread copies), harmless (one value stored,
  // atomically) or absent whenever the loop runs in parallel (each iteration in its block).
  const rewritten = new Map<string, Set<string>>();
  const flags = new Map<string, string[]>();
  for (const t of transforms) if (t.kind === 'array-reduction' || t.kind === 'idempotent-store') checkInPlaceTransform(state, t, plan, errors, rewritten, flags);
  const precomputed = new Set<string>();
  for (const t of transforms) if (t.kind === 'precompute-term') checkPrecomputeTerm(state, t, plan, errors, precomputed);
  for (const t of transforms) if (t.kind === 'checked-blocks') checkCheckedBlocks(state, t, plan, errors, rewritten);
  const owners = new Set<string>();
  for (const t of transforms) if (t.kind === 'owner-computes') checkOwnerComputes(state, t, plan, errors, hoisted, owners);
  for (const lp of plan.loops) {
    if (lp.select?.lanes === undefined) continue;
    const l = resolve(state, lp.loop).loop;
    if (!l?.parent || !owners.has(l.parent.id)) errors.push(`${lp.loop}: select lanes only in the selection loop of an owner-computes round`);
    if (!Number.isInteger(lp.select.lanes) || lp.select.lanes < 2 || lp.select.lanes > 8) errors.push(`${lp.loop}: select lanes must be an integer from 2 to 8 (it is ${lp.select.lanes})`);
  }
  const loaded = new Set<string>();
  for (const t of transforms) if (t.kind === 'load-invariant') checkLoadInvariant(state, t, plan, errors, loaded);
  for (const lp of plan.loops) {
    if (lp.loop.endsWith(MOVED) && !accumulated.has(lp.loop.slice(0, -MOVED.length))) errors.push(`${lp.loop}: ${lp.loop.slice(0, -MOVED.length)} is not accumulated in its output (no accumulate-in-output transform), it has no moved loop`);
  }

  const actions = plan.loops.filter((l) => l.action !== 'none' && !l.loop.endsWith(MOVED));
  const seen = new Set<string>();
  for (const lp of actions) {
    if (seen.has(lp.loop)) errors.push(`${lp.loop}: more than one action for this loop`);
    seen.add(lp.loop);
  }
  for (const lp of actions) {
    const before = errors.length;
    checkLoopAction(state, lp, actions, swapped, tiled, hoisted, errors, warnings, distributed, replaced, unproven, rewritten, flags);
    // With an unknown call in the loop, what it reads and writes is unknown too: every
    // finding about this loop's scalars and arrays rests on a guess.
    const loop = resolve(state, lp.loop).loop;
    if (loop && (state.factsById.get(loop.id)?.impureCalls.length ?? 0) > 0) {
      for (const e of errors.slice(before)) if (!unproven.includes(e)) unproven.push(e);
    }
  }
  return { ok: errors.length === 0, errors, warnings, unproven };
}

const MOVED = ':moved';

/**
 * accumulate-in-output of a loop: legal by accumulationOf, and the loop's subtree is
 * generated as a whole, so no other transform may name it, a loop inside it or a loop
 * around it (they would move or cut the text it replaces), and no action may name a
 * loop inside it except its moved copy, which may only be `simd` (no clauses: the
 * element is per-lane by construction).
 */
function checkAccumulate(state: AnalysisState, id: string, plan: Plan, errors: string[], accumulated: Set<string>): void {
  const loop = state.loopById.get(id);
  if (!loop) return void errors.push(`accumulate-in-output: no loop ${id} in ${state.ctx.name}`);
  const where = `accumulate-in-output ${label(loop)}`;
  if (accumulated.has(id)) return void errors.push(`${where}: named twice`);
  const r = accumulationOf(state, loop);
  if (!r.ok) return void errors.push(r.reason);
  for (const lp of plan.loops) {
    if (lp.action === 'none' || lp.loop !== `${id}${MOVED}`) continue;
    if (lp.action !== 'simd') errors.push(`${lp.loop}: the moved loop runs inside the reduction loops; only simd is allowed there, not ${lp.action}`);
    if (lp.private?.length || lp.firstprivate?.length || lp.lastprivate?.length || lp.reduction?.length || lp.atomic?.length || lp.select || (lp.collapse ?? 1) > 1) errors.push(`${lp.loop}: the moved loop takes no clauses (each lane updates its own element)`);
  }
  const own = (plan.transforms ?? []).find((t) => t.kind === 'accumulate-in-output' && t.loop === id)!;
  errors.push(...regeneratedNestProblems(state, loop, own, plan, where, (lp) => lp.loop === `${id}${MOVED}`));
  accumulated.add(id);
}

/**
 * array-reduction or idempotent-store of an array in a loop: legal by arrayReductionOf or
 * idempotentStoreOf; the loop must be a plain parallel-for of its own (no collapse, simd,
 * atomics, selection, no hoisted region around it, no transform that moves it or a loop
 * inside it): its accesses of the array are rewritten in place. Records the flags an
 * idempotent store turns into `|`-combined ones (their clauses are generated).
 */
function checkInPlaceTransform(
  state: AnalysisState, t: Extract<Transform, { kind: 'array-reduction' | 'idempotent-store' }>, plan: Plan, errors: string[],
  done: Map<string, Set<string>>, flags: Map<string, string[]>,
): void {
  const loop = state.loopById.get(t.loop);
  if (!loop) return void errors.push(`${t.kind}: no loop ${t.loop} in ${state.ctx.name}`);
  const where = `${t.kind} of ${t.array} ${label(loop)}`;
  if (done.get(loop.id)?.has(`${t.kind}:${t.array}`)) return void errors.push(`${where}: named twice`);
  const r = t.kind === 'array-reduction' ? arrayReductionOf(state, loop, t.array) : idempotentStoreOf(state, loop, t.array);
  if (!r.ok) return void errors.push(r.reason);
  const lp = plan.loops.find((l) => l.loop === loop.id);
  if (!lp || lp.action !== 'parallel-for') errors.push(`${where}: the loop's action must be parallel-for (it is ${lp?.action ?? 'none'})`);
  else if ((lp.collapse ?? 1) > 1 || lp.atomic?.length || lp.select) errors.push(`${where}: the loop takes no collapse, atomic or selection`);
  else if ((lp.reduction ?? []).some((x) => x.vars.includes(t.array))) errors.push(`${where}: ${t.array} is also named in a reduction clause`);
  if (lp && 'store' in r) {
    const named = [...(lp.private ?? []), ...(lp.firstprivate ?? []), ...(lp.lastprivate ?? []), ...(lp.reduction ?? []).flatMap((x) => x.vars)];
    const clash = r.store.flags.find((f) => named.includes(f.name));
    if (clash) errors.push(`${where}: ${clash.name} is only set to ${clash.valueText} in the loop; it becomes a flag combined after the loop and takes no clause`);
    flags.set(loop.id, [...(flags.get(loop.id) ?? []), ...r.store.flags.map((f) => f.name)]);
  }
  errors.push(...combinationProblems(state, loop, t, plan, where));
  done.set(loop.id, new Set([...(done.get(loop.id) ?? []), `${t.kind}:${t.array}`]));
}

/**
 * A transform that rewrites accesses in its loop in place and wraps it in code of its own: no
 * hoisted region around it, and no transform of another kind that moves or regenerates the
 * loop, a loop inside it or a loop around it.
 */
function combinationProblems(state: AnalysisState, loop: LoopNode, t: Transform, plan: Plan, where: string): string[] {
  const out: string[] = [];
  for (const o of plan.transforms ?? []) {
    if (o.kind === 'restrict-params' || o.kind === t.kind) continue;
    if (o.kind === 'hoist-parallel-region') {
      const h = state.loopById.get(o.loop);
      if (h && (h === loop || isDescendant(loop, h))) out.push(`${where}: cannot sit in the hoisted parallel region of ${h.id}`);
      continue;
    }
    const named = [o.loop, ...(o.kind === 'interchange' ? [o.with] : [])].map((x) => state.loopById.get(x)).filter((x): x is LoopNode => x !== undefined);
    const n = named.find((x) => x === loop || isDescendant(x, loop) || isDescendant(loop, x));
    if (n) out.push(`${where}: cannot be combined with ${o.kind} of ${n.id} (its accesses are rewritten in place)`);
  }
  return out;
}

/**
 * owner-computes of a round loop: legal by ownerComputesOf, only inside the hoisted region of
 * that loop, with its selection loop's select action; the code of the rest of the round is
 * generated by the transform, so no other action or transform may name a loop in it.
 */
function checkOwnerComputes(state: AnalysisState, t: Extract<Transform, { kind: 'owner-computes' }>, plan: Plan, errors: string[], hoisted: Set<string>, done: Set<string>): void {
  const loop = state.loopById.get(t.loop);
  if (!loop) return void errors.push(`owner-computes: no loop ${t.loop} in ${state.ctx.name}`);
  const where = `owner-computes ${label(loop)}`;
  if (done.has(loop.id)) return void errors.push(`${where}: named twice`);
  done.add(loop.id);
  if (!hoisted.has(loop.id)) return void errors.push(`${where}: needs hoist-parallel-region of ${loop.id} (the owners are the threads of that region)`);
  const r = ownerComputesOf(state, loop);
  if (!r.ok) return void errors.push(r.reason);
  const scan = r.owner.scan;
  for (const lp of plan.loops) {
    if (lp.action === 'none') continue;
    const target = resolve(state, lp.loop).loop;
    if (!target || !(target === loop || isDescendant(target, loop))) continue;
    if (target === scan) {
      if (!lp.select) errors.push(`${where}: the selection loop ${scan.id} must keep its select action`);
      continue;
    }
    errors.push(`${where}: ${lp.loop} must have no action (the transform writes the loops of the round itself)`);
  }
  if (!plan.loops.some((lp) => lp.select && resolve(state, lp.loop).loop === scan)) errors.push(`${where}: the selection loop ${scan.id} needs its select action`);
  for (const o of plan.transforms ?? []) {
    if (o === t || o.kind === 'restrict-params' || (o.kind === 'hoist-parallel-region' && o.loop === loop.id)) continue;
    const named = [o.loop, ...(o.kind === 'interchange' ? [o.with] : [])].map((x) => state.loopById.get(x)).filter((x): x is LoopNode => x !== undefined);
    const n = named.find((x) => x === loop || isDescendant(x, loop) || isDescendant(loop, x));
    if (n) errors.push(`${where}: cannot be combined with ${o.kind} of ${n.id}`);
  }
}

/**
 * checked-blocks of a loop: legal by checkedBlocksOf (the iterations' blocks are then
 * disjoint whenever the inspection lets the loop run in parallel); the loop must be a plain
 * parallel-for (no collapse, atomics or selection) and combine with nothing that moves it.
 */
function checkCheckedBlocks(state: AnalysisState, t: Extract<Transform, { kind: 'checked-blocks' }>, plan: Plan, errors: string[], done: Map<string, Set<string>>): void {
  const loop = state.loopById.get(t.loop);
  if (!loop) return void errors.push(`checked-blocks: no loop ${t.loop} in ${state.ctx.name}`);
  const where = `checked-blocks ${label(loop)}`;
  if ([...(done.get(loop.id) ?? [])].some((k) => k.startsWith('checked-blocks:'))) return void errors.push(`${where}: named twice`);
  const r = checkedBlocksOf(state, loop);
  if (!r.ok) return void errors.push(r.reason);
  const lp = plan.loops.find((l) => l.loop === loop.id);
  if (!lp || lp.action !== 'parallel-for') errors.push(`${where}: the loop's action must be parallel-for (it is ${lp?.action ?? 'none'})`);
  else if ((lp.collapse ?? 1) > 1 || lp.atomic?.length || lp.select) errors.push(`${where}: the loop takes no collapse, atomic or selection`);
  errors.push(...combinationProblems(state, loop, t, plan, where));
  done.set(loop.id, new Set([...(done.get(loop.id) ?? []), ...r.blocks.arrays.map((a) => `checked-blocks:${a}`)]));
}

/**
 * load-invariant of a loop: legal by invariantLoadsOf, over the child's body when the plan
 * interchanges the loop with its child; no transform that regenerates or tiles the loop, a
 * loop around it or one inside it, and not directly in a hoisted region (the loads would run
 * on every thread of the region; harmless, but the region's single blocks do not expect them).
 */
function checkLoadInvariant(state: AnalysisState, t: Extract<Transform, { kind: 'load-invariant' }>, plan: Plan, errors: string[], done: Set<string>): void {
  const loop = state.loopById.get(t.loop);
  if (!loop) return void errors.push(`load-invariant: no loop ${t.loop} in ${state.ctx.name}`);
  const where = `load-invariant ${label(loop)}`;
  if (done.has(loop.id)) return void errors.push(`${where}: named twice`);
  done.add(loop.id);
  let inner: LoopNode | undefined;
  for (const o of plan.transforms ?? []) {
    if (o.kind !== 'interchange' || (o.loop !== loop.id && o.with !== loop.id)) continue;
    const other = state.loopById.get(o.loop === loop.id ? o.with : o.loop);
    if (other?.parent !== loop) return void errors.push(`${where}: only the outer loop of an interchanged pair can load invariants (over the inner one's body)`);
    inner = other;
  }
  for (const o of plan.transforms ?? []) {
    if (o.kind === 'restrict-params' || o.kind === 'interchange' || o.kind === 'distribute' || o.kind === 'load-invariant') continue;
    if (o.kind === 'hoist-parallel-region') {
      if (loop.parent?.id === o.loop) errors.push(`${where}: cannot sit directly in the hoisted parallel region of ${o.loop}`);
      continue;
    }
    const n = state.loopById.get(o.loop);
    if (n && (n === loop || n === inner || isDescendant(n, loop) || isDescendant(loop, n))) errors.push(`${where}: cannot be combined with ${o.kind} of ${n.id} (it rewrites or regenerates the loop)`);
  }
  const r = invariantLoadsOf(state, loop, inner);
  if (!r.ok) errors.push(r.reason);
}

/**
 * precompute-term of a loop: legal by precomputedTermOf; the loop must be a parallel loop of
 * the plan (its table is filled by a parallel loop just before it, under the same if()), once
 * per index, and combine with nothing that moves it (combinationProblems).
 */
function checkPrecomputeTerm(state: AnalysisState, t: Extract<Transform, { kind: 'precompute-term' }>, plan: Plan, errors: string[], done: Set<string>): void {
  const loop = state.loopById.get(t.loop);
  if (!loop) return void errors.push(`precompute-term: no loop ${t.loop} in ${state.ctx.name}`);
  const where = `precompute-term over ${t.index} ${label(loop)}`;
  if (done.has(`${loop.id}:${t.index}`)) return void errors.push(`${where}: named twice`);
  done.add(`${loop.id}:${t.index}`);
  const r = precomputedTermOf(state, loop, t.index);
  if (!r.ok) return void errors.push(r.reason);
  const lp = plan.loops.find((l) => l.loop === loop.id);
  if (!lp || !PARALLEL.includes(lp.action)) errors.push(`${where}: the loop's action must be parallel-for or parallel-for-simd (it is ${lp?.action ?? 'none'}); the table is filled in parallel just before it`);
  else if (lp.select) errors.push(`${where}: the loop takes no selection`);
  errors.push(...combinationProblems(state, loop, t, plan, where));
}

/** Transforms and actions that would cut into a subtree the plan regenerates as a whole (accumulate-in-output, unroll-and-jam). */
function regeneratedNestProblems(state: AnalysisState, loop: LoopNode, own: Transform, plan: Plan, where: string, allowed: (lp: LoopPlan) => boolean): string[] {
  const out: string[] = [];
  const related = (n: LoopNode) => n === loop || isDescendant(n, loop) || isDescendant(loop, n);
  for (const o of plan.transforms ?? []) {
    if (o === own || o.kind === 'restrict-params' || o.kind === 'hoist-parallel-region') continue;
    const named = [o.loop, ...(o.kind === 'interchange' ? [o.with] : [])].map((x) => state.loopById.get(x)).filter((x): x is LoopNode => x !== undefined);
    const n = named.find(related);
    if (n) out.push(`${where}: cannot be combined with ${o.kind} of ${n.id} (the loop nest is regenerated as a whole)`);
  }
  for (const lp of plan.loops) {
    if (lp.action === 'none' || allowed(lp)) continue;
    const target = resolve(state, lp.loop.replace(/:moved$/, '')).loop;
    if (!target) continue;
    if (target === loop || isDescendant(target, loop)) out.push(`${where}: ${lp.loop} is inside the regenerated nest`);
    else if (isDescendant(loop, target) && loop.depth - target.depth < (lp.collapse ?? 1)) out.push(`${where}: collapse(${lp.collapse}) of ${target.id} reaches into the regenerated nest`);
  }
  return out;
}

/** unroll-and-jam of a loop: legal by unrollJamOf; its subtree is regenerated as a whole and takes no actions. */
function checkUnrollJam(state: AnalysisState, id: string, plan: Plan, errors: string[]): void {
  const loop = state.loopById.get(id);
  if (!loop) return void errors.push(`unroll-and-jam: no loop ${id} in ${state.ctx.name}`);
  const own = (plan.transforms ?? []).find((t) => t.kind === 'unroll-and-jam' && t.loop === id)!;
  if ((plan.transforms ?? []).filter((t) => t.kind === 'unroll-and-jam' && t.loop === id).length > 1) return void errors.push(`unroll-and-jam ${label(loop)}: named twice`);
  const r = unrollJamOf(state, loop);
  if (!r.ok) return void errors.push(r.reason);
  errors.push(...regeneratedNestProblems(state, loop, own, plan, `unroll-and-jam ${label(loop)}`, () => false));
}

function label(loop: LoopNode): string {
  return `loop ${loop.id} (line ${loop.line}${loop.index ? `, index ${loop.index}` : ''})`;
}

/** Resolves 'L1.2' or 'L1.2:point' to the original loop. */
function resolve(state: AnalysisState, ref: string): { loop?: LoopNode; point: boolean } {
  const point = ref.endsWith(':point');
  return { loop: state.loopById.get(point ? ref.slice(0, -':point'.length) : ref), point };
}

function checkDistribute(state: AnalysisState, id: string, transforms: Transform[], errors: string[], distributed: Set<string>): void {
  const loop = state.loopById.get(id);
  if (!loop) return void errors.push(`distribute: no loop ${id} in ${state.ctx.name}`);
  if (distributed.has(id)) return void errors.push(`distribute ${label(loop)}: distributed twice`);
  const problem = distributionProblem(state, loop);
  if (problem) return void errors.push(`distribute ${label(loop)}: ${problem}`);
  for (const t of transforms) {
    if (t.kind !== 'hoist-parallel-region') continue;
    const h = state.loopById.get(t.loop);
    if (h && isDescendant(loop, h)) return void errors.push(`distribute ${label(loop)}: cannot distribute inside the hoisted parallel region of ${h.id} (the leading copy would run on every thread)`);
  }
  distributed.add(id);
}

/** The loop nested in `loop` once the plan's distributions are done: perfect child, or the main loop of a distributed one. */
export function nestedChild(loop: LoopNode, distributed: Set<string>): LoopNode | undefined {
  const pc = perfectChild(loop);
  // A distributed child becomes two loops: its parent is no longer a perfect nest.
  if (pc) return distributed.has(pc.id) ? undefined : pc;
  return distributed.has(loop.id) ? distributionParts(loop)?.main : undefined;
}

/**
 * Scalar replacement of `array` in a loop: legal by scalarReplacementOf (invariant
 * element, nothing else in the loop touches it, no impure call), and the loop keeps
 * its place and shape: it is not interchanged, tiled or distributed, nor in a band or
 * a hoisted region's body (the generated load and store sit right around it).
 */
function checkScalarReplace(
  state: AnalysisState, t: Extract<Transform, { kind: 'scalar-replace' }>, plan: Plan, errors: string[],
  replaced: Map<string, ScalarReplacement[]>, distributed: Set<string>,
): void {
  const loop = state.loopById.get(t.loop);
  if (!loop) return void errors.push(`scalar-replace: no loop ${t.loop} in ${state.ctx.name}`);
  const where = `scalar-replace ${t.array} in ${label(loop)}`;
  if ((replaced.get(loop.id) ?? []).some((r) => r.array === t.array)) return void errors.push(`${where}: replaced twice`);
  const r = scalarReplacementOf(state, loop, t.array);
  if (!r.ok) return void errors.push(r.reason);
  for (const o of plan.transforms ?? []) {
    if (o.kind === 'restrict-params' || o.kind === 'scalar-replace') continue;
    const named = [o.loop, ...(o.kind === 'interchange' ? [o.with] : [])].map((id) => state.loopById.get(id)).filter((x): x is LoopNode => x !== undefined);
    for (const n of named) {
      const inside = n === loop || isDescendant(n, loop);
      if ((o.kind === 'interchange' || o.kind === 'distribute') && inside) return void errors.push(`${where}: the loop (or one inside it) is also ${o.kind === 'interchange' ? 'interchanged' : 'distributed'}; the element would no longer be invariant`);
      if (o.kind === 'tile' && (inside || n === loop.parent)) return void errors.push(`${where}: cannot be combined with a tile of ${n.id} (the loop would be strip-mined)`);
      if (o.kind === 'hoist-parallel-region' && (n === loop || n === loop.parent)) return void errors.push(`${where}: cannot sit directly in the hoisted region of ${n.id}`);
    }
  }
  void distributed;
  for (const lp of plan.loops) {
    const target = resolve(state, lp.loop).loop;
    if (!target) continue;
    if (target === loop && lp.select) errors.push(`${where}: a selection loop cannot be scalar-replaced`);
    if ((target === loop || isDescendant(loop, target)) && (lp.atomic ?? []).includes(t.array)) errors.push(`${where}: ${target.id} makes updates of ${t.array} atomic, but they become updates of the scalar`);
  }
  replaced.set(loop.id, [...(replaced.get(loop.id) ?? []), r.replacement]);
}

/** Replacements that hold inside `target` (the loop replaced is `target` or encloses it). */
function replacementsAt(replaced: Map<string, ScalarReplacement[]>, target: LoopNode): ScalarReplacement[] {
  const out: ScalarReplacement[] = [];
  for (let l: LoopNode | undefined = target; l; l = l.parent) out.push(...(replaced.get(l.id) ?? []));
  return out;
}

function checkTransform(
  state: AnalysisState, t: Transform, plan: Plan, errors: string[],
  swapped: Map<string, { outer: LoopNode; inner: LoopNode }>, tiled: Map<string, Band>, hoisted: Set<string>,
  distributed: Set<string>,
): void {
  if (t.kind === 'distribute' || t.kind === 'scalar-replace') return;
  if (t.kind === 'restrict-params') {
    const unmarked = state.ctx.params.filter((p) => p.pointerDepth > 0 && !p.restrict);
    if (unmarked.length && !state.ctx.noalias) {
      errors.push(`restrict-params: the spec does not declare noalias, so ${unmarked.map((p) => p.name).join(', ')} may overlap; adding restrict would be unsound`);
    }
    return;
  }
  const loop = state.loopById.get(t.loop);
  if (!loop) {
    errors.push(`${t.kind}: no loop ${t.loop} in ${state.ctx.name}`);
    return;
  }
  if (t.kind === 'interchange') {
    const other = state.loopById.get(t.with);
    if (!other) return void errors.push(`interchange: no loop ${t.with}`);
    const [outer, inner] = other.parent === loop ? [loop, other] : loop.parent === other ? [other, loop] : [undefined, undefined];
    if (!outer || !inner) return void errors.push(`interchange ${t.loop} with ${t.with}: the loops are not directly nested`);
    const problem = nestProblem(state, outer, inner, distributed);
    if (problem) return void errors.push(`interchange ${label(outer)} with ${label(inner)}: ${problem}`);
    const bad = state.dependences(outer).find((v) => v.loops[1] === inner && reversedBySwap(v));
    if (bad) return void errors.push(`interchange ${label(outer)} with ${label(inner)} would reverse the dependence ${depText(bad)}`);
    if (swapped.has(outer.id) || swapped.has(inner.id)) return void errors.push(`interchange: ${outer.id} is interchanged twice`);
    if (tiled.has(outer.id) || tiled.has(inner.id)) return void errors.push(`interchange ${outer.id} with ${inner.id}: list the interchange before the tile of the same loops`);
    swapped.set(outer.id, { outer, inner });
    swapped.set(inner.id, { outer, inner });
    return;
  }
  if (t.kind === 'tile') {
    if (!loop.canonical || loop.step !== 1) return void errors.push(`tile ${label(loop)}: only canonical increasing loops with step 1 can be tiled`);
    const sw = swapped.get(loop.id);
    if (sw && loop === sw.inner) {
      // Tile the interchanged pair in its new order (e.g. i-k-j's k and j): the band
      // (new outer, new inner) is strip-mined into tile loops around point loops.
      // Legal when the band is fully permutable: no dependence has opposite
      // directions at the two loops ('<' at one and '>' at the other), which is the
      // interchange check already passed; both loops must also step by 1.
      if (!sw.outer.canonical || sw.outer.step !== 1) return void errors.push(`tile ${label(loop)}: ${sw.outer.id} must step by 1 to be tiled with it`);
      if (tiled.has(loop.id) || tiled.has(sw.outer.id)) return void errors.push(`tile ${loop.id}: the pair is tiled twice`);
      const bad = state.dependences(sw.outer).find((v) => v.loops[1] === sw.inner && !fullyPermutable(v));
      if (bad) return void errors.push(`tile ${label(loop)} with ${label(sw.outer)}: the band is not fully permutable, dependence ${depText(bad)}`);
      const band = { outer: sw.inner, inner: sw.outer, root: sw.outer };
      tiled.set(loop.id, band);
      tiled.set(sw.outer.id, band);
      for (const l of [band.outer, band.inner]) {
        if (!l.declaresIndex && liveAfter(state.ctx, l, l.index!)) errors.push(`tile ${label(l)}: the final value of ${l.index} is used after the loop`);
      }
      return;
    }
    if (sw) return void errors.push(`tile ${loop.id}: after interchange ${loop.id} is the inner loop of the pair; tile ${sw.inner.id} (now outer) to tile the interchanged pair`);
    const child = nestedChild(loop, distributed);
    if (child && !nestProblem(state, loop, child, distributed) && child.step === 1) {
      const bad = state.dependences(loop).find((v) => v.loops[1] === child && reversedBySwap(v));
      if (bad) return void errors.push(`tile ${label(loop)} with ${label(child)} would reorder the dependence ${depText(bad)}`);
      tiled.set(loop.id, { outer: loop, inner: child });
      tiled.set(child.id, { outer: loop, inner: child });
    } else tiled.set(loop.id, { outer: loop });
    // Tiled loops declare their indices in their own headers; a value used after the loop would be lost.
    for (const l of [tiled.get(loop.id)!.outer, tiled.get(loop.id)!.inner]) {
      if (l && !l.declaresIndex && liveAfter(state.ctx, l, l.index!)) errors.push(`tile ${label(l)}: the final value of ${l.index} is used after the loop`);
    }
    return;
  }
  // hoist-parallel-region
  // Early exits are allowed when every thread takes them alike (checked per statement below).
  if (!loop.canonical && !loop.canonicalHeader) return void errors.push(`hoist-parallel-region ${label(loop)}: the time loop must be canonical`);
  if (loop.body.type !== 'compound_statement') return void errors.push(`hoist-parallel-region ${label(loop)}: the loop body must be a block`);
  const own = plan.loops.find((l) => l.loop === loop.id && l.action !== 'none');
  if (own) return void errors.push(`hoist-parallel-region ${label(loop)}: the time loop itself cannot also be ${own.action}`);
  // The value and index of a selection directly in the body are per-thread by design (every
  // thread combines the same blocks alike); any other declaration would be a copy per thread.
  const selected = new Set<string>();
  for (const lp of plan.loops) {
    const target = lp.select ? resolve(state, lp.loop).loop : undefined;
    if (target?.parent === loop) selected.add(lp.select!.value).add(lp.select!.index);
  }
  for (const s of statementsOf(loop.body)) {
    if (s.type === 'declaration') {
      const names = declaratorsOf(s).map((d) => declaredName(d));
      const uniform = declaratorsOf(s).every((d) => d.type !== 'init_declarator' || isUniformExpression(state, d.childForFieldName('value')!));
      if (names.every((n) => n !== undefined && selected.has(n)) && uniform) continue;
      return void errors.push(`hoist-parallel-region ${label(loop)}: a declaration directly in the time-loop body (line ${s.startPosition.row + 1}) would become per-thread`);
    }
    if (isUniformExit(state, s, selected)) continue;
    // A region cannot be left early, and a single block cannot be left at all.
    for (const e of escapesOf(s)) errors.push(`hoist-parallel-region ${label(loop)}: ${e.text.replace(/;$/, '')} (line ${e.startPosition.row + 1}) would leave the parallel region; only \`if (C) break;\` on a selection's combined result may end the time loop`);
  }
  for (const lp of plan.loops) {
    if (!PARALLEL.includes(lp.action)) continue;
    const target = resolve(state, lp.loop).loop;
    if (!target || !isDescendant(target, loop)) continue;
    if (target.parent !== loop) errors.push(`hoist-parallel-region ${label(loop)}: parallel loop ${target.id} must be directly in the time-loop body`);
  }
  hoisted.add(loop.id);
}


/** Why outer/inner cannot be reordered or collapsed as a rectangular perfect nest, or undefined. */
function nestProblem(state: AnalysisState, outer: LoopNode, inner: LoopNode, distributed: Set<string> = new Set()): string | undefined {
  if (!outer.canonical || !inner.canonical) return 'both loops must be canonical';
  if (nestedChild(outer, distributed) !== inner) {
    const hint = distributionParts(outer) ? '; a distribute transform of the outer loop could move them out' : '';
    return `${inner.id} is not perfectly nested in ${outer.id} (other statements in between${hint})`;
  }
  if (!rectangularTo(state, inner, outer)) return `the bounds of ${inner.id} depend on the index of ${outer.id}`;
  return undefined;
}

/** Direction sets at a 2-loop band allow no (<,>) or (>,<) pair: any order of the band's iterations is legal. */
function fullyPermutable(v: DepVector): boolean {
  return !reversedBySwap(v);
}

/** A dependence whose direction at (outer, inner) is (<,>) or (>,<) is reversed by swapping them. */
function reversedBySwap(v: DepVector): boolean {
  const a = v.dirs[0]!;
  const b = v.dirs[1]!;
  return (a.has('<') && b.has('>')) || (a.has('>') && b.has('<'));
}

function depText(v: DepVector): string {
  const arr = v.a.base.name === v.b.base.name ? v.a.base.name : `${v.a.base.name}/${v.b.base.name}`;
  return `on ${arr} between ${v.a.text} (line ${v.a.line}) and ${v.b.text} (line ${v.b.line}), direction ${dirText(v)}${v.cause !== 'subscripts' ? ` (${v.cause})` : ''}`;
}

/**
 * Dependences that make running `target` in parallel illegal: carried by it when
 * the loops in `fixedOuter` are at equal iterations (vectors rooted at `root`).
 */
function blocking(state: AnalysisState, root: LoopNode, target: LoopNode, fixedOuter: LoopNode[]): DepVector[] {
  if (root === target) return state.dependences(target).filter((v) => carriedAt(v, 0));
  return state.dependences(root).filter((v) => {
    const k = v.loops.indexOf(target);
    if (k < 0) return false;
    const d = v.dirs[k]!;
    if (!d.has('<') && !d.has('>')) return false;
    return fixedOuter.every((o) => {
      const j = v.loops.indexOf(o);
      return j < 0 || v.dirs[j]!.has('=');
    });
  });
}

function checkLoopAction(
  state: AnalysisState, lp: LoopPlan, actions: LoopPlan[],
  swapped: Map<string, { outer: LoopNode; inner: LoopNode }>, tiled: Map<string, Band>, hoisted: Set<string>,
  errors: string[], warnings: string[], distributed: Set<string> = new Set(), replaced: Map<string, ScalarReplacement[]> = new Map(),
  unproven: string[] = [], rewritten: Map<string, Set<string>> = new Map(), flags: Map<string, string[]> = new Map(),
): void {
  const { loop, point } = resolve(state, lp.loop);
  if (!loop) return void errors.push(`${lp.loop}: no such loop in ${state.ctx.name} (loops: ${state.loops.map((l) => l.id).join(', ') || 'none'})`);
  const where = label(loop);
  const facts = state.factsById.get(loop.id)!;
  if (point && !tiled.has(loop.id)) return void errors.push(`${lp.loop}: ${loop.id} is not tiled, it has no point loop`);
  if (!loop.canonical) return void errors.push(`${where}: ${facts.reasons[0] ?? 'not canonical'}`);
  for (const c of facts.impureCalls) {
    const message = `${where}: ${facts.reasons.find((r) => r.includes(c)) ?? `calls ${c}`}`;
    errors.push(message);
    unproven.push(message);
  }

  // Nesting of parallel constructs.
  for (const other of actions) {
    if (other === lp) continue;
    const o = resolve(state, other.loop).loop;
    if (!o || o === loop || !isDescendant(loop, o)) continue;
    if (PARALLEL.includes(lp.action) && PARALLEL.includes(other.action)) errors.push(`${where}: nested inside parallel loop ${o.id}; nested parallel regions are not allowed in a plan`);
    if (lp.action !== 'simd' || other.action === 'parallel-for') continue;
    errors.push(`${where}: simd nested inside the simd loop ${o.id}`);
  }

  // Which loops to test, in what frame (interchange and tile change the order).
  const collapse = lp.collapse ?? 1;
  const frames: { target: LoopNode; root: LoopNode; fixed: LoopNode[] }[] = [];
  const sw = swapped.get(loop.id);
  const tl = tiled.get(loop.id);
  if (sw && !(tl && tl.root)) {
    // After the swap the order is (inner, outer).
    const order = [sw.inner, sw.outer];
    const start = order.indexOf(loop);
    for (let k = 0; k < collapse; k++) {
      const t = order[start + k];
      if (!t) return void errors.push(`${where}: collapse(${collapse}) reaches past the interchanged pair`);
      frames.push({ target: t, root: sw.outer, fixed: order.slice(0, start + k).filter((x) => x !== t) });
    }
  } else if (tl && tl.inner) {
    // Tiled order: tile(outer), tile(inner), point(outer), point(inner). Tile loops can
    // always be at equal iterations, so only point loops count as fixed.
    const isOuter = loop === tl.outer;
    if (collapse > 2 || (collapse === 2 && (point || !isOuter))) return void errors.push(`${where}: only the two tile loops can be collapsed`);
    const root = tl.root ?? tl.outer;
    if (collapse === 2) {
      frames.push({ target: tl.outer, root, fixed: [] }, { target: tl.inner, root, fixed: [] });
    } else {
      frames.push({ target: loop, root, fixed: point && !isOuter ? [tl.outer] : [] });
    }
  } else {
    let cur: LoopNode = loop;
    const chain: LoopNode[] = [loop];
    for (let k = 1; k < collapse; k++) {
      const child = nestedChild(cur, distributed);
      if (!child) return void errors.push(`${where}: collapse(${collapse}) but ${cur.id} has no perfectly nested loop inside (only a single loop may make up its body)`);
      if (replaced.has(child.id)) return void errors.push(`${where}: collapse(${collapse}): ${child.id} is scalar-replaced, so the load and store around it leave ${cur.id} imperfectly nested`);
      const problem = nestProblem(state, cur, child, distributed);
      if (problem) return void errors.push(`${where}: collapse(${collapse}): ${problem}`);
      for (const outer of chain) {
        const f = state.factsById.get(child.id)!;
        void f;
        if (!rectangularTo(state, child, outer)) return void errors.push(`${where}: collapse(${collapse}): the bounds of ${child.id} depend on the index of ${outer.id}`);
      }
      chain.push(child);
      cur = child;
    }
    chain.forEach((t, k) => frames.push({ target: t, root: loop, fixed: chain.slice(0, k) }));
  }

  // A private copy of an enclosing loop's index is a new, uninitialised variable in every
  // thread or SIMD lane: `simd private(k)` on a j-loop inside the k-loop (after an
  // interchange, whose facts were computed with k written inside j) computes garbage.
  const enclosing = new Map<string, LoopNode>();
  for (let p = loop.parent; p; p = p.parent) if (p.index) enclosing.set(p.index, p);
  if (sw && loop === sw.outer && sw.inner.index) enclosing.set(sw.inner.index, sw.inner);
  if (tl && tl.inner && loop === tl.inner && tl.outer.index) enclosing.set(tl.outer.index, tl.outer);
  for (const v of [...(lp.private ?? []), ...(lp.lastprivate ?? [])]) {
    const e = enclosing.get(v);
    if (e && e !== loop) {
      errors.push(`${where}: private(${v}) gives every ${lp.action === 'simd' ? 'SIMD lane' : 'thread'} its own uninitialised ${v}, but ${v} is the index of the enclosing loop ${e.id} (line ${e.line}), read inside; leave it shared`);
    }
  }

  // Dependences
  const atomics = new Set(lp.atomic ?? []);
  const reductionVars = new Map<string, string>();
  for (const r of lp.reduction ?? []) for (const v of r.vars) reductionVars.set(v, r.op);
  for (const fr of frames) {
    const tf = state.factsById.get(fr.target.id)!;
    const scattered = new Set(tf.arrayReductions.map((r) => r.array));
    const scalarized = replacementsAt(replaced, fr.target);
    for (const v of blocking(state, fr.root, fr.target, fr.fixed)) {
      const arr = v.a.base.name;
      // Inside a replaced loop the element is the scalar: its dependences are the scalar's (checked below).
      if (scalarized.some((r) => r.accesses.includes(v.a) && r.accesses.includes(v.b))) continue;
      // Every thread adds into its own copy of a reduced array, or stores the one value (checkInPlaceTransform).
      const own = rewritten.get(loop.id);
      if (fr.target === loop && v.b.base.name === arr && (own?.has(`array-reduction:${arr}`) || own?.has(`idempotent-store:${arr}`) || own?.has(`checked-blocks:${arr}`))) continue;
      const coveredByReduction = v.a.base.name === v.b.base.name && scattered.has(arr) && v.cause === 'unknown-subscript';
      if (coveredByReduction && (atomics.has(arr) || reductionVars.has(arr))) continue;
      const message = coveredByReduction
        ? `${label(fr.target)}: race on ${arr}: updates ${v.a.text} (line ${v.a.line}) from different iterations may hit the same element; declare atomic: ["${arr}"] or an array reduction`
        : `${label(fr.target)} carries a dependence ${depText(v)}; running it ${lp.action === 'simd' ? 'as SIMD' : 'in parallel'} is illegal`;
      errors.push(message);
      const k = v.loops.indexOf(fr.target);
      if (v.cause !== 'subscripts' || v.distance[k] === undefined) unproven.push(message);
    }
  }
  if (lp.action === 'simd' && atomics.size) errors.push(`${where}: atomic updates are not allowed in a simd loop`);
  for (const a of atomics) {
    if (!facts.arraysWritten.includes(a)) errors.push(`${where}: atomic ${a}: the loop does not update ${a}`);
  }

  // Selection (argmin/argmax): its two scalars are combined by the generated code.
  let selected: string[] = [];
  if (lp.select) {
    const sel = parallelSelectionOf(state, loop);
    const inHoisted = loop.parent && hoisted.has(loop.parent.id) ? hoistedSelectionProblem(loop, lp.select) : undefined;
    if (lp.action !== 'parallel-for') errors.push(`${where}: a selection reduction needs action parallel-for`);
    else if (collapse !== 1 || sw || tl) errors.push(`${where}: a selection reduction loop cannot be collapsed, interchanged or tiled`);
    else if (inHoisted) errors.push(`${where}: in the hoisted parallel region of ${loop.parent!.id}: ${inHoisted}`);
    else if (!sel) errors.push(`${where}: not a selection loop \`if (... E < ${lp.select.value}) { ${lp.select.value} = E; ${lp.select.index} = ${loop.index}; }\` over an increasing loop whose only carried values are those two`);
    else if (sel.op !== lp.select.op || sel.value !== lp.select.value || sel.index !== lp.select.index) errors.push(`${where}: the loop is a ${sel.op} selection of ${sel.value} with index ${sel.index}, the plan declares ${lp.select.op} of ${lp.select.value}/${lp.select.index}`);
    else selected = [sel.value, sel.index];
  }

  // Scalars, checked on every loop whose body runs inside the construct.
  // After an interchange the new outer loop's body holds the old outer loop: check
  // the scalars of the whole pair, and the old outer index must be private too.
  if (sw && loop === sw.inner && lp.action !== 'none') {
    checkScalars(state, lp, sw.outer, [...frames.map((f) => f.target), sw.inner], hoisted, errors, loop, [], replaced);
    const oi = sw.outer.index!;
    if (!sw.outer.declaresIndex && !(lp.private ?? []).includes(oi) && !(lp.lastprivate ?? []).includes(oi)) {
      errors.push(`${where}: race on scalar ${oi}: after the interchange the index of ${sw.outer.id} is written inside the parallel loop but not private`);
    }
  } else {
    // Flags of an idempotent store are combined by the generated code, like a selection's scalars.
    checkScalars(state, lp, loop, frames.map((f) => f.target), hoisted, errors, loop, [...selected, ...(flags.get(loop.id) ?? [])], replaced);
  }

  // if clause
  if (lp.ifThreshold !== undefined) {
    const problem = ifProblem(state, lp.ifThreshold);
    if (problem) errors.push(`${where}: ifThreshold "${lp.ifThreshold}": ${problem}`);
  }
  if (lp.schedule && lp.action === 'simd') warnings.push(`${where}: schedule is ignored on a simd loop`);
}

function rectangularTo(state: AnalysisState, child: LoopNode, outer: LoopNode): boolean {
  const idx = `@${outer.id}`;
  const ps = [child.lo, ...(child.hi ?? [])];
  return ps.every((p) => p !== undefined && ![...p.keys()].some((m) => m.split('*').includes(idx)));
}

function checkScalars(
  state: AnalysisState, lp: LoopPlan, loop: LoopNode, collapsed: LoopNode[], _hoisted: Set<string>, errors: string[], shownAs: LoopNode = loop,
  selected: string[] = [], replaced: Map<string, ScalarReplacement[]> = new Map(),
): void {
  const all: LoopFacts = state.factsById.get(loop.id)!;
  const keep = (n: string) => !selected.includes(n);
  let f: LoopFacts = selected.length
    ? { ...all, scalarCarried: all.scalarCarried.filter((c) => keep(c.name)), privates: all.privates.filter(keep), lastprivates: all.lastprivates.filter(keep) }
    : all;
  // Scalars made by scalar replacement of a loop that is `loop` or encloses it: a
  // reduction where every update of the element is one, else carried.
  const made = replacementsAt(replaced, loop).filter((r) => r.accesses.some((a) => a.loops.includes(loop)));
  if (made.length) {
    f = { ...f, reductions: f.reductions.map((r) => ({ ...r, vars: [...r.vars] })), scalarCarried: [...f.scalarCarried] };
    for (const r of made) {
      if (r.op) {
        const same = f.reductions.find((x) => x.op === r.op);
        if (same) same.vars.push(r.name);
        else f.reductions.push({ op: r.op, vars: [r.name] });
      } else {
        f.scalarCarried.push({ name: r.name, reason: `${r.name} (replacing ${r.elementText}) is read and written in every iteration, not only as one reduction update, so its value flows from one iteration to the next` });
      }
    }
  }
  const madeNames = new Set(made.map((r) => r.name));
  const where = label(shownAs);
  const priv = new Set(lp.private ?? []);
  const first = new Set(lp.firstprivate ?? []);
  const last = new Set(lp.lastprivate ?? []);
  const red = new Map<string, string>();
  for (const r of lp.reduction ?? []) for (const v of r.vars) {
    if (red.has(v)) errors.push(`${where}: ${v} appears in two reductions`);
    red.set(v, r.op);
  }
  const autoPrivate = new Set(collapsed.map((c) => c.index!).filter(Boolean));
  const scattered = new Set(f.arrayReductions.map((r) => r.array));

  // Every name in a clause must exist.
  for (const name of [...priv, ...first, ...last, ...red.keys()]) {
    if (!state.ctx.vars.has(name) && !madeNames.has(name)) errors.push(`${where}: clause names ${name}, which is not a variable of ${state.ctx.name}`);
  }
  for (const c of f.scalarCarried) {
    if (red.has(c.name)) errors.push(`${where}: ${c.name} is not a ${red.get(c.name)} reduction: ${c.reason}`);
    else errors.push(`${where}: scalar ${c.reason}`);
  }
  const declaredReduction = new Map<string, string>();
  for (const r of f.reductions) for (const v of r.vars) declaredReduction.set(v, r.op);
  for (const [v, op] of declaredReduction) {
    if (!red.has(v)) errors.push(`${where}: race on ${v}: it is a ${op} reduction but the plan does not declare reduction(${op}:${v})`);
    else if (red.get(v) !== op) errors.push(`${where}: ${v} is a ${op} reduction, the plan declares reduction(${red.get(v)}:${v})`);
  }
  for (const [v, op] of red) {
    if (declaredReduction.has(v) || f.scalarCarried.some((c) => c.name === v)) continue;
    if (scattered.has(v)) continue; // array reduction over a section
    // A reduction variable is private to each thread: a scalar written before it is read in
    // every iteration and dead after the loop is privatized by it as well as by private(v).
    if (f.privates.includes(v)) continue;
    if (f.lastprivates.includes(v)) {
      errors.push(`${where}: reduction(${op}:${v}) privatizes ${v}, but ${v} is used after the loop and would get the combined value instead of the last iteration's (use lastprivate(${v}))`);
      continue;
    }
    errors.push(`${where}: reduction(${op}:${v}) but ${v} is not a ${op} reduction in this loop`);
  }
  for (const v of f.privates) {
    if (autoPrivate.has(v)) continue;
    if (!priv.has(v) && !first.has(v) && !last.has(v) && !red.has(v)) errors.push(`${where}: race on scalar ${v}: it is written in the loop but not private`);
  }
  for (const v of f.lastprivates) {
    if (autoPrivate.has(v) && v !== loop.index) continue;
    if (!last.has(v)) errors.push(`${where}: ${v} is used after the loop; it needs lastprivate(${v})`);
  }
  for (const v of priv) {
    if (f.shared.includes(v)) errors.push(`${where}: private(${v}) leaves ${v} uninitialized, but the loop reads its value from before the loop (use firstprivate or leave it shared)`);
    if (declaredReduction.has(v)) errors.push(`${where}: private(${v}) loses the ${declaredReduction.get(v)} reduction on ${v}`);
  }
  for (const v of [...first, ...last]) {
    if (declaredReduction.has(v)) errors.push(`${where}: ${v} is a reduction variable; it cannot be first/lastprivate`);
  }
}

/** Problems with an if-clause expression: must parse and use only parameters and literals. */
function ifProblem(state: AnalysisState, expr: string): string | undefined {
  const root = parse(`int __autopar_if = (${expr});`, 'c').rootNode;
  if (root.hasError) return 'not a C expression';
  const params = new Set(state.ctx.params.map((p) => p.name));
  for (const n of descendants(root)) {
    if (n.type !== 'identifier' || n.text === '__autopar_if') continue;
    if (!params.has(n.text) && !state.ctx.macros.has(n.text)) return `${n.text} is not a parameter of ${state.ctx.name}`;
  }
  if (/[=]/.test(expr.replace(/[<>!=]=/g, ''))) return 'assignments are not allowed';
  if (/\(/.test(expr.replace(/^\(|\)$/g, '')) && /\w\s*\(/.test(expr)) return 'calls are not allowed';
  return undefined;
}
