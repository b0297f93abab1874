// Selection: the fastest verified candidate whose speedup clears the threshold,
// or none (the original is linked). Plain data in, plain data out.
import type { CandidateRecord } from '../store/types.js';
import type { SpeedupStats } from '../verify/types.js';

export interface Choice {
  chosen: CandidateRecord | null;
  /** Why this one (or why the original). */
  reason: string;
}

/**
 * A speedup is worth linking when its median clears the threshold and no benchmark pair
 * ran it slower than the original (below min(1, threshold)): a variant that wins on the
 * median but loses some pairs is noise on a busy machine, and linking it could make the
 * program slower than what the user wrote.
 */
export function clearsThreshold(s: SpeedupStats | undefined, threshold: number): boolean {
  return !!s && s.median >= threshold && s.spread[0] >= Math.min(1, threshold);
}

export function chooseVariant(candidates: CandidateRecord[], threshold: number): Choice {
  if (candidates.length === 0) return { chosen: null, reason: 'no candidate was proposed' };
  const byMedian = (a: CandidateRecord, b: CandidateRecord) => b.verdict.speedup!.median - a.verdict.speedup!.median;
  const winners = candidates.filter((c) => c.verdict.accepted && clearsThreshold(c.verdict.speedup, threshold)).sort(byMedian);
  const best = winners[0];
  if (best) {
    return { chosen: best, reason: `${best.label} verified, ${best.verdict.speedup!.median.toFixed(2)}x over the original` };
  }
  // Screening keeps the speedup of candidates it did not send on: name the fastest timed one.
  const fastest = candidates.filter((c) => c.verdict.speedup).sort(byMedian)[0];
  if (!fastest) return { chosen: null, reason: 'no candidate passed verification' };
  const s = fastest.verdict.speedup!;
  const how = `${fastest.label} at ${s.median.toFixed(2)}x, pairs ${s.spread[0].toFixed(2)}–${s.spread[1].toFixed(2)}x`;
  return { chosen: null, reason: `no candidate was verified faster than the ${threshold}x threshold in every pair (fastest: ${how})` };
}
