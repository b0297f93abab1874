// Selection: the fastest verified candidate whose speedup clears the threshold,
// or none (the original is linked). Plain data in, plain data out.
import type { CandidateRecord } from '../store/types.js';

export interface Choice {
  chosen: CandidateRecord | null;
  /** Why this one (or why the original). */
  reason: string;
}

export function chooseVariant(candidates: CandidateRecord[], threshold: number): Choice {
  const verified = candidates.filter((c) => c.verdict.accepted && c.verdict.speedup);
  if (candidates.length === 0) return { chosen: null, reason: 'no candidate was proposed' };
  if (verified.length === 0) {
    // Screening keeps the speedup of candidates it did not send on: name the fastest.
    const timed = candidates.filter((c) => c.verdict.speedup).sort((a, b) => b.verdict.speedup!.median - a.verdict.speedup!.median);
    const best = timed[0];
    return {
      chosen: null,
      reason: best
        ? `no candidate was verified faster than the ${threshold}x threshold (fastest: ${best.label} at ${best.verdict.speedup!.median.toFixed(2)}x)`
        : 'no candidate passed verification',
    };
  }
  // Rank by the median ratio; the spread is reported but a noisy winner must still
  // clear the threshold on its median, measured against the original in the same run.
  const best = [...verified].sort((a, b) => b.verdict.speedup!.median - a.verdict.speedup!.median)[0]!;
  const s = best.verdict.speedup!.median;
  if (s < threshold) {
    return {
      chosen: null,
      reason: `best verified candidate ${best.label} is ${s.toFixed(2)}x, below the ${threshold}x threshold`,
    };
  }
  return { chosen: best, reason: `${best.label} verified, ${s.toFixed(2)}x over the original` };
}
