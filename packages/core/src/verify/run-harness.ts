// Running a test binary in test or bench mode and turning what happened into one line.
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { runCandidateStep, type SandboxOptions } from './sandbox.js';
import { stepEnv } from './build.js';
import { BENCH_LINE_PREFIX, EXIT_GUARD_VIOLATION, EXIT_HARNESS_ERROR, EXIT_ICV_CHANGED, EXIT_INPUT_MODIFIED } from './harness.js';

export interface HarnessRun {
  ok: boolean;
  timedOut: boolean;
  /** '' when ok; otherwise why, in one line (guard zone, sanitizer report, crash, timeout). */
  problem: string;
  stdout: string;
  stderr: string;
  durationMs: number;
}

export interface RunOptions {
  cwd: string;
  threads?: number;
  timeoutMs: number;
  /** Extra environment (sanitizer options). */
  env?: Record<string, string>;
  sandbox: SandboxOptions;
}

function runEnv(opts: RunOptions, forBench: boolean): Record<string, string> {
  const env: Record<string, string> = { ...opts.env };
  if (opts.threads !== undefined) env.OMP_NUM_THREADS = String(opts.threads);
  // Oversubscribed test runs (3 threads on 2 cores) waste most of their time spinning
  // in libgomp barriers; passive waiting changes speed, not results. Other runs keep the
  // default: spinning workers start a parallel region together, which is when races show.
  if (!forBench && opts.threads !== undefined && opts.threads > availableParallelism()) env.OMP_WAIT_POLICY = 'PASSIVE';
  return stepEnv(opts.cwd, env);
}

async function run(argv: string[], opts: RunOptions, forBench: boolean): Promise<HarnessRun> {
  const r = await runCandidateStep(argv, {
    cwd: opts.cwd,
    env: runEnv(opts, forBench),
    clearEnv: true,
    timeoutMs: opts.timeoutMs,
    maxOutputBytes: 64 * 1024,
    sandbox: opts.sandbox,
  });
  const base = { timedOut: r.timedOut, stdout: r.stdout, stderr: r.stderr, durationMs: r.durationMs };
  if (r.timedOut) return { ...base, ok: false, problem: `timed out after ${opts.timeoutMs} ms` };
  if (r.sandbox.limitHit) return { ...base, ok: false, problem: `stopped by the sandbox's ${r.sandbox.limitHit} limit (${explainFailure(r.exitCode, r.signal, r.stderr)})` };
  if (r.exitCode === 0 && !r.signal) return { ...base, ok: true, problem: '' };
  return { ...base, ok: false, problem: explainFailure(r.exitCode, r.signal, r.stderr) };
}

/**
 * Test call(s) at sizes.test[sizeIndex] with the given seed; the first call's outputs go to
 * outFile, those of each later call that differs from the first to `${outFile}.${call}`.
 */
export function runTest(binary: string, sizeIndex: number, seed: number, outFile: string, opts: RunOptions & { calls?: number }): Promise<HarnessRun> {
  return run([binary, 'test', String(sizeIndex), String(seed), outFile, String(opts.calls ?? 1)], opts, false);
}

/** One bench process: warm-up calls, then `reps` timed calls; outputs of the last call go to outFile. */
export function runBench(binary: string, reps: number, warmups: number, outFile: string | undefined, opts: RunOptions): Promise<HarnessRun> {
  return run([binary, 'bench', String(reps), String(warmups), ...(outFile ? [outFile] : [])], opts, true);
}

/** Warm-up calls, then `reps` timed calls at the given size (one value per size name, in sizeNames order). */
export function runSized(binary: string, reps: number, warmups: number, size: readonly number[], opts: RunOptions): Promise<HarnessRun> {
  return run([binary, 'sized', String(reps), String(warmups), ...size.map((v) => String(Math.round(v)))], opts, true);
}

/** One call at the bench size on a thread with a `kib` KiB stack (workers get OMP_STACKSIZE from opts.env); outputs to outFile. */
export function runStack(binary: string, kib: number, outFile: string, opts: RunOptions): Promise<HarnessRun> {
  return run([binary, 'stack', String(kib), outFile], opts, false);
}

