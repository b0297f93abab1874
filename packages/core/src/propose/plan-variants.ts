// The analyzer's plans: a few sensible alternatives per kernel, all legal by the
// analysis. Which one is fastest is decided later by measurement, so this does
// not try to pick a single best one.
import type { AnalysisState } from '../analysis/analyze.js';
import type { SyntaxNode } from '../analysis/ast.js';
import { hoistedSelectionProblem, parallelSelectionOf, type Selection } from '../analysis/selection.js';
import { perfectChild, type LoopNode } from '../analysis/loops.js';
import { accumulateVariants, distributeInterchangeVariants, jamVariants } from './plan-locality.js';
import { checkPlan } from '../analysis/legality.js';
import { scalarReplacements } from '../analysis/scalar-replace.js';
import { arrayReductionOf } from '../analysis/array-reduction.js';
import { flagScalarsOf, idempotentStoreOf } from '../analysis/idempotent-store.js';
import { precomputedTermOf, termIndices } from '../analysis/precompute-term.js';
import { checkedBlocksOf } from '../analysis/checked-blocks.js';
import { isInside } from '../analysis/ast.js';
import type { LoopFacts } from '../analysis/types.js';
import { PLAN_VERSION, type LoopPlan, type Plan, type Transform } from './plan.js';

export interface PlanVariant {
  name: string;
  plan: Plan;
}

/** Clauses a parallel or simd loop needs, from its facts. */
export function clausesFor(f: LoopFacts, action: LoopPlan['action'], autoPrivate: string[] = []): LoopPlan {
  const lp: LoopPlan = { loop: f.id, action };
  const priv = f.privates.filter((v) => !autoPrivate.includes(v));
  if (priv.length) lp.private = priv;
  const last = f.lastprivates.filter((v) => !autoPrivate.includes(v) || v === f.indexVar);
  if (last.length) lp.lastprivate = last;
  if (f.reductions.length) lp.reduction = f.reductions.map((r) => ({ op: r.op, vars: [...r.vars] }));
  if (f.arrayReductions.length && action !== 'simd') lp.atomic = f.arrayReductions.map((r) => r.array);
  return lp;
}

/** Outermost parallel loops of each nest (a loop is skipped when an ancestor is chosen). */
function outermostParallel(state: AnalysisState): LoopNode[] {
  const out: LoopNode[] = [];
  const visit = (l: LoopNode) => {
    const f = state.factsById.get(l.id)!;
    if (f.parallel) out.push(l);
    else l.children.forEach(visit);
  };
  state.loops.filter((l) => !l.parent).forEach(visit);
  return out;
}

function scheduleFor(state: AnalysisState, loop: LoopNode): LoopPlan['schedule'] {
  const inner = state.loops.filter((l) => isDescendant(l, loop));
  // Data-dependent inner work (bounds read from memory: CSR rows, frontiers, or no
  // trip count at all): guided. Each iteration is cheap and uneven, and dynamic,16
  // grabs a chunk per 16 rows; measured on spmv (n = 200000, 8 nonzeros a row, 2
  // threads, one run): dynamic,16 1.2x slower than serial, guided and static 1.8x faster.
  const dataDependent = inner.some((l) => !l.canonical || [l.lo, ...(l.hi ?? [])].some((p) => !p));
  if (dataDependent) return { kind: 'guided', chunk: 16 };
  // Triangular inner work (bounds affine in this loop's index): every iteration costs a
  // whole inner loop, so small dynamic chunks balance it at a small relative cost;
  // guided would hand the first thread the heavy half of a decreasing triangle.
  const triangular = inner.some((l) => [l.lo, ...(l.hi ?? [])].some((p) => p && [...p.keys()].some((m) => m.includes(`@${loop.id}`))));
  if (triangular) return { kind: 'dynamic', chunk: 16 };
  return { kind: 'static' };
}

export function isDescendant(l: LoopNode, a: LoopNode): boolean {
  for (let p = l.parent; p; p = p.parent) if (p === a) return true;
  return false;
}

export function plan(state: AnalysisState, loops: LoopPlan[], transforms: Transform[]): Plan {
  const p: Plan = { version: PLAN_VERSION, kernel: state.ctx.name, loops };
  if (transforms.length) p.transforms = transforms;
  return p;
}

