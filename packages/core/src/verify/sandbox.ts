// Every compile and run of candidate code goes through runCandidateStep.
//
// Layers, each optional so a machine without one still runs steps and says so
// in the step's SandboxReport:
//  1. bubblewrap: new namespaces (no network, own pids), uid 65534 in a user
//     namespace, all capabilities dropped, read-only toolchain, a tmpfs /tmp,
//     the work dir as the only writable host path, no $HOME, cleared env.
//  2. cgroup (v2, or v1 pids+memory hierarchies): pids.max and a memory limit per step.
//  3. rlimits: CPU seconds, file size, open files, no core files (never RLIMIT_AS).
//  4. runStep: own process group, wall-clock limit, group kill; bwrap's
//     --die-with-parent takes the sandbox's pid namespace down with it.
//
// AUTOPAR_SANDBOX=off turns bubblewrap off (debugging, or hosts where it cannot
// run); the report then lists it as missing by choice. cgroups and rlimits stay.
// AUTOPAR_CGROUP=off likewise turns the per-step cgroups off (to test the fallback).
//
// Environment: the parent's environment never reaches the step. Only the
// caller's opts.env entries whose names are on ENV_ALLOWED pass, plus PATH and LANG=C.
import { availableParallelism } from 'node:os';
import { runStep, type StepOptions, type StepResult } from './run-step.js';
import { bwrapArgs, SANDBOX_UID } from './sandbox/bwrap.js';
import { createStepCgroup, type StepCgroup } from './sandbox/cgroup.js';
import { MINIMAL_PATH, sandboxSetup } from './sandbox/detect.js';
import { wrapperArgv, type Rlimits } from './sandbox/wrapper.js';
import { DEFAULT_MEMORY_LIMIT_BYTES, memoryLimitFromEnv } from '../spec/memory-limit.js';

export { detectSandbox, type SandboxCapabilities } from './sandbox/detect.js';

export interface SandboxOptions {
  /** The only directory the step may write (mounted as the work dir). */
  workDir: string;
  /** Extra read-only paths the step needs (e.g. the toolchain). */
  readOnly?: string[];
  /** CPU-seconds limit for the step (RLIMIT_CPU). Default: wall limit × cores. */
  cpuSeconds?: number;
  /**
   * Memory limit in bytes (cgroup memory.max; never RLIMIT_AS, which breaks sanitizers).
   * Default: AUTOPAR_MEMORY_LIMIT, else 2 GiB (verification passes the kernel's spec value).
   */
  memoryBytes?: number;
  /** Max processes/threads (cgroup pids.max). */
  maxPids?: number;
  /** Largest file the step may write (RLIMIT_FSIZE). Default 64 MiB. */
  fileSizeBytes?: number;
  /** RLIMIT_NOFILE. Default 512. */
  openFiles?: number;
}

export interface SandboxReport {
  /** Protections active for this step, e.g. ['process-group', 'wall-limit']. */
  active: string[];
  /** Protections wanted but unavailable here, each with why. */
  missing: string[];
  /** The limit that stopped the step, when one did. */
  limitHit?: 'wall-time' | 'cpu-time' | 'file-size' | 'memory' | 'pids';
}

export const SANDBOX_DEFAULTS = {
  memoryBytes: DEFAULT_MEMORY_LIMIT_BYTES,
  maxPids: 256,
  fileSizeBytes: 64 * 1024 ** 2,
  openFiles: 512,
  tmpSizeBytes: 256 * 1024 ** 2,
};

const ENV_ALLOWED = [
  /^PATH$/,
  /^LANG$/,
  /^LC_ALL$/,
  // The verifier points TMPDIR at the work dir so compiler temporaries stay in the sandbox.
  /^TMPDIR$/,
  /^OMP_/,
  /^KMP_/,
  /^GOMP_/,
  /^[A-Z]+SAN_OPTIONS$/,
  /^ARCHER_OPTIONS$/,
  /^CUDA_VISIBLE_DEVICES$/,
  /^AUTOPAR_/,
];

function stepEnv(requested: Record<string, string> | undefined): { env: Record<string, string>; dropped: string[] } {
  const env: Record<string, string> = { PATH: MINIMAL_PATH, LANG: 'C' };
  const dropped: string[] = [];
  for (const [key, value] of Object.entries(requested ?? {})) {
    if (ENV_ALLOWED.some((re) => re.test(key))) env[key] = value;
    else dropped.push(key);
  }
  return { env, dropped };
}

function stepRlimits(sb: SandboxOptions, timeoutMs: number): Rlimits {
  // RLIMIT_CPU sums all threads of a process: by default allow every core busy
  // for the whole wall limit, so it only bites where the wall limit cannot (long limits).
  const cpuDefault = Math.ceil(timeoutMs / 1000) * availableParallelism() + 1;
  return {
    cpuSeconds: sb.cpuSeconds ?? cpuDefault,
    fileSizeBytes: sb.fileSizeBytes ?? SANDBOX_DEFAULTS.fileSizeBytes,
    openFiles: sb.openFiles ?? SANDBOX_DEFAULTS.openFiles,
  };
}

/** After runStep's own kill, so that it still reports the step as timed out. */
const CGROUP_KILL_GRACE_MS = 200;

