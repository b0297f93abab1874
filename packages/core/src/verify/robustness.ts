// Differential runs beyond the plain size × seed × 1/2/3-thread grid, for the blind spots a
// held-out corpus found (issue 11): each compares every call's outputs with the original's.
//   - an oversubscribed team (8 threads on this machine's cores) at the costliest test size;
//   - teams smaller than asked: OMP_THREAD_LIMIT below OMP_NUM_THREADS, OMP_DYNAMIC on an
//     oversubscribed request, and the kernel called from inside an active parallel region
//     (its own regions then get one thread while omp_get_max_threads() says more);
//   - many calls in one process at the cheapest size (a variant that counts its calls goes
//     wrong after a few), every call compared;
//   - in every run the harness checks after each call that the caller's OpenMP settings are
//     unchanged (exit 5, harness.ts);
//   - stack headroom: one call at the bench size with 1/8 of the usual stack for the calling
//     thread and the team's workers; a variable-length array that needs more overflows at 8×
//     the bench size. Only the candidate's failure counts: when the original fails the same
//     way the headroom check says nothing.
// One stage record ('differential', as these are differential runs), stopping at the first failure.
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { KernelSpec, SizeBinding } from '../spec/types.js';
import { tail } from './build.js';
import { compareOutputs } from './compare.js';
import { describeSize } from './harness.js';
import { readOutputFile, type OutputRecord } from './output-file.js';
import { runStack, runTest, type HarnessRun } from './run-harness.js';
import type { SandboxOptions } from './sandbox.js';
import type { StageResult } from './types.js';

/** The original's reference outputs of one test (as PreparedOriginal.tests holds them). */
export interface ReferenceTest {
  sizeIndex: number;
  seed: number;
  outputs: OutputRecord[];
  durationMs?: number;
}

export interface RobustnessInput {
  binary: string;
  originalBinary: string;
  spec: KernelSpec;
  /** The spec with derived sizes (indices of `tests` point into its sizes.test). */
  testSpec: KernelSpec;
  tests: ReferenceTest[];
  dir: string;
  sandbox: SandboxOptions;
  /** Time limit of one uninstrumented test call at a size index. */
  callTimeoutMs(sizeIndex: number, seed: number): number;
  /** Time limit of one call at the bench size; default from the costliest test's time scaled to the bench size. */
  benchCallTimeoutMs?: number;
}

/** What the stage runs, in order (cheap first). */
export const ROBUSTNESS_PLAN = {
  repeatedCalls: 16,
  oversubscribedThreads: 8,
  /** The calling thread's and each worker's stack in the headroom run (1/8 of the usual 8 MiB). */
  stackKiB: 1024,
};

interface TeamRun {
  what: string;
  sizeIndex: number;
  threads: number;
  calls: number;
  env: Record<string, string>;
}

const cost = (b: SizeBinding) => Object.values(b).reduce((p, v) => p * (v + 1), 1);

export function robustnessRuns(input: Pick<RobustnessInput, 'spec' | 'testSpec' | 'tests'>): TeamRun[] {
  const own = input.spec.sizes.test.map((_, i) => i).filter((i) => input.tests.some((t) => t.sizeIndex === i));
  if (own.length === 0) return [];
  const byCost = [...own].sort((a, b) => cost(input.testSpec.sizes.test[a]!) - cost(input.testSpec.sizes.test[b]!));
  const largest = byCost[byCost.length - 1]!;
  // The cheapest size with more than a handful of elements: a size of 1 hides chunking state.
  const small = byCost.find((i) => cost(input.testSpec.sizes.test[i]!) > 16) ?? largest;
  const over = ROBUSTNESS_PLAN.oversubscribedThreads;
  return [
    { what: `${ROBUSTNESS_PLAN.repeatedCalls} calls in one process`, sizeIndex: small, threads: 2, calls: ROBUSTNESS_PLAN.repeatedCalls, env: {} },
    { what: `${over} threads (oversubscribed)`, sizeIndex: largest, threads: over, calls: 2, env: { OMP_WAIT_POLICY: 'PASSIVE' } },
    { what: 'OMP_NUM_THREADS=4 with OMP_THREAD_LIMIT=2 (a team smaller than omp_get_max_threads())', sizeIndex: largest, threads: 4, calls: 2, env: { OMP_THREAD_LIMIT: '2' } },
    { what: `OMP_DYNAMIC=true with ${over} threads asked`, sizeIndex: largest, threads: over, calls: 2, env: { OMP_DYNAMIC: 'true', OMP_WAIT_POLICY: 'PASSIVE' } },
    { what: 'called from inside an active parallel region (nested: its regions get one thread)', sizeIndex: largest, threads: 3, calls: 2, env: { AUTOPAR_TEAM: 'nested', OMP_MAX_ACTIVE_LEVELS: '1' } },
  ];
}