export function planVariants(state: AnalysisState): PlanVariant[] {
  const chosen = outermostParallel(state);
  const base: Transform[] = [];
  if (state.ctx.noalias && state.ctx.params.some((p) => p.pointerDepth > 0 && !p.restrict)) base.push({ kind: 'restrict-params' });
  const selections = selectionLoops(state, chosen);
  const reduced = inPlaceVariant(state, chosen, base, 'array-reduction');
  const stored = inPlaceVariant(state, chosen, base, 'idempotent-store');
  if (chosen.length === 0) {
    const inPlace = [reduced, stored, inPlaceVariant(state, chosen, base, 'checked-blocks')].filter((v): v is PlanVariant => v !== undefined);
    if (inPlace.length) {
      for (const v of inPlace) addIfThresholds(state, v.plan);
      return inPlace;
    }
    const out: PlanVariant[] = [];
    if (selections.length) out.push({ name: 'select', plan: plan(state, selections, base) });
    out.push(...hoistedSelectVariants(state, chosen, base, []));
    for (const v of out) addIfThresholds(state, v.plan);
    return out;
  }
  const facts = (l: LoopNode) => state.factsById.get(l.id)!;
  const outerLoops = (): LoopPlan[] => chosen.map((l) => {
    const lp = clausesFor(facts(l), 'parallel-for');
    lp.schedule = scheduleFor(state, l);
    return lp;
  });
  const variants: PlanVariant[] = [];

  // 1. outermost parallel loops
  variants.push({ name: 'outer', plan: plan(state, outerLoops(), base) });

  // 2. collapse(2) where the nest is perfect, rectangular and both loops are parallel
  let collapsed = false;
  const coll = chosen.map((l) => {
    const f = facts(l);
    const child = perfectChild(l);
    const lp = clausesFor(f, 'parallel-for', child?.index ? [child.index] : []);
    lp.schedule = scheduleFor(state, l);
    if (child && f.rectangularChild && facts(child).parallel) {
      lp.collapse = 2;
      collapsed = true;
    } else if (lp.private) lp.private = facts(l).privates;
    return lp;
  });
  if (collapsed) variants.push({ name: 'collapse2', plan: plan(state, coll, base) });

  // 3. simd on the innermost stride-1 parallel loop inside each chosen loop
  let simd = false;
  const withSimd: LoopPlan[] = [];
  for (const l of chosen) {
    const f = facts(l);
    if (l.children.length === 0 && f.stride1) {
      const lp = clausesFor(f, 'parallel-for-simd');
      lp.schedule = { kind: 'static' };
      withSimd.push(lp);
      simd = true;
      continue;
    }
    const lp = clausesFor(f, 'parallel-for');
    lp.schedule = scheduleFor(state, l);
    withSimd.push(lp);
    for (const inner of state.loops.filter((x) => isDescendant(x, l) && x.children.length === 0)) {
      const fi = facts(inner);
      if (fi.parallel && fi.stride1 && fi.arrayReductions.length === 0) {
        withSimd.push(clausesFor(fi, 'simd'));
        simd = true;
      }
    }
  }
  if (simd) variants.push({ name: 'simd', plan: plan(state, withSimd, base) });

  // 4. one parallel region around a time loop whose body is only parallel loops and simple statements
  const timeLoops = state.loops.filter((t) => {
    const ft = facts(t);
    if (ft.parallel || !t.canonical || t.body.type !== 'compound_statement') return false;
    if (t.children.length < 1 || !t.children.every((c) => chosen.includes(c))) return false;
    return !hasDirectDeclaration(t);
  });
  let hoistSimd: PlanVariant | undefined;
  if (timeLoops.length) {
    const loops = outerLoops();
    const hoists = timeLoops.map((t): Transform => ({ kind: 'hoist-parallel-region', loop: t.id }));
    variants.push({ name: 'hoist', plan: plan(state, loops, [...base, ...hoists]) });
    // 4''. the hoisted region with simd inner loops as well (stencil sweeps: one region, vector rows)
    if (simd) hoistSimd = { name: 'hoist-simd', plan: plan(state, withSimd.map((lp) => ({ ...lp })), [...base, ...hoists]) };
  } else {
    // 4'. interchange so that the innermost loop walks memory with stride 1
    const inter = interchangeVariant(state, chosen, base);
    if (inter) variants.push(inter);
  }
  const out = variants.slice(0, 4);
  if (hoistSimd && checkPlan(state, hoistSimd.plan).ok) out.push(hoistSimd);
  // 5. distribute + interchange (gemm shape: i-j-k with an init statement -> i-k-j), and tiled forms
  out.push(...distributeInterchangeVariants(state, chosen, base, outerLoops()));
  // 6. scalar replacement of array accumulators in inner loops (gemm/mvt shapes), with simd reductions
  out.push(...scalarReplaceVariants(state, chosen, base, outerLoops()));
  // 6'. accumulators moved into their output elements, the accumulating loop innermost
  const accumulated = accumulateVariants(state, chosen, base, collapsed ? [coll, outerLoops()] : [outerLoops()]);
  out.push(...accumulated);
  // 6''. dot-product loops unrolled and jammed, on the accumulate variant when there is one, else on the outer loops
  out.push(...jamVariants(state, chosen, accumulated.length ? accumulated : [{ name: 'outer', plan: plan(state, outerLoops(), base) }]));
  // 7. argmin/argmax selection loops made parallel (with the outer parallel loops)
  if (selections.length) out.push({ name: 'select', plan: plan(state, [...outerLoops(), ...selections], base) });
  // 7'. selections inside a serial time loop, in one region hoisted around it
  out.push(...hoistedSelectVariants(state, chosen, base, outerLoops()));
  // 8. loops whose only carried dependences are sums into array ranges: per-thread copies
  if (reduced) out.push(reduced);
  // 9. loops whose only carried dependences are guarded stores of one value: atomics, flags
  if (stored) out.push(stored);
  // 9'. loops whose iterations each write their own block at offsets checked before the loop
  const blocks = inPlaceVariant(state, chosen, base, 'checked-blocks');
  if (blocks) out.push(blocks);
  // 10. per-element terms computed per edge inside parallel loops, precomputed into tables
  const terms = precomputeVariant(state, simd ? withSimd : outerLoops(), base);
  if (terms) out.push(terms);
  for (const v of out) addIfThresholds(state, v.plan);
  return out;
}

