// Invariant loads: the reads of a loop's body that have the same value in every iteration
// (`A[i][k]` in the j loop of an i-k-j product) are loaded into locals before the loop. gcc
// does this itself only where it can prove the stores of the loop do not change them: inside
// a parallel region's outlined function the parameters are no longer `restrict`, and an
// `omp simd` loop is not versioned for aliasing, so the element is reloaded every iteration.
// The loads happen only when the loop runs at least once (its bounds are tested first), as
// in the original.
//
// Legal when the reads are invariantReadsIn the body (whole elements, not under a condition,
// no name the loop changes, no array a store of the loop may alias), of arithmetic type, and
// the bounds can be evaluated once more before the loop (no call or assignment in them).
import type { AnalysisState } from './analyze.js';
import { boundsReevaluable, invariantReadsIn, type InvariantRead } from './invariant.js';
import type { LoopNode } from './loops.js';

export interface InvariantLoads {
  loop: LoopNode;
  reads: InvariantRead[];
  /** `lower cmp upper`: whether the loop runs at least once. */
  runsText: string;
}

export type InvariantLoadsResult = { ok: true; loads: InvariantLoads } | { ok: false; reason: string };

const ARITHMETIC = /^(unsigned\s+|signed\s+)?(char|short|int|long|long\s+long|float|double|long\s+double|size_t|int\d+_t|uint\d+_t)$/;

/**
 * The loop's invariant loads; `inner` is the loop's direct child when the two are interchanged
 * (the loop then runs innermost, over the child's body).
 */
export function invariantLoadsOf(state: AnalysisState, loop: LoopNode, inner?: LoopNode): InvariantLoadsResult {
  const no = (reason: string): InvariantLoadsResult => ({ ok: false, reason: `load-invariant ${loop.id} (line ${loop.line}): ${reason}` });
  if (!loop.canonical || loop.lowerText === undefined || loop.upperText === undefined || !loop.cmp) return no('the loop is not canonical with known bounds');
  if (!boundsReevaluable(loop)) return no('its bounds call a function or assign, and would be evaluated once more');
  const body = inner ? inner.body : loop.body;
  const stores = state.accesses.filter((a) => a.write && a.loops.includes(loop));
  const reads = invariantReadsIn(state, body, (name) => name === loop.index, stores).filter((r) => ARITHMETIC.test(r.type));
  if (!reads.length) return no('no read in its body is the same in every iteration');
  return { ok: true, loads: { loop, reads, runsText: `${loop.lowerText} ${loop.cmp} ${loop.upperText}` } };
}
