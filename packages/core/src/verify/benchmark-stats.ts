// The statistics of a benchmark, kept apart from the processes it times so that the
// decision can be tested on synthetic timing series (no timing luck in tests).
//
// Each pair i is one baseline (original) run A_i and one contender run B_i, interleaved
// A B A B. The per-pair ratio A_i / B_i is a speedup sample. On a busy machine those
// samples have outliers in both directions (another process takes a core for a while),
// so the interval is distribution-free: the order-statistic confidence interval of the
// median ratio (sign-test interval), which needs only the binomial distribution and
// does not care how heavy the tails are. The machine's noise in the same run is the same
// interval over consecutive original-vs-original ratios A_{i+1} / A_i: what two runs of
// one binary disagree by right now.
//
// Sampling is sequential: after `minPairs` pairs the interval is checked after every
// pair, and sampling stops when it decides (lower bound ≥ threshold, or upper bound
// below it), when it is narrower than `targetWidth`, or when the pair limit or the time
// budget is spent. Stopping early on a decision inflates the error rate a little over
// the nominal level; the level is 95% per look.
import { binomialDistribution, median } from 'simple-statistics';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import type { MachineLoad, SpeedDecision, SpeedupStats } from './types.js';

export const CI_LEVEL = 0.95;

export interface Interval {
  low: number;
  high: number;
  /** The coverage the chosen order statistics really give (≥ the level asked for, or the most n allows). */
  level: number;
}

/**
 * Order-statistic interval for the median of xs: [x_(k), x_(n+1-k)] with the largest k
 * such that P(Binomial(n, 1/2) < k) ≤ (1 - level) / 2. With too few samples for that
 * level (n ≤ 5 at 95%) it is [min, max] and `level` says what that covers.
 */
export function medianInterval(xs: number[], level = CI_LEVEL): Interval {
  if (xs.length === 0) throw new RangeError('medianInterval: no samples');
  const sorted = [...xs].sort((a, b) => a - b);
  const n = sorted.length;
  const pmf = binomialDistribution(n, 0.5) ?? [];
  const tail = (1 - level) / 2;
  let k = 1;
  let below = pmf[0] ?? 0; // P(B < k) for k = 1
  // Grow k while the next lower tail P(B < k+1) still fits within the allowed tail.
  while (k < Math.floor((n + 1) / 2) && below + (pmf[k] ?? 0) <= tail) {
    below += pmf[k] ?? 0;
    k++;
  }
  return { low: sorted[k - 1]!, high: sorted[n - k]!, level: 1 - 2 * below };
}

/** The speed decision for an interval on the speedup against the build's threshold. */
export function decideSpeed(ci: Pick<Interval, 'low' | 'high'>, threshold: number): Exclude<SpeedDecision, 'not-measured'> {
  if (ci.low >= threshold) return 'faster';
  if (ci.high < threshold) return 'slower';
  return 'inconclusive';
}

export interface PairSample {
  /** Baseline (original) time per call, ms. */
  a: number;
  /** Contender time per call, ms. */
  b: number;
}

export interface SamplingOptions {
  minPairs: number;
  maxPairs: number;
  /** Stop starting new pairs once this much time has passed since sampling began. */
  budgetMs: number;
  /** Stop when high / low - 1 of the interval is at most this (e.g. 0.1). */
  targetWidth: number;
  threshold: number;
  /** Clock (ms); injectable so tests need no real time. */
  now?: () => number;
}

export type MeasurePair = () => Promise<PairSample | { failed: true }>;

export interface SamplingResult {
  samples: PairSample[];
  stoppedBecause: string;
  /** Set when a measurement failed; the samples before it are kept. */
  failed?: boolean;
}

/** Runs pairs until the interval decides, is narrow enough, or the limits are reached. */
export async function samplePairs(measure: MeasurePair, opts: SamplingOptions): Promise<SamplingResult> {
  const now = opts.now ?? (() => performance.now());
  const started = now();
  const samples: PairSample[] = [];
  const minPairs = Math.max(1, opts.minPairs);
  const maxPairs = Math.max(minPairs, opts.maxPairs);
  for (;;) {
    const s = await measure();
    if ('failed' in s) return { samples, stoppedBecause: 'a run failed', failed: true };
    samples.push(s);
    const n = samples.length;
    if (n < minPairs) continue;
    const ci = medianInterval(ratios(samples));
    const decision = decideSpeed(ci, opts.threshold);
    if (decision !== 'inconclusive') return { samples, stoppedBecause: `decided after ${n} pairs` };
    if (ci.high / ci.low - 1 <= opts.targetWidth) return { samples, stoppedBecause: `interval narrower than ${Math.round(opts.targetWidth * 100)}% after ${n} pairs` };
    if (n >= maxPairs) return { samples, stoppedBecause: `pair limit (${maxPairs}) reached` };
    if (now() - started >= opts.budgetMs) return { samples, stoppedBecause: `time budget (${Math.round(opts.budgetMs / 1000)} s) spent after ${n} pairs` };
  }
}