/**
 * The outermost loops that are not parallel only because of accesses a transform rewrites in
 * place or checks — sums into ranges of arrays (normal equations: y += tmp[r] * row r;
 * array-reduction), guarded stores of one value (graph search levels; idempotent-store), or
 * blocks per iteration at offsets checked before the loop (batched transforms;
 * checked-blocks) — each with that transform; the other nests keep their outermost parallel
 * loops. Undefined when there is none.
 */
function inPlaceVariant(state: AnalysisState, chosen: LoopNode[], base: Transform[], kind: 'array-reduction' | 'idempotent-store' | 'checked-blocks'): PlanVariant | undefined {
  const transformsFor = (l: LoopNode, f: LoopFacts): Transform[] => {
    if (!l.canonical) return [];
    if (kind === 'checked-blocks') return checkedBlocksOf(state, l).ok ? [{ kind, loop: l.id }] : [];
    const legal = kind === 'array-reduction' ? arrayReductionOf : idempotentStoreOf;
    return f.arraysWritten.filter((a) => legal(state, l, a).ok).map((array): Transform => ({ kind, loop: l.id, array }));
  };
  const picked: LoopPlan[] = [];
  const transforms: Transform[] = [...base];
  const taken: LoopNode[] = [];
  const visit = (l: LoopNode) => {
    const f = state.factsById.get(l.id)!;
    if (f.parallel) return;
    const ts = transformsFor(l, f);
    if (ts.length) {
      const lp = clausesFor(f, 'parallel-for');
      if (kind === 'idempotent-store') dropFlags(state, l, lp);
      lp.schedule = scheduleFor(state, l);
      if (checkPlan(state, plan(state, [lp], [...base, ...ts])).ok) {
        picked.push(lp);
        transforms.push(...ts);
        taken.push(l);
        return;
      }
    }
    l.children.forEach(visit);
  };
  state.loops.filter((l) => !l.parent).forEach(visit);
  if (!picked.length) return undefined;
  const others = chosen.filter((c) => !taken.some((t) => isDescendant(c, t))).map((l) => {
    const lp = clausesFor(state.factsById.get(l.id)!, 'parallel-for');
    lp.schedule = scheduleFor(state, l);
    return lp;
  });
  const p = plan(state, [...others, ...picked], transforms);
  return checkPlan(state, p).ok ? { name: kind, plan: p } : undefined;
}

