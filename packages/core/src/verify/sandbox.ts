// Every compile and run of candidate code goes through runCandidateStep.
// First version: process-group kill and wall-clock limit only (runStep).
// The sandbox issue replaces the body with bubblewrap + cgroups + rlimits;
// callers do not change.
import { runStep, type StepOptions, type StepResult } from './run-step.js';

export interface SandboxOptions {
  /** The only directory the step may write (mounted as the work dir). */
  workDir: string;
  /** Extra read-only paths the step needs (e.g. the toolchain). */
  readOnly?: string[];
  /** CPU-seconds limit for the step (RLIMIT_CPU). */
  cpuSeconds?: number;
  /** Memory limit in bytes (cgroup memory.max; never RLIMIT_AS, which breaks sanitizers). */
  memoryBytes?: number;
  /** Max processes/threads (cgroup pids.max). */
  maxPids?: number;
}

export interface SandboxReport {
  /** Protections active for this step, e.g. ['process-group', 'wall-limit']. */
  active: string[];
  /** Protections wanted but unavailable here, each with why. */
  missing: string[];
}

export async function runCandidateStep(
  argv: string[],
  opts: StepOptions & { sandbox?: SandboxOptions },
): Promise<StepResult & { sandbox: SandboxReport }> {
  const r = await runStep(argv, opts);
  return { ...r, sandbox: { active: ['process-group', 'wall-limit'], missing: ['bubblewrap: not wired yet'] } };
}
