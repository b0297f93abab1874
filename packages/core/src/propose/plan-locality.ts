// Locality variants: loop distribution + interchange for imperfect nests of the gemm
// shape `for i { for j { C[i][j] = 0 (or *= beta); for k C[i][j] += A[i][k]*B[k][j]; } }`.
// Distributing the leading statements of the j loop into their own j loop makes
// (j, k) a perfect nest; interchanging it gives i-k-j, whose innermost loop walks B
// and C with stride 1 (SIMD) instead of B with stride n. The k order of the updates
// of each C element is unchanged, so results are bitwise equal to the original.
// Every variant is checked by the legality gate; illegal ones are dropped.
import { isInside, strideOf, type AnalysisState } from '../analysis/analyze.js';
import { distributionParts, distributionProblem } from '../analysis/distribute.js';
import { accumulationOf, nestAccesses } from '../analysis/accumulate.js';
import { unrollJamOf } from '../analysis/unroll-jam.js';
import { checkPlan } from '../analysis/legality.js';
import type { LoopNode } from '../analysis/loops.js';
import type { LoopPlan, Transform } from './plan.js';
import { clausesFor, isDescendant, plan, type PlanVariant } from './plan-variants.js';

/** Tile sizes tried for the (k, j) pair of an interchanged nest: one L1-sized, one L2-sized. */
export const TILE_SIZES = [64, 256];

export function distributeInterchangeVariants(state: AnalysisState, chosen: LoopNode[], base: Transform[], outer: LoopPlan[]): PlanVariant[] {
  const out: PlanVariant[] = [];
  for (const l of chosen) {
    for (const x of state.loops.filter((c) => isDescendant(c, l))) {
      const parts = distributionParts(x);
      if (!parts) continue;
      const k = parts.main;
      if (!k.canonical || k.children.length) continue;
      if (state.factsById.get(k.id)!.stride1) continue; // already stride-1 innermost
      if (!stride1As(state, x, k)) continue;
      if (distributionProblem(state, x)) continue;
      const transforms: Transform[] = [...base, { kind: 'distribute', loop: x.id }, { kind: 'interchange', loop: x.id, with: k.id }];
      const simd = clausesFor(state.factsById.get(x.id)!, 'simd');
      const withSimd = plan(state, [...outer, simd], transforms);
      let chosenPlan = checkPlan(state, withSimd).ok ? withSimd : plan(state, outer, transforms);
      if (!checkPlan(state, chosenPlan).ok) continue;
      // The element x does not walk (A[i][k] for j) loaded once per k: measured on matmul
      // (n = 448, 2 threads, one run) the simd loop without it ran 1.25x slower.
      const loaded = plan(state, chosenPlan.loops, [...(chosenPlan.transforms ?? []), { kind: 'load-invariant', loop: x.id }]);
      if (checkPlan(state, loaded).ok) chosenPlan = loaded;
      out.push({ name: 'distribute-interchange', plan: chosenPlan });
      out.push(...tiledVariants(state, transforms, k, x, outer, simd));
      return out;
    }
  }
  return out;
}

/** Would `x` walk every access of the inner loop `k` with stride 0 or ±1 (last dimension only) if it were innermost? */
function stride1As(state: AnalysisState, x: LoopNode, k: LoopNode): boolean {
  const inK = state.accesses.filter((a) => a.loops.includes(k));
  return inK.length > 0 && strideOf(state, x, inK) === 'unit';
}

/**
 * Tiled forms of an interchanged pair (k now outer, x inner): tile loops over k and
 * x around point loops, simd on x's point loop when legal. For one element updated
 * along k the k order is kept (k tiles ascend, points ascend inside a tile), so the
 * per-element summation order, and the results, are those of the untiled nest.
 * At most TILE_SIZES.length candidates; the verifier's benchmark picks.
 */