/**
 * The given loops with a precompute-term for every parallel loop that evaluates a term of
 * array elements at an index inside a loop of its own (once per inner iteration, so a table
 * of one per element saves work). Undefined when there is none.
 */
function precomputeVariant(state: AnalysisState, loops: LoopPlan[], base: Transform[]): PlanVariant | undefined {
  const transforms: Transform[] = [];
  for (const lp of loops) {
    const loop = state.loopById.get(lp.loop);
    if (!loop || (lp.action !== 'parallel-for' && lp.action !== 'parallel-for-simd')) continue;
    for (const index of termIndices(state, loop)) {
      const r = precomputedTermOf(state, loop, index);
      if (r.ok && r.term.occurrences.every((o) => state.loops.some((l) => isDescendant(l, loop) && isInside(o, l.body)))) transforms.push({ kind: 'precompute-term', loop: loop.id, index });
    }
  }
  if (!transforms.length) return undefined;
  const p = plan(state, loops.map((lp) => ({ ...lp })), [...base, ...transforms]);
  return checkPlan(state, p).ok ? { name: 'precompute', plan: p } : undefined;
}

/** An idempotent store's flags take no clause: the generated code combines them. */
function dropFlags(state: AnalysisState, loop: LoopNode, lp: LoopPlan): void {
  const flags = new Set(flagScalarsOf(state, loop).map((f) => f.name));
  for (const key of ['private', 'lastprivate'] as const) {
    const kept = lp[key]?.filter((v) => !flags.has(v));
    if (kept?.length) lp[key] = kept;
    else delete lp[key];
  }
}

/** Selection (argmin/argmax) loops outside the chosen parallel loops, as parallel plans. */
function selectionLoops(state: AnalysisState, chosen: LoopNode[]): LoopPlan[] {
  const out: LoopPlan[] = [];
  for (const l of state.loops) {
    if (chosen.some((c) => c === l || isDescendant(l, c))) continue;
    // Measured on sssp (n = 8000): a parallel region per round of an enclosing serial
    // loop costs 8x more than the scan saves; only selections run once are proposed.
    if (l.parent) continue;
    const sel = parallelSelectionOf(state, l);
    if (sel) out.push(selectionPlan(state, l, sel));
  }
  return out;
}

function selectionPlan(state: AnalysisState, l: LoopNode, sel: Selection): LoopPlan {
  const lp = clausesFor(state.factsById.get(l.id)!, 'parallel-for');
  const keep = (n: string) => n !== sel.value && n !== sel.index;
  if (lp.private) lp.private = lp.private.filter(keep);
  if (lp.lastprivate) lp.lastprivate = lp.lastprivate.filter(keep);
  if (!lp.private?.length) delete lp.private;
  if (!lp.lastprivate?.length) delete lp.lastprivate;
  lp.select = { op: sel.op, value: sel.value, index: sel.index };
  lp.schedule = { kind: 'static' };
  return lp;
}

/**
 * Selections inside a serial time loop (a Dijkstra round: select, then update): one parallel
 * region around the time loop, each selection's threads combining their blocks after one
 * barrier, the rest of the body on one thread (hoist-parallel-region). A region per round
 * measured 8x slower than the serial scan on sssp; this pays the fork once. Where the rest of
 * the round can run on every thread, each storing only its own elements, also that
 * (owner-computes: one barrier per round instead of one per construct).
 */
