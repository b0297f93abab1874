// Benchmark: baseline (A) and contender (B) binaries run as separate processes,
// interleaved A B A B so that drift of the machine (frequency, other load) hits both
// alike. Each process makes warm-up calls, then `reps` timed calls at the bench size;
// a run's time is the median of its calls. speedup = median(A runs) / median(B runs);
// spread = [min, max] of the per-pair ratios A_i / B_i.
import type { SandboxOptions } from './sandbox.js';
import type { SpeedupStats } from './types.js';
import { benchTimes, runBench, type HarnessRun } from './run-harness.js';

export interface BenchSubject {
  label: string;
  binary: string;
  cwd: string;
  sandbox: SandboxOptions;
  /** Where the last call's outputs go (for a bench-size comparison); optional. */
  outFile?: string;
}

export interface BenchmarkOptions {
  pairs: number;
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
  reason: string;
  stats?: SpeedupStats;
  log: string;
}

const DEFAULT_FLOOR_MS = 10_000;
/** The first baseline run has no reference time yet: it gets this much. */
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
  const failed = (side: 'baseline' | 'contender', s: BenchSubject, r: HarnessRun): BenchmarkOutcome => ({
    ok: false,
    failedSide: side,
    reason: `${s.label}: ${r.problem}`,
    log: lines.join('\n'),
  });

  // Calibration: one call each; also the outputs of the bench size, and the process warm-up.
  const calA = await runOnce(baseline, 1, Math.max(floor, CALIBRATION_TIMEOUT_MS), true);
  if (!calA.ok) return failed('baseline', baseline, calA);
  const perCall = Math.max(calA.callMs!, 1e-3);
  const calTimeout = Math.max(floor, opts.benchFactor * calA.durationMs);
  const calB = await runOnce(contender, 1, calTimeout, true);
  if (!calB.ok) return failed('contender', contender, calB);

  const reps = Math.min(opts.maxReps ?? 100, Math.max(1, Math.ceil((opts.targetRunMs ?? 300) / perCall)));
  const runTimeout = Math.max(floor, opts.benchFactor * (calA.durationMs + reps * perCall));
  note(`benchmark: ${opts.pairs} pairs × ${reps} calls (baseline ≈ ${perCall.toFixed(3)} ms/call), run limit ${Math.round(runTimeout)} ms`);

  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < opts.pairs; i++) {
    const ra = await runOnce(baseline, reps, runTimeout, false);
    if (!ra.ok) return failed('baseline', baseline, ra);
    const rb = await runOnce(contender, reps, runTimeout, false);
    if (!rb.ok) return failed('contender', contender, rb);
    a.push(ra.callMs!);
    b.push(rb.callMs!);
    note(`pair ${i + 1}: ${baseline.label} ${ra.callMs!.toFixed(3)} ms, ${contender.label} ${rb.callMs!.toFixed(3)} ms`);
  }
  const ratios = a.map((x, i) => x / Math.max(b[i]!, 1e-9));
  const stats: SpeedupStats = {
    median: median(a) / Math.max(median(b), 1e-9),
    spread: [Math.min(...ratios), Math.max(...ratios)],
    pairs: opts.pairs,
    originalMedianMs: median(a),
    candidateMedianMs: median(b),
  };
  return { ok: true, reason: formatSpeedup(stats), stats, log: lines.join('\n') };
}

export function formatSpeedup(s: SpeedupStats): string {
  return `speedup ${s.median.toFixed(2)}x (median of ${s.pairs} pairs, spread ${s.spread[0].toFixed(2)}–${s.spread[1].toFixed(2)}x; ` +
    `${s.originalMedianMs.toFixed(3)} ms → ${s.candidateMedianMs.toFixed(3)} ms per call)`;
}