export async function robustnessStage(input: RobustnessInput): Promise<StageResult> {
  const started = performance.now();
  const done = (ok: boolean, reason: string, log?: string): StageResult => ({ stage: 'differential', ok, reason, durationMs: performance.now() - started, ...(log ? { log } : {}) });
  const runs = robustnessRuns(input);
  for (const run of runs) {
    const ref = input.tests.find((t) => t.sizeIndex === run.sizeIndex)!;
    const size = input.testSpec.sizes.test[run.sizeIndex]!;
    const where = `size ${describeSize(size)}, seed ${ref.seed}, ${run.what}`;
    const outFile = join(input.dir, `robust-s${run.sizeIndex}-t${run.threads}.bin`);
    const r = await runTest(input.binary, run.sizeIndex, ref.seed, outFile, {
      cwd: input.dir,
      threads: run.threads,
      calls: run.calls,
      env: run.env,
      // Oversubscribed teams and many calls: the limit scales with both.
      timeoutMs: input.callTimeoutMs(run.sizeIndex, ref.seed) * run.calls * Math.max(1, run.threads / 2),
      sandbox: input.sandbox,
    });
    if (!r.ok) return done(false, `${r.problem} in differential (${where})`, tail(r.stderr));
    for (let call = 0; call < run.calls; call++) {
      const file = call === 0 ? outFile : `${outFile}.${call}`;
      if (call > 0 && !existsSync(file)) continue; // same outputs as the first call
      const outputs = await readOutputFile(file);
      await rm(file, { force: true });
      const cmp = compareOutputs(ref.outputs, outputs, input.spec, { size, seed: ref.seed, label: `${where}, call ${call + 1} of ${run.calls}` });
      if (!cmp.ok) return done(false, cmp.message, cmp.mismatches.map((m) => `${m.buffer}[${m.index}]: expected ${m.expected} got ${m.actual}`).join('\n'));
    }
  }
  const stack = await stackHeadroom(input);
  if (stack) return done(false, stack.reason, stack.log);
  return done(true, `${runs.length} team-shape and repeated-call runs match the original with the caller's OpenMP settings unchanged; the bench size runs on ${ROBUSTNESS_PLAN.stackKiB} KiB stacks`);
}

async function stackHeadroom(input: RobustnessInput): Promise<{ reason: string; log?: string } | undefined> {
  const kib = ROBUSTNESS_PLAN.stackKiB;
  const opts = (_side: string) => ({
    cwd: input.dir,
    threads: 2,
    env: { OMP_STACKSIZE: `${kib}K` },
    timeoutMs: input.benchCallTimeoutMs ?? benchCallTimeout(input),
    sandbox: input.sandbox,
  });
  const out = join(input.dir, 'stack-candidate.bin');
  const r: HarnessRun = await runStack(input.binary, kib, out, opts('candidate'));
  await rm(out, { force: true });
  if (r.ok) return undefined;
  const orig = join(input.dir, 'stack-original.bin');
  const o = await runStack(input.originalBinary, kib, orig, opts('original'));
  await rm(orig, { force: true });
  if (!o.ok) return undefined; // the original needs the stack too: not the candidate's doing
  const where = `bench size ${describeSize(input.spec.sizes.bench)} on ${kib} KiB stacks (1/8 of the usual; the original runs there)`;
  // Two causes look alike here: stack use that grows with the size (variable-length arrays),
  // and large fixed local arrays (Polly's packing buffers for a matrix product are megabytes).
  return { reason: `${r.problem} at the ${where}: the candidate needs more stack than the original — variable-length or large local arrays (Polly's matrix-product packing buffers are such) — and would overflow a thread with a smaller stack, or a size 8× larger; use heap scratch`, log: tail(r.stderr) };
}

/** 20× the costliest reference test's time, scaled by the bench size's cost; 30 s to 5 min. */
function benchCallTimeout(input: RobustnessInput): number {
  let worst = 0;
  for (const t of input.tests) {
    const scale = cost(input.spec.sizes.bench) / Math.max(1, cost(input.testSpec.sizes.test[t.sizeIndex]!));
    worst = Math.max(worst, (t.durationMs ?? 0) * scale);
  }
  return Math.min(300_000, Math.max(30_000, 20 * worst));
}