function hoistedSelectVariants(state: AnalysisState, chosen: LoopNode[], base: Transform[], outer: LoopPlan[]): PlanVariant[] {
  for (const t of state.loops) {
    if (state.factsById.get(t.id)!.parallel || !t.canonicalHeader || t.body.type !== 'compound_statement') continue;
    if (chosen.some((c) => c === t || isDescendant(t, c))) continue;
    const selections: LoopPlan[] = [];
    for (const c of t.children) {
      const sel = parallelSelectionOf(state, c);
      if (sel && !hoistedSelectionProblem(c, sel)) selections.push(selectionPlan(state, c, sel));
    }
    if (!selections.length) continue;
    // Parallel loops elsewhere keep their regions; inside the time loop only its direct children can share the region.
    const kept = outer.filter((lp) => {
      const l = state.loopById.get(lp.loop);
      return !l || !isDescendant(l, t) || l.parent === t;
    });
    const hoist: Transform = { kind: 'hoist-parallel-region', loop: t.id };
    const out: PlanVariant[] = [];
    const v: PlanVariant = { name: 'hoist-select', plan: plan(state, [...kept, ...selections], [...base, hoist]) };
    if (checkPlan(state, v.plan).ok) out.push(v);
    // Owner-computes writes the round's other loops itself: they keep no action.
    const outside = kept.filter((lp) => {
      const l = state.loopById.get(lp.loop);
      return !l || !isDescendant(l, t);
    });
    const owner: PlanVariant = { name: 'hoist-select-owner', plan: plan(state, [...outside, ...selections], [...base, hoist, { kind: 'owner-computes', loop: t.id }]) };
    if (checkPlan(state, owner.plan).ok) {
      out.push(owner);
      // The same with four (value, index) pairs per thread: gcc turns one pair into a chain
      // of dependent min/cmov instructions (measured 1.8x slower than four on sssp's scan).
      const laned = selections.map((lp) => ({ ...lp, select: { ...lp.select!, lanes: 4 } }));
      const lanes: PlanVariant = { name: 'hoist-select-owner-lanes', plan: plan(state, [...outside, ...laned], owner.plan.transforms!) };
      if (checkPlan(state, lanes.plan).ok) out.push(lanes);
    }
    if (out.length) return out;
  }
  return [];
}

/** Static work below which a parallel loop runs serially (fork/join costs a few microseconds). */
export const PARALLEL_WORK_THRESHOLD = 4096;

/**
 * `if(...)` clauses on parallel loops: run in parallel only when the estimated work
 * (trip count x inner trip counts x statements) is worth a fork/join. Skipped when
 * the trip count uses anything but parameters (the clause must be evaluable on entry).
 */
export function addIfThresholds(state: AnalysisState, p: Plan): void {
  const hoistedLoops = new Set((p.transforms ?? []).filter((t) => t.kind === 'hoist-parallel-region').map((t) => (t as { loop: string }).loop));
  for (const lp of p.loops) {
    if (lp.action !== 'parallel-for' && lp.action !== 'parallel-for-simd') continue;
    if (lp.ifThreshold || lp.loop.includes(':')) continue;
    const loop = state.loopById.get(lp.loop);
    if (!loop || (loop.parent && hoistedLoops.has(loop.parent.id))) continue;
    const t = ifThresholdFor(state, loop);
    if (t) lp.ifThreshold = t;
  }
}

export function ifThresholdFor(state: AnalysisState, loop: LoopNode): string | undefined {
  const params = new Set(state.ctx.params.filter((q) => q.pointerDepth + q.arrayDims === 0).map((q) => q.name));
  const usable = (text: string | undefined) => text !== undefined && [...text.matchAll(/[A-Za-z_]\w*/g)].every((m) => params.has(m[0]) || state.ctx.macros.has(m[0]));
  if (!usable(loop.tripCount)) return undefined;
  // Heaviest path through the nest: symbolic factors for parameter trip counts, a guess of 16 otherwise.
  const work = (l: LoopNode): { factors: string[]; constant: number } => {
    let best = { factors: [] as string[], constant: Math.max(1, statementCount(l)) };
    for (const c of l.children) {
      const w = work(c);
      const own = usable(c.tripCount) ? { factors: [c.tripCount!, ...w.factors], constant: w.constant } : { factors: w.factors, constant: w.constant * 16 };
      if (own.factors.length > best.factors.length || (own.factors.length === best.factors.length && own.constant > best.constant)) best = own;
    }
    return best;
  };
  const w = work(loop);
  const factors = [loop.tripCount!, ...w.factors].map((f) => (/^\w+$/.test(f.trim()) ? f.trim() : `(${f.trim()})`));
  const threshold = Math.max(2, Math.ceil(PARALLEL_WORK_THRESHOLD / w.constant));
  return `(double)${factors.join(' * ')} > ${threshold}`;
}

