// Selection: the fastest verified candidate whose speed interval clears the threshold,
// or none (the original is linked). Plain data in, plain data out.
import type { CandidateRecord, Manifest } from '../store/types.js';
import { speedDecisionOf } from '../verify/benchmark-stats.js';
import type { SpeedDecision, SpeedupStats, Verdict } from '../verify/types.js';
import { twinBaseLabel } from '../propose/compiler.js';

export interface Choice {
  chosen: CandidateRecord | null;
  /** Why this one (or why the original). */
  reason: string;
  /**
   * True when the original is kept only because a verified candidate's speed was
   * inconclusive: the decision is not final, a later build re-measures it.
   */
  pending: boolean;
  /** For a pending choice: the inconclusive measurement was taken on a busy machine. */
  pendingBusy?: boolean;
}

/**
 * A speedup is worth linking when the lower bound of its confidence interval clears the
 * threshold (records from before intervals existed: every pair did). A median that wins
 * on a busy machine while the interval reaches below the threshold is not a decision.
 */
export function clearsThreshold(s: SpeedupStats | undefined, threshold: number): boolean {
  return !!s && speedDecisionOf(s, threshold) === 'faster';
}

/** The speed decision of a verdict against the threshold (from its interval when it has one). */
export function speedDecision(v: Verdict, threshold: number): SpeedDecision {
  if (v.speedup) return speedDecisionOf(v.speedup, threshold);
  return v.speed?.decision ?? 'not-measured';
}

export function chooseVariant(candidates: CandidateRecord[], threshold: number): Choice {
  if (candidates.length === 0) return { chosen: null, reason: 'no candidate was proposed', pending: false };
  const byMedian = (a: CandidateRecord, b: CandidateRecord) => (b.verdict.speedup?.median ?? 0) - (a.verdict.speedup?.median ?? 0);
  const verified = candidates.filter((c) => c.verdict.accepted);
  const winners = verified.filter((c) => speedDecision(c.verdict, threshold) === 'faster').sort(byMedian);
  const best = winners[0];
  if (best) {
    const s = best.verdict.speedup!;
    const ci = s.ci ? ` (interval ${s.ci.low.toFixed(2)}–${s.ci.high.toFixed(2)}x)` : '';
    return { chosen: best, reason: `${best.label} verified, ${s.median.toFixed(2)}x over the original${ci}`, pending: false };
  }
  // Verified ones first; then screened-only ones (the busy machine did not let screening decide).
  const inconclusive =
    verified.filter((c) => speedDecision(c.verdict, threshold) === 'inconclusive').sort(byMedian)[0] ??
    candidates.filter((c) => screenedInconclusive(c.verdict, threshold)).sort(byMedian)[0];
  if (inconclusive) {
    const s = inconclusive.verdict.speedup;
    const how = inconclusive.verdict.accepted ? 'verified' : 'screened (not yet verified)';
    if (!s) {
      return { chosen: null, reason: `speed inconclusive: ${inconclusive.label} ${how}; ${inconclusive.verdict.speed?.why ?? ''}; original kept for now, re-measured on the next build`, pending: true };
    }
    const ci = s.ci ? `interval ${s.ci.low.toFixed(2)}–${s.ci.high.toFixed(2)}x` : `pairs ${s.spread[0].toFixed(2)}–${s.spread[1].toFixed(2)}x`;
    return {
      chosen: null,
      reason: `speed inconclusive: ${inconclusive.label} ${how} at ${s.median.toFixed(2)}x, ${ci}${s.load?.busy ? ', on a busy machine' : ''}, against the ${threshold}x threshold; original kept for now, re-measured on the next build`,
      pending: true,
      pendingBusy: s.load?.busy ?? false,
    };
  }
  // Screening keeps the speedup of candidates it did not send on: name the fastest timed one.
  const fastest = candidates.filter((c) => c.verdict.speedup).sort(byMedian)[0];
  if (!fastest) return { chosen: null, reason: 'no candidate passed verification', pending: false };
  const s = fastest.verdict.speedup!;
  const how = `${fastest.label} at ${s.median.toFixed(2)}x, ${s.ci ? `interval ${s.ci.low.toFixed(2)}–${s.ci.high.toFixed(2)}x` : `pairs ${s.spread[0].toFixed(2)}–${s.spread[1].toFixed(2)}x`}`;
  const what = verified.length ? 'no verified candidate was faster than' : 'no candidate was verified faster than';
  return { chosen: null, reason: `${what} the ${threshold}x threshold (fastest: ${how})`, pending: false };
}

