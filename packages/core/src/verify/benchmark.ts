// Benchmark: baseline (A) and contender (B) binaries run as separate processes,
// interleaved A B A B so that drift of the machine (frequency, other load) hits both
// alike. Each process makes warm-up calls, then `reps` timed calls at the bench size;
// a run's time is the median of its calls. The per-pair ratios A_i / B_i are speedup
// samples; sampling goes on until a confidence interval on their median decides against
// the threshold or a limit is reached (benchmark-stats.ts, which also holds the decision).
import type { SandboxOptions } from './sandbox.js';
import type { MachineLoad, SpeedupStats } from './types.js';
import { benchTimes, runBench, type HarnessRun } from './run-harness.js';
import { machineLoad, othersRunnableNow, samplePairs, speedupStats, type PairSample } from './benchmark-stats.js';

export interface BenchSubject {
  label: string;
  binary: string;
  cwd: string;
  sandbox: SandboxOptions;
  /** Where the last call's outputs go (for a bench-size comparison); optional. */
  outFile?: string;
}

export interface BenchmarkOptions {
  /** Pairs always run; then more, up to maxPairs / budgetMs, until the interval decides. */
  pairs: number;
  /** Default: pairs (fixed-size sampling, as screening does). */
  maxPairs?: number;
  /** Time budget for the pairs (ms); default 60 s. */
  budgetMs?: number;
  /** Stop when the interval is this narrow (relative); default 0.1. */
  targetWidth?: number;
  /** The speedup a contender must clear to be linked (decides when sampling may stop). Default 1.05. */
  threshold?: number;
  /** Only the calibration run of each side (bench-size outputs), no timing. */
  checkOnly?: boolean;
  /** Untimed calls at the start of every process. */
  warmupCalls: number;
  /** A run may take benchFactor × the baseline's time before it is stopped... */
  benchFactor: number;
  /** ...but never less than this (ms). */
  floorMs?: number;
  /** Aim for processes of about this many ms of timed calls (more calls → stabler median). */
  targetRunMs?: number;
  maxReps?: number;
  log?: (line: string) => void;
}

export interface BenchmarkOutcome {
  ok: boolean;
  /** Which side failed and why, when not ok. */
  failedSide?: 'baseline' | 'contender';
  /** The failing run hit its wall limit: for the contender that is slowness, never a correctness verdict. */
  timedOut?: boolean;
  /** Both calibration runs finished: the bench-size outputs were written (outFile) and can be compared. */
  calibrated?: boolean;
  /** The machine's load while the pairs ran (also in stats), for a failure's verdict. */
  load?: MachineLoad;
  reason: string;
  stats?: SpeedupStats;
  log: string;
}

const DEFAULT_FLOOR_MS = 10_000;
/**
 * The first baseline run has no reference time yet: it gets this much. The contender's
 * calibration run gets at least as much: it writes the bench-size outputs, and a correct
 * but slow variant on a busy machine must still get them compared.
 */
const CALIBRATION_TIMEOUT_MS = 120_000;