/** Per-call times (ms) printed by a bench run. */
export function benchTimes(stdout: string): number[] {
  return stdout
    .split('\n')
    .filter((l) => l.startsWith(BENCH_LINE_PREFIX))
    .map((l) => Number(l.slice(BENCH_LINE_PREFIX.length)))
    .filter((x) => Number.isFinite(x));
}

/** The one line that says why a run failed, from its exit status and stderr. */
export function explainFailure(exitCode: number | null, signal: string | null, stderr: string): string {
  const lines = stderr.split('\n').map((l) => l.trim()).filter(Boolean);
  const harness = lines.find((l) => l.startsWith('autopar harness: '))?.slice('autopar harness: '.length);
  if (harness && (exitCode === EXIT_GUARD_VIOLATION || exitCode === EXIT_INPUT_MODIFIED || exitCode === EXIT_HARNESS_ERROR || exitCode === EXIT_ICV_CHANGED)) return harness;
  const asan = lines.find((l) => /ERROR: AddressSanitizer:/.test(l));
  if (asan) return explainAsan(asan, lines);
  const ubsan = lines.find((l) => /runtime error:/.test(l));
  if (ubsan) return `UndefinedBehaviorSanitizer: ${ubsan.replace(/^.*?(\S+:\d+:\d+: runtime error:)/, '$1')}`;
  const other = lines.find((l) => /Sanitizer/.test(l));
  if (other) return other;
  if (signal) return `crashed with ${signal}${lines.length ? `: ${lines[lines.length - 1]}` : ''}`;
  return `exited with code ${exitCode}${lines.length ? `: ${lines[lines.length - 1]}` : ''}`;
}

export function outputPath(dir: string, tag: string): string {
  return join(dir, `out-${tag}.bin`);
}

/**
 * "AddressSanitizer: READ of size 4 past the end of buffer x (byte 0 after its 1 elements) at
 * saxpy.c:7 in saxpy". The harness prints each buffer's address under ASan, so an address in
 * or near a guard zone is named by its buffer.
 */
function explainAsan(errorLine: string, lines: string[]): string {
  const kind = /AddressSanitizer: ([\w-]+)/.exec(errorLine)?.[1] ?? 'error';
  const access = lines.find((l) => /^(READ|WRITE) of size \d+/.test(l))?.replace(/ at 0x\w+.*$| thread .*$/, '');
  const summary = lines.find((l) => l.startsWith('SUMMARY: AddressSanitizer:'));
  const location = summary ? /AddressSanitizer: [\w-]+ (.*)$/.exec(summary)?.[1] : undefined;
  const where = location ? ` at ${location.replace(/(^|\s)\/\S*\//g, '$1')}` : '';
  const address = /on (?:unknown )?address (0x[0-9a-f]+)/.exec(errorLine)?.[1];
  const buffer = address ? bufferNear(BigInt(address), lines) : undefined;
  if (buffer) return `AddressSanitizer: ${access ?? kind} ${buffer}${where}`;
  return `AddressSanitizer: ${kind}${access ? ` (${access})` : ''}${where}`;
}

function bufferNear(address: bigint, lines: string[]): string | undefined {
  const SLACK = 4096n;
  for (const l of lines) {
    const m = /^autopar-buffer (\S+) (0x[0-9a-f]+|\(nil\)) (\d+) (\d+)$/.exec(l);
    if (!m || m[2] === '(nil)') continue;
    const start = BigInt(m[2]!);
    const end = start + BigInt(m[3]!);
    if (address >= end && address < end + SLACK) return `past the end of buffer ${m[1]} (byte ${address - end} after its ${m[4]} elements)`;
    if (address < start && address >= start - SLACK) return `before the start of buffer ${m[1]} (${start - address} bytes before it)`;
    if (address >= start && address < end) return `inside buffer ${m[1]}`;
  }
  return undefined;
}
