// The bubblewrap command line for one sandboxed step.
//
// The root is NOT bound whole: inside a user namespace the process is still host
// root to the kernel's permission checks, so a read-only `/` would let candidate
// code read root-only files (/etc/shadow, keys under /var, other projects) and
// print them into logs that reach reports and models. Only the toolchain
// (/usr and the merged-/usr symlinks), a handful of /etc files the loader and
// `cc` alternatives need, the work dir and explicitly listed read-only paths exist.
import { existsSync, lstatSync, readlinkSync } from 'node:fs';

/** uid/gid the step runs as inside its user namespace ("nobody"). */
export const SANDBOX_UID = 65534;

export interface BwrapPlan {
  workDir: string;
  /** Directory the step starts in; must be the work dir, inside it, or a read-only path. */
  cwd: string;
  readOnly: string[];
  env: Record<string, string>;
  /** Run as uid 65534 in a new user namespace (false: stays uid 0, capabilities dropped). */
  userns: boolean;
  tmpSizeBytes: number;
}

// Top-level directories that are either symlinks into /usr (merged /usr) or real
// library/binary directories on older layouts.
const ROOT_LINK_DIRS = ['/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32'];

// What the dynamic loader, `cc` (Debian alternatives) and name lookups read.
const ETC_FILES = [
  '/etc/ld.so.cache',
  '/etc/ld.so.conf',
  '/etc/ld.so.conf.d',
  '/etc/alternatives',
  '/etc/passwd',
  '/etc/group',
  '/etc/localtime',
];

function rootDirMounts(): string[] {
  const args: string[] = [];
  for (const dir of ROOT_LINK_DIRS) {
    let stat;
    try {
      stat = lstatSync(dir);
    } catch {
      continue;
    }
    if (stat.isSymbolicLink()) args.push('--symlink', readlinkSync(dir), dir);
    else if (stat.isDirectory()) args.push('--ro-bind', dir, dir);
  }
  return args;
}

export function bwrapArgs(plan: BwrapPlan, argv: string[]): string[] {
  const args = [
    'bwrap',
    // New namespaces for everything: no network (only a private loopback), own pids, IPC, UTS, cgroup view.
    '--unshare-all',
    '--die-with-parent',
    // setsid(): the step cannot push input into our terminal (TIOCSTI).
    '--new-session',
    '--cap-drop',
    'ALL',
  ];
  if (plan.userns) {
    args.push('--unshare-user', '--uid', String(SANDBOX_UID), '--gid', String(SANDBOX_UID), '--disable-userns');
  }
  args.push('--ro-bind', '/usr', '/usr', ...rootDirMounts());
  for (const file of ETC_FILES) if (existsSync(file)) args.push('--ro-bind', file, file);
  // OpenMP runtimes read the CPU topology from here.
  if (existsSync('/sys/devices/system/cpu')) args.push('--ro-bind', '/sys/devices/system/cpu', '/sys/devices/system/cpu');
  args.push('--dev', '/dev', '--proc', '/proc', '--size', String(plan.tmpSizeBytes), '--tmpfs', '/tmp');
  for (const path of plan.readOnly) args.push('--ro-bind', path, path);
  // Bound last so it wins over anything above it (e.g. a work dir under /tmp).
  args.push('--bind', plan.workDir, plan.workDir, '--chdir', plan.cwd);
  args.push('--clearenv');
  for (const [key, value] of Object.entries(plan.env)) args.push('--setenv', key, value);
  args.push('--', ...argv);
  return args;
}
