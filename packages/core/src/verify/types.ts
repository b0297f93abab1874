// Verification verdicts: plain data recorded in the store and the report.

export type StageName =
  | 'static-gate'
  | 'plan-legality'
  | 'compile'
  | 'differential'
  | 'sanitize-memory'
  | 'sanitize-race'
  | 'benchmark';

export interface StageResult {
  stage: StageName;
  ok: boolean;
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
}

export interface Verdict {
  accepted: boolean;
  /** First failing stage, or 'benchmark' when accepted. */
  stage: StageName;
  reason: string;
  stages: StageResult[];
  speedup?: SpeedupStats;
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
  warmupRuns: number;
  sanitizers: { memory: boolean; race: boolean };
  timeouts: { compileMs: number; testMs: number; benchFactor: number };
}
