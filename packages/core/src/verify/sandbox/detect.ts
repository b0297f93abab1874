// What this machine can enforce, found once by trying it (not by reading
// versions): `autopar doctor` prints it and every step report repeats it.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runStep } from '../run-step.js';
import { bwrapArgs, SANDBOX_UID } from './bwrap.js';
import { probeCgroups, type CgroupLayout } from './cgroup.js';
import { wrapperArgv } from './wrapper.js';

/** Each part: ok, a one-line detail for `autopar doctor`, why not (reason) and how to fix it. */
interface Part {
  ok: boolean;
  detail: string;
  reason?: string;
  fix?: string;
}

export interface SandboxCapabilities {
  bubblewrap: Part & { version?: string };
  /** uid the step has inside the sandbox: 65534 in a user namespace, else 0 with capabilities dropped. */
  userns: Part & { uid: number };
  cgroup: Part & { version?: 'v1' | 'v2'; controllers: string[] };
  rlimits: Part & { limits: string[] };
}

/** What runCandidateStep needs besides the public capabilities. */
export interface SandboxSetup {
  capabilities: SandboxCapabilities;
  cgroupLayout?: CgroupLayout;
}

export const MINIMAL_PATH = '/usr/local/bin:/usr/bin:/bin';
const PROBE_TIMEOUT_MS = 10_000;
const PROBE_TMP_BYTES = 1 << 20;

async function bubblewrapVersion(): Promise<SandboxCapabilities['bubblewrap']> {
  const r = await runStep(['bwrap', '--version'], { cwd: tmpdir(), timeoutMs: PROBE_TIMEOUT_MS });
  if (r.exitCode !== 0) {
    const notFound = /ENOENT|not found/i.test(r.stderr);
    const reason = notFound ? 'not installed (apt-get install bubblewrap)' : `bwrap --version failed: ${r.stderr.trim()}`;
    return { ok: false, detail: reason, reason, fix: 'apt-get install bubblewrap' };
  }
  const version = r.stdout.trim().replace(/^bubblewrap\s+/, '');
  return { ok: true, version, detail: `bubblewrap ${version}: no network, read-only toolchain, work dir only writable` };
}

/** Runs a step that writes into a fresh work dir; true when the file appears on the host. */
async function sandboxCanWrite(userns: boolean): Promise<{ ok: boolean; reason?: string }> {
  const workDir = mkdtempSync(join(tmpdir(), 'autopar-probe-'));
  try {
    const argv = bwrapArgs(
      { workDir, cwd: workDir, readOnly: [], env: { PATH: MINIMAL_PATH }, userns, tmpSizeBytes: PROBE_TMP_BYTES },
      ['/bin/sh', '-c', 'echo ok > probe'],
    );
    const r = await runStep(argv, { cwd: workDir, timeoutMs: PROBE_TIMEOUT_MS, clearEnv: true, env: { PATH: MINIMAL_PATH } });
    if (r.exitCode === 0 && existsSync(join(workDir, 'probe'))) return { ok: true };
    return { ok: false, reason: (r.stderr.trim() || `exit ${r.exitCode}`).split('\n')[0] };
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}

async function rlimitsWork(): Promise<SandboxCapabilities['rlimits']> {
  const argv = wrapperArgv([], { cpuSeconds: 5, fileSizeBytes: 1 << 20, openFiles: 64 }, ['true']);
  const r = await runStep(argv, { cwd: tmpdir(), timeoutMs: PROBE_TIMEOUT_MS, clearEnv: true, env: { PATH: MINIMAL_PATH } });
  const limits = ['RLIMIT_CPU', 'RLIMIT_FSIZE', 'RLIMIT_NOFILE', 'RLIMIT_CORE=0'];
  if (r.exitCode === 0) return { ok: true, limits, detail: limits.join(', ') + ' (never RLIMIT_AS: it breaks sanitizers)' };
  const reason = r.stderr.trim().split('\n')[0] ?? 'ulimit failed';
  return { ok: false, limits: [], detail: reason, reason };
}

async function probe(): Promise<SandboxSetup> {
  const bubblewrap = await bubblewrapVersion();
  const unavailable = 'bubblewrap unavailable';
  let userns: SandboxCapabilities['userns'] = { ok: false, uid: 0, detail: unavailable, reason: unavailable };
  if (bubblewrap.ok) {
    const asNobody = await sandboxCanWrite(true);
    if (asNobody.ok) {
      userns = { ok: true, uid: SANDBOX_UID, detail: `steps run as uid ${SANDBOX_UID} in a user namespace (host uid ${process.getuid?.()})` };
    } else {
      const asRoot = await sandboxCanWrite(false);
      if (asRoot.ok) {
        const reason = `user namespace unusable (${asNobody.reason}); steps run as uid 0 without capabilities`;
        userns = { ok: false, uid: 0, detail: reason, reason, fix: 'sysctl -w kernel.unprivileged_userns_clone=1 (or user.max_user_namespaces > 0)' };
      } else {
        bubblewrap.ok = false;
        bubblewrap.reason = bubblewrap.detail = `cannot create a sandbox: ${asRoot.reason}`;
      }
    }
  }
  const cg = probeCgroups();
  const cgroup: SandboxCapabilities['cgroup'] = cg.ok
    ? { ok: true, version: cg.version, controllers: cg.controllers, detail: `cgroup ${cg.version}: per-step pids.max and memory limit` }
    : {
        ok: false,
        version: cg.version,
        controllers: cg.controllers,
        detail: `${cg.reason}: fork and memory bombs are only stopped by the wall limit`,
        reason: cg.reason,
        fix: 'run as root with a writable cgroup v2 (pids, memory controllers delegated) or v1 pids+memory hierarchies',
      };
  return {
    capabilities: { bubblewrap, userns, cgroup, rlimits: await rlimitsWork() },
    cgroupLayout: cg.layout,
  };
}

let memo: Promise<SandboxSetup> | undefined;

/** Probed once per process. */
export function sandboxSetup(): Promise<SandboxSetup> {
  memo ??= probe();
  return memo;
}

/** For `autopar doctor`: what the sandbox can enforce on this machine. Memoized. */
export async function detectSandbox(): Promise<SandboxCapabilities> {
  return (await sandboxSetup()).capabilities;
}
