// Per-step cgroups: pids.max stops fork bombs (RLIMIT_NPROC does not stop
// root's forks) and a memory limit stops memory bombs (RLIMIT_AS would break
// ASan/TSan, which reserve terabytes of address space).
//
// Two layouts are handled:
//  - cgroup v2 (unified): one directory per step with pids.max and memory.max.
//  - cgroup v1 (separate pids and memory hierarchies, as on hybrid hosts):
//    one directory per step in each hierarchy.
// Every step cgroup lives under an `autopar` parent that is nested below the
// cgroup this process is already in, so limits set by whoever runs us still apply.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';

const CGROUP_ROOT = '/sys/fs/cgroup';
const PARENT_NAME = 'autopar';

export interface CgroupLimits {
  maxPids: number;
  memoryBytes: number;
}

/** Where step cgroups can be made, found once by probing. */
export type CgroupLayout =
  | { version: 'v2'; parentDir: string }
  | { version: 'v1'; pidsParentDir: string; memoryParentDir: string };

export interface CgroupProbe {
  ok: boolean;
  version?: 'v1' | 'v2';
  controllers: string[];
  reason?: string;
  layout?: CgroupLayout;
}

/** One step's cgroup: the files a process writes its pid to, and how to read what happened. */
export interface StepCgroup {
  /** `cgroup.procs` files the wrapper shell joins before exec'ing the sandbox. */
  procsFiles: string[];
  /** Which limit the kernel enforced during the step, if any. */
  limitHit(): 'memory' | 'pids' | undefined;
  /** Kill every process in the step, including ones that left its process group (setsid). */
  killAll(): Promise<void>;
  /** Kill whatever is left in the cgroup and remove it. */
  remove(): Promise<void>;
}

/** The cgroup path (relative to the hierarchy root) this process is in, per controller. */
function ownCgroupPaths(): Map<string, string> {
  const paths = new Map<string, string>();
  let text = '';
  try {
    text = readFileSync('/proc/self/cgroup', 'utf8');
  } catch {
    return paths;
  }
  for (const line of text.trim().split('\n')) {
    // "hierarchy-id:controller-list:path"; v2 is "0::path".
    const [id, controllers = '', ...rest] = line.split(':');
    const path = rest.join(':');
    if (id === '0' && controllers === '') paths.set('unified', path);
    for (const c of controllers.split(',')) if (c) paths.set(c, path);
  }
  return paths;
}

function tryWrite(file: string, value: string): string | undefined {
  try {
    writeFileSync(file, value);
    return undefined;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code ?? String(e);
  }
}

function ensureDir(dir: string): string | undefined {
  try {
    mkdirSync(dir, { recursive: true });
    return undefined;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code ?? String(e);
  }
}

function probeV2(own: Map<string, string>): CgroupProbe | undefined {
  const controllersFile = join(CGROUP_ROOT, 'cgroup.controllers');
  if (!existsSync(controllersFile)) return undefined;
  const available = readFileSync(controllersFile, 'utf8').trim().split(/\s+/);
  const controllers = available.filter((c) => c === 'pids' || c === 'memory');
  if (controllers.length < 2) {
    return { ok: false, version: 'v2', controllers, reason: 'cgroup v2 lacks the pids or memory controller' };
  }
  const base = join(CGROUP_ROOT, own.get('unified') ?? '/');
  const parentDir = join(base, PARENT_NAME);
  const mkErr = ensureDir(parentDir);
  if (mkErr) return { ok: false, version: 'v2', controllers, reason: `cannot create ${parentDir} (${mkErr})` };
  // Controllers must be enabled on every level down to the step cgroups. Our own
  // cgroup may hold processes (then the kernel refuses with EBUSY): reported, not worked around.
  for (const dir of [base, parentDir]) {
    const err = tryWrite(join(dir, 'cgroup.subtree_control'), '+pids +memory');
    if (err) return { ok: false, version: 'v2', controllers, reason: `cannot enable pids/memory in ${dir} (${err})` };
  }
  return { ok: true, version: 'v2', controllers, layout: { version: 'v2', parentDir } };
}