export function tiledVariants(state: AnalysisState, transforms: Transform[], k: LoopNode, x: LoopNode, outer: LoopPlan[], simd?: LoopPlan): PlanVariant[] {
  const out: PlanVariant[] = [];
  for (const size of TILE_SIZES) {
    const t: Transform[] = [...transforms, { kind: 'tile', loop: k.id, size }];
    const candidates = simd ? [plan(state, [...outer, { ...simd, loop: `${x.id}:point` }], t), plan(state, outer, t)] : [plan(state, outer, t)];
    const ok = candidates.find((p) => checkPlan(state, p).ok);
    if (ok) out.push({ name: `tiled-${size}`, plan: ok });
  }
  return out;
}

/**
 * Accumulation in the output (analysis/accumulate.ts) for loops inside the chosen parallel
 * loops whose accumulator sums over an inner nest that the loop would walk with unit
 * stride if it were innermost (attention's P*V rows, convolution rows, dot-product
 * matrix products). One variant per kernel with every such loop, the moved loops simd
 * when legal; `parallel` gives the outer loops' actions (collapsed when that was legal).
 */
export function accumulateVariants(state: AnalysisState, chosen: LoopNode[], base: Transform[], parallel: LoopPlan[][]): PlanVariant[] {
  const transforms: Transform[] = [...base];
  const moved: LoopPlan[] = [];
  for (const x of state.loops) {
    if (chosen.includes(x) || !chosen.some((c) => isDescendant(x, c))) continue;
    const r = accumulationOf(state, x);
    if (!r.ok) continue;
    // Unit stride, or a run-time stride (pooling windows: 1 in the common case); the benchmark decides.
    if (!['unit', 'symbolic'].includes(strideOf(state, x, nestAccesses(state, r.accumulation)))) continue;
    transforms.push({ kind: 'accumulate-in-output', loop: x.id });
    moved.push({ loop: `${x.id}:moved`, action: 'simd' });
  }
  if (!moved.length) return [];
  for (const outer of parallel) {
    const candidates = [plan(state, [...outer, ...moved], transforms), plan(state, outer, transforms)];
    const ok = candidates.find((p) => checkPlan(state, p).ok);
    if (ok) return [{ name: 'accumulate', plan: ok }];
  }
  return [];
}

/** Unroll-and-jam factor: four independent accumulators (a vector unit's worth of dependence chains). */
export const JAM_FACTOR = 4;

/**
 * Unroll and jam (analysis/unroll-jam.ts) of loops inside the chosen parallel loops whose
 * inner reduction reads something that does not depend on the unrolled loop (loaded once
 * for four results) and something that does. Added to each given plan (the caller passes
 * the accumulate variant when there is one, else the outer loops): one variant per plan.
 */
export function jamVariants(state: AnalysisState, chosen: LoopNode[], bases: PlanVariant[]): PlanVariant[] {
  const jams: Transform[] = [];
  for (const j of state.loops) {
    if (chosen.includes(j) || !chosen.some((c) => isDescendant(j, c))) continue;
    const r = unrollJamOf(state, j);
    if (!r.ok) continue;
    const inner = state.accesses.filter((a) => isInside(a.node, r.jam.inner.node));
    const strides = inner.map((a) => strideOf(state, j, [a]));
    if (!strides.includes('none') || strides.every((x) => x === 'none')) continue;
    jams.push({ kind: 'unroll-and-jam', loop: j.id, factor: JAM_FACTOR });
  }
  if (!jams.length) return [];
  const out: PlanVariant[] = [];
  for (const b of bases) {
    // Each jam that still passes the gate with the base's own transforms (a loop the base already regenerates is left to it).
    let p = b.plan;
    for (const t of jams) {
      const next = { ...p, transforms: [...(p.transforms ?? []), t] };
      if (checkPlan(state, next).ok) p = next;
    }
    if (p !== b.plan) out.push({ name: b.name === 'outer' ? 'jam' : `${b.name}-jam`, plan: p });
  }
  return out;
}