function statementCount(l: LoopNode): number {
  let n = 0;
  const walk = (node: SyntaxNode) => {
    if (node.type === 'expression_statement' || node.type === 'declaration') n++;
    if (node.id !== l.node.id && ['for_statement', 'while_statement', 'do_statement'].includes(node.type)) return;
    for (let i = 0; i < node.namedChildCount; i++) walk(node.namedChild(i)!);
  };
  walk(l.body);
  return n;
}

function hasDirectDeclaration(t: LoopNode): boolean {
  for (let i = 0; i < t.body.namedChildCount; i++) if (t.body.namedChild(i)!.type === 'declaration') return true;
  return false;
}

/** A perfect pair (P, C) inside a chosen loop where C is not stride-1 but P would be: swap them. */
function interchangeVariant(state: AnalysisState, chosen: LoopNode[], base: Transform[]): PlanVariant | undefined {
  for (const l of chosen) {
    for (const p of [l, ...state.loops.filter((x) => isDescendant(x, l))]) {
      const c = perfectChild(p);
      if (!c || c.children.length || !state.factsById.get(p.id)!.rectangularChild) continue;
      const fc = state.factsById.get(c.id)!;
      if (fc.stride1) continue;
      // Would p be stride-1 as the innermost loop? Approximate by analyzing the pair after the swap: left to the gate.
      const loops = [clausesFor(state.factsById.get(l.id)!, 'parallel-for')];
      if (p === l) {
        // Parallelize the loop that becomes outer (c) when it is parallel at the outer position.
        loops[0] = clausesFor(fc, 'parallel-for');
        loops[0]!.loop = c.id;
      }
      return { name: 'interchange', plan: plan(state, loops, [...base, { kind: 'interchange', loop: p.id, with: c.id }]) };
    }
  }
  return undefined;
}

/**
 * `for k: C[e] += f(k)` inside the chosen parallel loops: the element lives in a scalar
 * across k (bitwise-equal results), and, as a second variant, k runs as
 * `simd reduction(op:<scalar>)`, which reassociates the sum (within the spec tolerance).
 */
function scalarReplaceVariants(state: AnalysisState, chosen: LoopNode[], base: Transform[], outer: LoopPlan[]): PlanVariant[] {
  const rs = scalarReplacements(state, (l) => chosen.some((c) => isDescendant(l, c)));
  if (!rs.length) return [];
  const transforms: Transform[] = [...base, ...rs.map((r): Transform => ({ kind: 'scalar-replace', loop: r.loop.id, array: r.array }))];
  const out: PlanVariant[] = [];
  const plain = plan(state, outer.map((lp) => ({ ...lp })), transforms);
  plain.notes = rs.map((r) => `${r.elementText} is kept in the scalar ${r.name} across loop ${r.loop.id}; same operations in the same order (bitwise-equal results)`);
  if (!checkPlan(state, plain).ok) return [];
  out.push({ name: 'scalar-replace', plan: plain });
  const simdLoops: LoopPlan[] = [];
  const notes = [...plain.notes];
  for (const r of rs) {
    if (!r.op || simdLoops.some((l) => l.loop === r.loop.id)) continue;
    const mine = rs.filter((x) => x.loop === r.loop && x.op);
    const lp = clausesFor(state.factsById.get(r.loop.id)!, 'simd');
    const reds = (lp.reduction ?? []).map((x) => ({ op: x.op, vars: [...x.vars] }));
    for (const m of mine) {
      const same = reds.find((x) => x.op === m.op);
      if (same) same.vars.push(m.name);
      else reds.push({ op: m.op!, vars: [m.name] });
    }
    lp.reduction = reds;
    const candidate = plan(state, [...outer.map((x) => ({ ...x })), ...simdLoops, lp], transforms);
    if (!checkPlan(state, candidate).ok) continue;
    simdLoops.push(lp);
    notes.push(`simd reduction(${mine.map((m) => `${m.op}:${m.name}`).join(', ')}) on ${r.loop.id} reassociates the ${mine.map((m) => m.name).join(', ')} sum: results differ from the serial order by rounding, acceptable only within the spec tolerance (the verifier's differential test checks it)`);
  }
  if (simdLoops.length) {
    const p = plan(state, [...outer.map((x) => ({ ...x })), ...simdLoops], transforms);
    p.notes = notes;
    out.push({ name: 'scalar-replace-simd', plan: p });
  }
  return out;
}