/**
 * How a new manifest records the speed decision: an inconclusive one is stored as
 * 'pending' (the correctness verdicts are kept; the next build re-measures the speed),
 * never as a final "original kept".
 */
export function manifestSpeedFields(choice: Choice): Pick<Manifest, 'speedDecision' | 'speedMeasurements' | 'quietSpeedMeasurements'> {
  return choice.pending ? { speedDecision: 'pending', speedMeasurements: 1, quietSpeedMeasurements: choice.pendingBusy ? 0 : 1 } : { speedDecision: 'final' };
}

/** A speed that stays inconclusive after this many measurements on a quiet machine is as fast as the threshold, not faster: the original is kept for good. */
export const MAX_QUIET_SPEED_MEASUREMENTS = 3;
/**
 * Measurements on a busy machine say little, so they do not settle a decision; but a
 * machine that is always busy (a shared CI runner) must not pay a re-measurement on every
 * build for ever: after this many measurements of any kind the decision is settled too.
 */
export const MAX_SPEED_MEASUREMENTS = 8;

/**
 * After a re-measurement: whether the decision stays pending, and the counts to store.
 * Records from before quiet measurements were counted treat every earlier one as quiet.
 */
export function settleSpeed(previous: Pick<Manifest, 'speedMeasurements' | 'quietSpeedMeasurements'>, choice: Choice): { pending: boolean; speedMeasurements: number; quietSpeedMeasurements: number; why?: string } {
  const before = previous.speedMeasurements ?? 1;
  const speedMeasurements = before + 1;
  const quietSpeedMeasurements = (previous.quietSpeedMeasurements ?? before) + (choice.pending && choice.pendingBusy ? 0 : 1);
  if (!choice.pending) return { pending: false, speedMeasurements, quietSpeedMeasurements };
  if (quietSpeedMeasurements >= MAX_QUIET_SPEED_MEASUREMENTS) {
    return { pending: false, speedMeasurements, quietSpeedMeasurements, why: `still inconclusive after ${quietSpeedMeasurements} measurements on a quiet machine` };
  }
  if (speedMeasurements >= MAX_SPEED_MEASUREMENTS) {
    return { pending: false, speedMeasurements, quietSpeedMeasurements, why: `still inconclusive after ${speedMeasurements} measurements (${speedMeasurements - quietSpeedMeasurements} on a busy machine)` };
  }
  return { pending: true, speedMeasurements, quietSpeedMeasurements };
}

/** Screening passed: nothing failed and the short benchmark timed it (the build then may verify it fully). */
export function passedScreening(v: Verdict): boolean {
  return !!v.speedup && v.stages.every((s) => (s.status ?? (s.ok ? 'ran' : 'failed')) !== 'failed') && (v.kind === 'screening' || v.accepted);
}

/** A candidate that passed screening but whose short benchmark could not decide (e.g. a busy machine). */
export function screenedInconclusive(v: Verdict, threshold: number): boolean {
  return v.kind === 'screening' && !!v.speedup && v.stages.every((s) => (s.status ?? (s.ok ? 'ran' : 'failed')) !== 'failed') && speedDecisionOf(v.speedup, threshold) === 'inconclusive';
}

/**
 * The order in which screened candidates are fully verified: fastest screening median first,
 * except that a twin (the same code compiled with aligned loops in a unit of its own) goes
 * before the candidate it was made from when screening cannot tell them apart (their
 * intervals overlap). The two differ only in placement: the twin's is pinned in the linked
 * program, the other's moves with the link. Measured on conv2d: the plain variant screened
 * at 8.6x and verified at 5.6x ran 2.9x linked (the reference 5.3x in the same run), where
 * its twin, linked the stop before, ran as fast as the reference.
 */
export function verificationOrder<T extends { label: string; recipeName?: string; speedup: SpeedupStats }>(screened: T[]): T[] {
  const out = [...screened].sort((a, b) => b.speedup.median - a.speedup.median);
  for (const twin of [...out]) {
    const baseLabel = twinBaseLabel(twin.label, twin.recipeName);
    if (!baseLabel) continue;
    const b = out.findIndex((s) => s.label === baseLabel);
    const t = out.indexOf(twin);
    if (b < 0 || b > t) continue;
    const baseLow = out[b]!.speedup.ci?.low ?? out[b]!.speedup.spread[0];
    const twinHigh = twin.speedup.ci?.high ?? twin.speedup.spread[1];
    if (twinHigh < baseLow) continue; // measurably slower: the base keeps its place
    out.splice(t, 1);
    out.splice(b, 0, twin);
  }
  return out;
}
