// Verification verdicts: plain data recorded in the store and the report.

export type StageName =
  | 'static-gate'
  | 'plan-legality'
  | 'compile'
  | 'differential'
  | 'sanitize-memory'
  | 'sanitize-race'
  | 'benchmark';

/**
 * What happened to a stage: it ran (and `ok` says how it went), it was skipped (the reason
 * says why: a check that did not run is never a pass), or it failed.
 */
export type StageStatus = 'ran' | 'skipped' | 'failed';

export interface StageResult {
  stage: StageName;
  ok: boolean;
  /** Set by the verifier on every stage it records (absent in records written before it existed). */
  status?: StageStatus;
  /** A stage that could not give a verdict (no race detector here) says so. */
  skipped?: boolean;
  /** One line a human can act on: why it failed, or what passed. */
  reason: string;
  durationMs: number;
  /** Compiler / test / sanitizer output (tail), kept for the report and --verbose. */
  log?: string;
}

export interface SpeedupStats {
  /** median(original) / median(candidate) */
  median: number;
  /** [min, max] of per-pair ratios */
  spread: [number, number];
  pairs: number;
  originalMedianMs: number;
  candidateMedianMs: number;
  /**
   * Distribution-free confidence interval on the median per-pair speedup (order statistics
   * of the pair ratios; benchmark-stats.ts). Absent in records written before it existed.
   */
  ci?: { level: number; low: number; high: number };
  /** The machine's noise in the same run: spread of consecutive original-vs-original ratios ([low, high] at the same level). */
  noise?: { low: number; high: number };
  /** Why sampling stopped: decided, interval narrow enough, pair limit or time budget. */
  stoppedBecause?: string;
  /**
   * How loaded the machine was while it was measured: other runnable threads (median of
   * samples of /proc/loadavg taken between runs) on how many cores. On a busy machine a
   * parallel variant measures slower than it is, so 'slower' is then not final.
   */
  load?: MachineLoad;
}

export interface MachineLoad {
  othersRunnable: number;
  cores: number;
  busy: boolean;
}

/**
 * The speed side of a verdict, against the build's threshold:
 * - 'faster': the interval's lower bound clears the threshold → may be linked;
 * - 'slower': the upper bound is below the threshold (or the bench run timed out) → original kept, final;
 * - 'inconclusive': the interval straddles the threshold → original kept for now, re-measured on a later build;
 * - 'not-measured': timing was skipped (AUTOPAR_VERIFY_SKIP_BENCH, `autopar verify --no-bench`).
 */
export type SpeedDecision = 'faster' | 'slower' | 'inconclusive' | 'not-measured';

/**
 * What a verdict is about:
 * - 'correctness': a stage failed; `stage` and `reason` say which and why;
 * - 'incomplete': a stage the policy asks for did not run (e.g. no race detector) and the user did not opt out;
 * - 'speed': every correctness check the policy asks for ran and passed (accepted); `speed` decides linking;
 * - 'screening': only the cheap gates, compile and a short benchmark ran: never a verdict of correctness.
 */
export type VerdictKind = 'correctness' | 'incomplete' | 'speed' | 'screening';

/** What verification had available when it gave a verdict (repeated in every report). */
export interface VerifyConditions {
  /** e.g. 'bubblewrap', 'off (AUTOPAR_SANDBOX=off)', 'unavailable (bwrap not found)'. */
  sandbox: string;
  /** e.g. 'clang-19 with TSan + Archer', 'missing (clang-19 not found)', 'not asked for by the policy'. */
  raceDetector: string;
  /** Stages the user explicitly allowed to be skipped (AUTOPAR_ALLOW_UNVERIFIED), recorded with the verdict. */
  allowUnverified: StageName[];
  /** AUTOPAR_MEMORY_LIMIT in bytes when set (the sandbox's memory cap for kernels whose spec sets none). */
  memoryLimit?: number;
}

export interface Verdict {
  accepted: boolean;
  /** First failing stage, or 'benchmark' when accepted. */
  stage: StageName;
  reason: string;
  stages: StageResult[];
  speedup?: SpeedupStats;
  /** Absent in records written before verdict kinds existed. */
  kind?: VerdictKind;
  /** For kind 'speed' (and 'screening'): what the benchmark decided against the threshold. */
  speed?: { decision: SpeedDecision; threshold: number; why: string };
  /** Stages that did not run, with why (also those the user allowed to be skipped). */
  skipped?: Array<{ stage: StageName; reason: string; allowed: boolean }>;
  conditions?: VerifyConditions;
  /** For an accepted, faster candidate: below which size the linked kernel calls the original (size-guard.ts). */
  sizeGuard?: SizeGuard;
}

/** One size of the size ladder: the candidate's speedup over the original there. */
export interface SizeLadderPoint {
  size: Record<string, number>;
  /** The guard's measure at this size. */
  measure: number;
  speedup: number;
}

/** The serial path of a faster variant: the original runs while `measure < threshold`. */
export interface SizeGuard {
  /** C expression over the kernel's integer parameters; null when the kernel has none. */
  measure: string | null;
  /** null: no guard (the candidate won at every size timed, or nothing could be timed). */
  threshold: number | null;
  points: SizeLadderPoint[];
  /** One line for the report: the threshold and the measured speedups it came from. */
  why: string;
}

/** What can change a verdict: part of the key. */
export interface VerifyPolicy {
  version: number;
  threadCounts: number[];
  /** Differential seeds: the spec's, then derived ones up to this many (plus the NaN/Inf seed when asked for). */
  seeds: number;
  /** At most this many derived (edge) test sizes; 0: only the spec's sizes. */
  edgeSizes: number;
  benchPairs: number;
  /**
   * Time a faster candidate at the test sizes and a ladder up to the bench size, and keep the
   * original below the size where it stops winning (size-guard.ts). Default true.
   */
  sizeGuard?: boolean;
  warmupRuns: number;
  sanitizers: { memory: boolean; race: boolean };
  timeouts: { compileMs: number; testMs: number; benchFactor: number };
  /**
   * Adaptive benchmark: after `benchPairs` pairs, keep sampling until the confidence interval
   * decides (or is narrower than `benchTargetWidth`, relative) or `benchMaxPairs` / `benchBudgetMs` is spent.
   */
  benchMaxPairs?: number;
  benchBudgetMs?: number;
  benchTargetWidth?: number;
}