/** Bench runs write the outputs of the bench size, which may exceed the sandbox's default file size limit. */
export function benchSandbox(sandbox: SandboxOptions): SandboxOptions {
  return { ...sandbox, fileSizeBytes: BENCH_OUTPUT_LIMIT_BYTES };
}
const BENCH_OUTPUT_LIMIT_BYTES = 1024 ** 3;

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export async function benchmarkBinaries(baseline: BenchSubject, contender: BenchSubject, opts: BenchmarkOptions): Promise<BenchmarkOutcome> {
  const floor = opts.floorMs ?? DEFAULT_FLOOR_MS;
  const lines: string[] = [];
  const note = (l: string) => {
    lines.push(l);
    opts.log?.(l);
  };
  const runOnce = async (s: BenchSubject, reps: number, timeoutMs: number, withOutput: boolean): Promise<HarnessRun & { callMs?: number }> => {
    const r = await runBench(s.binary, reps, opts.warmupCalls, withOutput ? s.outFile : undefined, { cwd: s.cwd, timeoutMs, sandbox: s.sandbox });
    const times = benchTimes(r.stdout);
    if (r.ok && times.length !== reps) return { ...r, ok: false, problem: `printed ${times.length} timings instead of ${reps}` };
    return { ...r, callMs: r.ok ? median(times) : undefined };
  };
  let calibrated = false;
  const failed = (side: 'baseline' | 'contender', s: BenchSubject, r: HarnessRun): BenchmarkOutcome => ({
    ok: false,
    failedSide: side,
    timedOut: r.timedOut,
    calibrated,
    reason: `${s.label}: ${r.problem}`,
    log: lines.join('\n'),
  });

  // Calibration: one call each; also the outputs of the bench size, and the process warm-up.
  const calA = await runOnce(baseline, 1, Math.max(floor, CALIBRATION_TIMEOUT_MS), true);
  if (!calA.ok) return failed('baseline', baseline, calA);
  const perCall = Math.max(calA.callMs!, 1e-3);
  const calTimeout = Math.max(floor, CALIBRATION_TIMEOUT_MS, opts.benchFactor * calA.durationMs);
  const calB = await runOnce(contender, 1, calTimeout, true);
  if (!calB.ok) return failed('contender', contender, calB);
  calibrated = true;
  if (opts.checkOnly) return { ok: true, calibrated, reason: 'bench-size outputs written; timing skipped', log: lines.join('\n') };

  const reps = Math.min(opts.maxReps ?? 100, Math.max(1, Math.ceil((opts.targetRunMs ?? 300) / perCall)));
  const runTimeout = Math.max(floor, opts.benchFactor * (calA.durationMs + reps * perCall));
  const maxPairs = Math.max(opts.pairs, opts.maxPairs ?? opts.pairs);
  note(`benchmark: ${opts.pairs}${maxPairs > opts.pairs ? `–${maxPairs}` : ''} pairs × ${reps} calls (baseline ≈ ${perCall.toFixed(3)} ms/call), run limit ${Math.round(runTimeout)} ms`);

  let failure: BenchmarkOutcome | undefined;
  // The machine's load, sampled between runs (none of ours running): part of the decision.
  const loadSamples: number[] = [];
  const sampleLoad = () => {
    const x = othersRunnableNow();
    if (x !== undefined) loadSamples.push(x);
  };
  const measure = async (): Promise<PairSample | { failed: true }> => {
    sampleLoad();
    const ra = await runOnce(baseline, reps, runTimeout, false);
    sampleLoad();
    if (!ra.ok) return (failure = failed('baseline', baseline, ra)), { failed: true };
    const rb = await runOnce(contender, reps, runTimeout, false);
    if (!rb.ok) return (failure = failed('contender', contender, rb)), { failed: true };
    note(`pair: ${baseline.label} ${ra.callMs!.toFixed(3)} ms, ${contender.label} ${rb.callMs!.toFixed(3)} ms`);
    return { a: ra.callMs!, b: rb.callMs! };
  };
  const sampled = await samplePairs(measure, {
    minPairs: opts.pairs,
    maxPairs,
    budgetMs: opts.budgetMs ?? 60_000,
    targetWidth: opts.targetWidth ?? 0.1,
    threshold: opts.threshold ?? 1.05,
  });
  if (failure) return { ...failure, load: machineLoad(loadSamples) };
  const stats = speedupStats(sampled.samples, sampled.stoppedBecause, machineLoad(loadSamples));
  note(`benchmark: stopped (${sampled.stoppedBecause})`);
  return { ok: true, calibrated, reason: formatSpeedup(stats), stats, log: lines.join('\n') };
}

export function formatSpeedup(s: SpeedupStats): string {
  const ci = s.ci ? `${Math.round(s.ci.level * 100)}% interval ${s.ci.low.toFixed(2)}–${s.ci.high.toFixed(2)}x, ` : '';
  return `speedup ${s.median.toFixed(2)}x (median of ${s.pairs} pairs, ${ci}spread ${s.spread[0].toFixed(2)}–${s.spread[1].toFixed(2)}x; ` +
    `${s.originalMedianMs.toFixed(3)} ms → ${s.candidateMedianMs.toFixed(3)} ms per call)`;
}