const SIGXCPU = 24;
const SIGXFSZ = 25;

/** Which limit ended the step. bwrap reports a child killed by signal N as exit 128+N. */
function classifyLimit(r: StepResult, cgroupHit: 'memory' | 'pids' | undefined): SandboxReport['limitHit'] {
  if (r.timedOut) return 'wall-time';
  if (cgroupHit) return cgroupHit;
  if (r.signal === 'SIGXCPU' || r.exitCode === 128 + SIGXCPU) return 'cpu-time';
  if (r.signal === 'SIGXFSZ' || r.exitCode === 128 + SIGXFSZ) return 'file-size';
  return undefined;
}

const mib = (bytes: number) => `${Math.round(bytes / 1024 ** 2)} MiB`;

export async function runCandidateStep(
  argv: string[],
  opts: StepOptions & { sandbox?: SandboxOptions },
): Promise<StepResult & { sandbox: SandboxReport }> {
  const { capabilities: caps, cgroupLayout } = await sandboxSetup();
  const sb: SandboxOptions = opts.sandbox ?? { workDir: opts.cwd };
  const { env, dropped } = stepEnv(opts.env);
  const report: SandboxReport = {
    active: ['process-group', `wall-limit ${opts.timeoutMs} ms`, dropped.length ? `clean env (dropped ${dropped.join(', ')})` : 'clean env'],
    missing: [],
  };

  let command = argv;
  let usesBwrap = false;
  if (process.env.AUTOPAR_SANDBOX === 'off') {
    report.missing.push('bubblewrap: disabled by AUTOPAR_SANDBOX=off');
  } else if (!caps.bubblewrap.ok) {
    report.missing.push(`bubblewrap: ${caps.bubblewrap.reason}`);
  } else {
    const plan = {
      workDir: sb.workDir,
      cwd: opts.cwd,
      readOnly: sb.readOnly ?? [],
      env,
      userns: caps.userns.ok,
      tmpSizeBytes: SANDBOX_DEFAULTS.tmpSizeBytes,
    };
    command = bwrapArgs(plan, argv);
    usesBwrap = true;
    report.active.push('bubblewrap: no network, read-only toolchain, only the work dir writable, no $HOME, caps dropped');
    if (caps.userns.ok) report.active.push(`uid ${SANDBOX_UID} in a user namespace`);
    else report.missing.push(`non-root uid: ${caps.userns.reason}; runs as uid 0 without capabilities`);
  }

  let cgroup: StepCgroup | undefined;
  if (process.env.AUTOPAR_CGROUP === 'off') {
    report.missing.push('cgroup pids/memory limits: disabled by AUTOPAR_CGROUP=off; fork and memory bombs are only stopped by the wall limit');
  } else if (caps.cgroup.ok && cgroupLayout) {
    const maxPids = sb.maxPids ?? SANDBOX_DEFAULTS.maxPids;
    const memoryBytes = sb.memoryBytes ?? memoryLimitFromEnv() ?? SANDBOX_DEFAULTS.memoryBytes;
    try {
      cgroup = createStepCgroup(cgroupLayout, { maxPids, memoryBytes });
      report.active.push(`cgroup ${caps.cgroup.version}: pids.max ${maxPids}, memory ${mib(memoryBytes)}`);
    } catch (e) {
      report.missing.push(`cgroup: cannot create step cgroup (${(e as Error).message})`);
    }
  } else {
    report.missing.push(`cgroup pids/memory limits: ${caps.cgroup.reason}; fork and memory bombs are only stopped by the wall limit`);
  }

  let limits: Rlimits | undefined;
  if (caps.rlimits.ok) {
    limits = stepRlimits(sb, opts.timeoutMs);
    report.active.push(
      `rlimits: cpu ${limits.cpuSeconds} s, file size ${mib(limits.fileSizeBytes)}, open files ${limits.openFiles}, no core`,
    );
  } else {
    report.missing.push(`rlimits: ${caps.rlimits.reason}`);
  }
  command = wrapperArgv(cgroup?.procsFiles ?? [], limits, command);

  // runStep kills the process group at the wall limit, but a step that called
  // setsid() has left the group (and, without bwrap's pid namespace, survives and
  // keeps our output pipes open). The cgroup still holds it: kill it there too.
  const cgroupKiller = cgroup && setTimeout(() => void cgroup?.killAll(), opts.timeoutMs + CGROUP_KILL_GRACE_MS);
  let result: StepResult;
  let cgroupHit: 'memory' | 'pids' | undefined;
  try {
    result = await runStep(command, {
      ...opts,
      // bwrap itself only needs PATH (the step's env goes in through --setenv);
      // without bwrap the step gets its cleaned env directly.
      env: usesBwrap ? { PATH: MINIMAL_PATH } : env,
      clearEnv: true,
      cwd: usesBwrap ? sb.workDir : opts.cwd,
    });
  } finally {
    clearTimeout(cgroupKiller);
    cgroupHit = cgroup?.limitHit();
    await cgroup?.remove();
  }
  report.limitHit = classifyLimit(result, cgroupHit);
  return { ...result, argv, sandbox: report };
}