function probeV1(own: Map<string, string>): CgroupProbe | undefined {
  const pidsRoot = join(CGROUP_ROOT, 'pids');
  const memoryRoot = join(CGROUP_ROOT, 'memory');
  if (!existsSync(join(pidsRoot, 'cgroup.procs')) && !existsSync(join(memoryRoot, 'cgroup.procs'))) return undefined;
  const controllers = [pidsRoot, memoryRoot].filter((d) => existsSync(join(d, 'cgroup.procs'))).map((d) => d.split('/').pop()!);
  if (controllers.length < 2) {
    return { ok: false, version: 'v1', controllers, reason: 'cgroup v1 lacks the pids or memory hierarchy' };
  }
  const pidsParentDir = join(pidsRoot, own.get('pids') ?? '/', PARENT_NAME);
  const memoryParentDir = join(memoryRoot, own.get('memory') ?? '/', PARENT_NAME);
  for (const dir of [pidsParentDir, memoryParentDir]) {
    const err = ensureDir(dir);
    if (err) return { ok: false, version: 'v1', controllers, reason: `cannot create ${dir} (${err})` };
  }
  return { ok: true, version: 'v1', controllers, layout: { version: 'v1', pidsParentDir, memoryParentDir } };
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes empty step cgroups left by autopar processes that died mid-step (best effort). */
function sweepStale(parentDir: string): void {
  let names: string[] = [];
  try {
    names = readdirSync(parentDir);
  } catch {
    return;
  }
  for (const name of names) {
    const owner = /^step-(\d+)-/.exec(name)?.[1];
    if (!owner || processAlive(Number(owner))) continue;
    try {
      rmdirSync(join(parentDir, name));
    } catch {
      /* still has members, or already gone */
    }
  }
}

/** Finds a place where per-step cgroups with pids and memory limits can be made. */
export function probeCgroups(): CgroupProbe {
  const own = ownCgroupPaths();
  const result = probeV2(own) ?? probeV1(own);
  const layout = result?.layout;
  if (layout?.version === 'v2') sweepStale(layout.parentDir);
  if (layout?.version === 'v1') [layout.pidsParentDir, layout.memoryParentDir].forEach(sweepStale);
  if (result) return result;
  return { ok: false, controllers: [], reason: `no cgroup filesystem at ${CGROUP_ROOT}` };
}

function readCounter(file: string, key: string): number {
  try {
    const line = readFileSync(file, 'utf8')
      .split('\n')
      .find((l) => l.startsWith(`${key} `));
    return line ? Number(line.split(' ')[1]) : 0;
  } catch {
    return 0;
  }
}

function readPids(procsFile: string): number[] {
  try {
    return readFileSync(procsFile, 'utf8').split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Kills every process in the directory's cgroup; repeated because members may fork meanwhile. */
async function killMembers(dir: string): Promise<void> {
  if (!existsSync(dir)) return;
  // v2 has a one-shot kill switch; elsewhere kill the members one by one.
  if (tryWrite(join(dir, 'cgroup.kill'), '1') === undefined) return;
  for (let round = 0; round < 20; round++) {
    const pids = readPids(join(dir, 'cgroup.procs'));
    if (pids.length === 0) return;
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
    await sleep(10);
  }
}

/** Kills what is left in the cgroup, then removes it (retrying while members exit). */
async function drainAndRemove(dir: string): Promise<void> {
  await killMembers(dir);
  for (let attempt = 0; attempt < 50; attempt++) {
    try {
      rmdirSync(dir);
      return;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
      await sleep(20);
    }
  }
}

/** Makes the cgroup(s) for one step with the given limits. Throws when the kernel refuses. */
export function createStepCgroup(layout: CgroupLayout, limits: CgroupLimits): StepCgroup {
  const name = `step-${process.pid}-${randomBytes(4).toString('hex')}`;
  if (layout.version === 'v2') {
    const dir = join(layout.parentDir, name);
    mkdirSync(dir);
    writeFileSync(join(dir, 'pids.max'), String(limits.maxPids));
    writeFileSync(join(dir, 'memory.max'), String(limits.memoryBytes));
    // Without swap limits a memory bomb would page out instead of being stopped.
    tryWrite(join(dir, 'memory.swap.max'), '0');
    return {
      procsFiles: [join(dir, 'cgroup.procs')],
      limitHit: () =>
        readCounter(join(dir, 'memory.events'), 'oom_kill') > 0
          ? 'memory'
          : readCounter(join(dir, 'pids.events'), 'max') > 0
            ? 'pids'
            : undefined,
      killAll: () => killMembers(dir),
      remove: () => drainAndRemove(dir),
    };
  }
  const pidsDir = join(layout.pidsParentDir, name);
  const memoryDir = join(layout.memoryParentDir, name);
  mkdirSync(pidsDir);
  mkdirSync(memoryDir);
  writeFileSync(join(pidsDir, 'pids.max'), String(limits.maxPids));
  writeFileSync(join(memoryDir, 'memory.limit_in_bytes'), String(limits.memoryBytes));
  tryWrite(join(memoryDir, 'memory.memsw.limit_in_bytes'), String(limits.memoryBytes));
  return {
    procsFiles: [join(pidsDir, 'cgroup.procs'), join(memoryDir, 'cgroup.procs')],
    limitHit: () =>
      readCounter(join(memoryDir, 'memory.oom_control'), 'oom_kill') > 0
        ? 'memory'
        : readCounter(join(pidsDir, 'pids.events'), 'max') > 0
          ? 'pids'
          : undefined,
    killAll: () => killMembers(pidsDir),
    remove: async () => {
      await drainAndRemove(pidsDir);
      await drainAndRemove(memoryDir);
    },
  };
}
