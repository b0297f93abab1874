// Runs one step (compile, test, benchmark) as a child process with a wall-clock
// limit. The child gets its own process group so a timeout kills everything it
// started (forks included), not only the direct child.
import { execa } from 'execa';

export interface StepOptions {
  cwd: string;
  env?: Record<string, string>;
  /** Do not inherit the parent's environment (sandboxed runs). */
  clearEnv?: boolean;
  timeoutMs: number;
  /** Max bytes kept from each of stdout/stderr (the tail is kept). */
  maxOutputBytes?: number;
  input?: string;
}

export interface StepResult {
  argv: string[];
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  stdout: string;
  stderr: string;
  durationMs: number;
}

const DEFAULT_MAX_OUTPUT = 1 << 20;

export async function runStep(argv: string[], opts: StepOptions): Promise<StepResult> {
  const started = performance.now();
  const max = opts.maxOutputBytes ?? DEFAULT_MAX_OUTPUT;
  const child = execa(argv[0]!, argv.slice(1), {
    cwd: opts.cwd,
    env: opts.env,
    extendEnv: !opts.clearEnv,
    reject: false,
    detached: true, // own process group: kill(-pid) reaches grandchildren
    stdin: opts.input === undefined ? 'ignore' : 'pipe',
    input: opts.input,
    stripFinalNewline: false,
    buffer: false,
  });
  const out = tailCollector(max);
  const err = tailCollector(max);
  child.stdout?.on('data', (b: Buffer) => out.push(b));
  child.stderr?.on('data', (b: Buffer) => err.push(b));
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    killGroup(child.pid);
  }, opts.timeoutMs);
  try {
    const r = await child;
    return {
      argv,
      exitCode: r.exitCode ?? null,
      signal: r.signal ?? null,
      timedOut,
      stdout: out.text(),
      stderr: err.text() + (r.failed && r.exitCode === undefined && !timedOut && r.message ? `\n${r.message}` : ''),
      durationMs: performance.now() - started,
    };
  } finally {
    clearTimeout(timer);
    // Whatever the outcome, nothing the step started may outlive it.
    killGroup(child.pid);
  }
}

function killGroup(pid: number | undefined): void {
  if (!pid) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    /* already gone */
  }
}

function tailCollector(max: number) {
  const chunks: Buffer[] = [];
  let size = 0;
  return {
    push(b: Buffer) {
      chunks.push(b);
      size += b.length;
      while (size - chunks[0]!.length > max && chunks.length > 1) size -= chunks.shift()!.length;
    },
    text() {
      const all = Buffer.concat(chunks);
      return all.subarray(Math.max(0, all.length - max)).toString('utf8');
    },
  };
}
