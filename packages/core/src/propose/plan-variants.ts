// The analyzer's plans: a few sensible alternatives per kernel, all legal by the
// analysis. Which one is fastest is decided later by measurement, so this does
// not try to pick a single best one.
import type { AnalysisState } from '../analysis/analyze.js';
import { perfectChild, type LoopNode } from '../analysis/loops.js';
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
  // Triangular or data-dependent inner work: balance dynamically.
  const inner = state.loops.filter((l) => isDescendant(l, loop));
  const triangular = inner.some((l) => !l.canonical || [l.lo, ...(l.hi ?? [])].some((p) => !p || [...p.keys()].some((m) => m.includes(`@${loop.id}`))));
  if (triangular) return { kind: 'dynamic', chunk: 16 };
  return { kind: 'static' };
}

function isDescendant(l: LoopNode, a: LoopNode): boolean {
  for (let p = l.parent; p; p = p.parent) if (p === a) return true;
  return false;
}

function plan(state: AnalysisState, loops: LoopPlan[], transforms: Transform[]): Plan {
  const p: Plan = { version: PLAN_VERSION, kernel: state.ctx.name, loops };
  if (transforms.length) p.transforms = transforms;
  return p;
}

export function planVariants(state: AnalysisState): PlanVariant[] {
  const chosen = outermostParallel(state);
  if (chosen.length === 0) return [];
  const base: Transform[] = [];
  if (state.ctx.noalias && state.ctx.params.some((p) => p.pointerDepth > 0 && !p.restrict)) base.push({ kind: 'restrict-params' });
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
  if (timeLoops.length) {
    const loops = outerLoops();
    variants.push({ name: 'hoist', plan: plan(state, loops, [...base, ...timeLoops.map((t): Transform => ({ kind: 'hoist-parallel-region', loop: t.id }))]) });
  } else {
    // 4'. interchange so that the innermost loop walks memory with stride 1
    const inter = interchangeVariant(state, chosen, base);
    if (inter) variants.push(inter);
  }
  return variants.slice(0, 4);
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