export function ratios(samples: PairSample[]): number[] {
  return samples.map((s) => s.a / Math.max(s.b, 1e-9));
}

/** Speedup statistics of a finished sampling: median ratio, its interval, and the machine's noise. */
export function speedupStats(samples: PairSample[], stoppedBecause?: string, load?: MachineLoad): SpeedupStats {
  const r = ratios(samples);
  const a = samples.map((s) => s.a);
  const b = samples.map((s) => s.b);
  const ci = medianInterval(r);
  // Original vs original: consecutive baseline runs, the noise of this machine in this run.
  const same = a.slice(1).map((x, i) => x / Math.max(a[i]!, 1e-9));
  const noise = same.length ? medianInterval(same) : undefined;
  return {
    median: median(r),
    spread: [Math.min(...r), Math.max(...r)],
    pairs: samples.length,
    originalMedianMs: median(a),
    candidateMedianMs: median(b),
    ci: { level: round(ci.level), low: ci.low, high: ci.high },
    ...(noise ? { noise: { low: noise.low, high: noise.high } } : {}),
    ...(stoppedBecause ? { stoppedBecause } : {}),
    ...(load ? { load } : {}),
  };
}

/**
 * Other runnable threads right now: /proc/loadavg's running count minus this process.
 * Sampled between benchmark runs (when none of ours run). Undefined where there is no /proc.
 */
export function othersRunnableNow(): number | undefined {
  try {
    const running = Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[3]?.split('/')[0]);
    return Number.isFinite(running) ? Math.max(0, running - 1) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The machine is busy when other work holds at least a quarter of the cores (at least
 * one): a parallel variant then cannot get the cores it would have on a quiet machine.
 */
export function machineLoad(samples: number[], cores = availableParallelism()): MachineLoad | undefined {
  if (samples.length === 0) return undefined;
  const othersRunnable = median(samples);
  return { othersRunnable, cores, busy: othersRunnable >= Math.max(1, cores / 4) };
}

const round = (x: number) => Math.round(x * 1e4) / 1e4;

/** The decision for stored stats; records from before intervals existed use their spread (the old rule). */
export function speedDecisionOf(s: SpeedupStats, threshold: number): Exclude<SpeedDecision, 'not-measured'> {
  const d = decideSpeed(s.ci ?? { low: s.spread[0], high: s.spread[1] }, threshold);
  // Slower on a busy machine says more about the machine than the variant: measure again later.
  return d === 'slower' && s.load?.busy ? 'inconclusive' : d;
}

export function describeSpeedDecision(s: SpeedupStats, threshold: number): string {
  const d = speedDecisionOf(s, threshold);
  const ci = s.ci ? `${Math.round(s.ci.level * 100)}% interval ${s.ci.low.toFixed(2)}–${s.ci.high.toFixed(2)}x` : `pairs ${s.spread[0].toFixed(2)}–${s.spread[1].toFixed(2)}x`;
  const noise = s.noise ? `; machine noise (original vs original) ${s.noise.low.toFixed(2)}–${s.noise.high.toFixed(2)}x` : '';
  const busySlow = d === 'inconclusive' && decideSpeed(s.ci ?? { low: s.spread[0], high: s.spread[1] }, threshold) === 'slower';
  const what =
    d === 'faster' ? `faster: lower bound clears the ${threshold}x threshold`
    : d === 'slower' ? `not faster: upper bound below the ${threshold}x threshold`
    : busySlow ? `inconclusive: slower, but measured on a busy machine; re-measured on a later build`
    : `inconclusive: the interval straddles the ${threshold}x threshold; re-measured on a later build`;
  const load = s.load ? `; machine ${s.load.busy ? 'BUSY' : 'quiet'}: ${s.load.othersRunnable} other runnable on ${s.load.cores} cores` : '';
  return `${what} (median ${s.median.toFixed(2)}x, ${ci}, ${s.pairs} pairs${noise}${load})`;
}
