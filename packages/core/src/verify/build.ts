// Compiling harness objects and test binaries. Every compiler call goes through
// runCandidateStep: compiling model-written code is already running untrusted input
// (think `#include "/dev/zero"` or a pathological template of macros).
import { runCandidateStep, type SandboxOptions } from './sandbox.js';
import type { ResolvedToolchain } from './policy.js';

export interface CompileOutcome {
  ok: boolean;
  /** '' when ok; otherwise the first compiler error line(s) or the timeout. */
  reason: string;
  /** Compiler output (tail), for the report. */
  log: string;
  durationMs: number;
}

export interface CompileOptions {
  cwd: string;
  timeoutMs: number;
  sandbox: SandboxOptions;
}

const LOG_TAIL = 4000;

/** Environment of every step: nothing from the caller's shell but PATH (to find as/ld). */
export function stepEnv(cwd: string, extra: Record<string, string> = {}): Record<string, string> {
  return { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C', LC_ALL: 'C', TMPDIR: cwd, ...extra };
}

export function tail(text: string, max = LOG_TAIL): string {
  return text.length <= max ? text : `…${text.slice(text.length - max)}`;
}

/** Compiles one source to an object (harness.c once per toolchain flavor; a recipe's kernel TU). */
export async function compileObject(tc: ResolvedToolchain, source: string, object: string, opts: CompileOptions, includeDirs: string[] = []): Promise<CompileOutcome> {
  return compile([tc.cc, ...tc.cflags, ...includeDirs.flatMap((d) => ['-I', d]), '-c', source, '-o', object], opts);
}

/**
 * Compiles a kernel TU and links it with a harness object. `includeDirs` are searched for
 * the TU's quoted includes (the TU is written outside its project folder).
 */
export async function buildTestBinary(
  tc: ResolvedToolchain,
  args: { kernelTu: string; harnessObject: string; output: string; includeDirs: string[]; extraFlags?: string[]; extraObjects?: string[] },
  opts: CompileOptions,
): Promise<CompileOutcome> {
  const includes = args.includeDirs.flatMap((d) => ['-I', d]);
  return compile(
    [tc.cc, ...tc.cflags, ...(args.extraFlags ?? []), ...includes, args.kernelTu, args.harnessObject, ...(args.extraObjects ?? []), '-o', args.output, ...tc.ldflags],
    opts,
  );
}

async function compile(argv: string[], opts: CompileOptions): Promise<CompileOutcome> {
  const r = await runCandidateStep(argv, {
    cwd: opts.cwd,
    env: stepEnv(opts.cwd),
    clearEnv: true,
    timeoutMs: opts.timeoutMs,
    maxOutputBytes: 256 * 1024,
    sandbox: opts.sandbox,
  });
  const log = tail(`$ ${argv.join(' ')}\n${r.stdout}${r.stderr}`);
  if (r.timedOut) return { ok: false, reason: `compiler timed out after ${opts.timeoutMs} ms`, log, durationMs: r.durationMs };
  if (r.exitCode !== 0) return { ok: false, reason: firstErrors(r.stderr) || `compiler exited with ${r.exitCode ?? r.signal}`, log, durationMs: r.durationMs };
  return { ok: true, reason: '', log, durationMs: r.durationMs };
}

/** The first error lines of compiler output ("file.c:12:5: error: ..."), or of the linker. */
export function firstErrors(stderr: string, max = 2): string {
  const lines = stderr.split('\n').map((l) => l.trim());
  const errors = lines.filter((l) => /\berror\b|undefined reference/i.test(l));
  return (errors.length ? errors : lines.filter(Boolean)).slice(0, max).join(' | ');
}
