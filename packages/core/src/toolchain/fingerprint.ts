// Toolchain fingerprints: what in the compiler can change a variant's code or
// verdict, for the cache key. A compiler's name, path or mtime is not enough
// (packages replace binaries in place, ccache#1654): the binary's bytes are hashed.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { access, constants, realpath, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runStep } from '../verify/run-step.js';

export interface ToolchainProfile {
  /** Compiler command: 'gcc', 'clang-19', 'nvcc', or a path. */
  cc: string;
  cflags: string[];
  ldflags: string[];
}

export type CompilerFamily = 'gcc' | 'clang' | 'nvcc' | 'unknown';

/** One executable file that takes part in compiling, identified by its content. */
export interface HashedFile {
  /** 'driver' (what `cc` resolves to) or 'cc1' (GCC's compiler proper, which the driver runs). */
  role: string;
  /** Absolute path with symlinks followed. */
  path: string;
  sha256: string;
}

export interface ToolchainFingerprint {
  /** The command as configured, e.g. 'gcc'. */
  cc: string;
  family: CompilerFamily;
  /** Resolved absolute path of the driver (symlinks followed). */
  path: string;
  /** Content hashes of the driver and, for GCC, cc1. */
  files: HashedFile[];
  /** First line of `--version` (for nvcc: the "release" and "Build" lines). */
  version: string;
  /** `-dumpmachine` output (target triple); '' where the compiler has none (nvcc). */
  machine: string;
  /** cflags in order, with `-march/-mtune/-mcpu=native` replaced by what the compiler resolves them to. */
  cflags: string[];
  ldflags: string[];
  /** `_OPENMP` value with -fopenmp (e.g. '201511'), or null when the compiler has no OpenMP. */
  openmp: string | null;
  /** nvcc only: fingerprint of the host compiler it drives (`-ccbin`, else gcc); null when not found. */
  host?: ToolchainFingerprint | null;
}

/** Runs a command; injectable so tests can count spawns. */
export type Runner = (argv: string[], input?: string) => Promise<{ exitCode: number | null; stdout: string; stderr: string }>;

export interface FingerprintOptions {
  run?: Runner;
}

const PROBE_TIMEOUT_MS = 30_000;

const defaultRunner: Runner = async (argv, input) => {
  const r = await runStep(argv, { cwd: tmpdir(), timeoutMs: PROBE_TIMEOUT_MS, input });
  return { exitCode: r.timedOut ? null : r.exitCode, stdout: r.stdout, stderr: r.stderr };
};

// In-process memos. Keyed by the resolved binary's (path, size, mtime, inode), so a
// replaced compiler is seen at once while a no-change rebuild hashes and probes
// each compiler once, not once per kernel.
const fingerprintMemo = new Map<string, Promise<ToolchainFingerprint>>();
const hashMemo = new Map<string, Promise<string>>();

export class CompilerNotFound extends Error {
  constructor(readonly cc: string) {
    super(`compiler "${cc}" not found${cc.includes('/') ? '' : ' on PATH'}; ${installHint(cc)}`);
    this.name = 'CompilerNotFound';
  }
}

/** Fingerprint of a toolchain profile; memoized per binary identity and flags. */
export async function fingerprintToolchain(profile: ToolchainProfile, options: FingerprintOptions = {}): Promise<ToolchainFingerprint> {
  const resolved = await resolveCompiler(profile.cc);
  if (!resolved) throw new CompilerNotFound(profile.cc);
  const memoKey = [await fileIdentity(resolved), profile.cc, ...profile.cflags, '\0', ...profile.ldflags].join('\0');
  let pending = fingerprintMemo.get(memoKey);
  if (!pending) {
    pending = computeFingerprint(profile, resolved, options.run ?? defaultRunner);
    fingerprintMemo.set(memoKey, pending);
    pending.catch(() => fingerprintMemo.delete(memoKey)); // a failed probe is retried next time
  }
  return pending;
}

async function computeFingerprint(profile: ToolchainProfile, resolved: string, run: Runner): Promise<ToolchainFingerprint> {
  const family = familyOf(profile.cc, resolved);
  if (family === 'nvcc') return fingerprintNvcc(profile, resolved, run);

  const versionOut = await mustRun(run, [resolved, '--version']);
  const files: HashedFile[] = [{ role: 'driver', path: resolved, sha256: await hashFile(resolved) }];
  if (family === 'gcc') {
    // The gcc driver only dispatches; cc1 compiles. Same-version rebuilds differ there.
    const cc1 = await locateGccCc1(resolved, run);
    if (cc1) files.push({ role: 'cc1', path: cc1, sha256: await hashFile(cc1) });
  }
  return {
    cc: profile.cc,
    family,
    path: resolved,
    files,
    version: firstLine(versionOut),
    machine: (await mustRun(run, [resolved, '-dumpmachine'])).trim(),
    cflags: await expandNativeFlags(resolved, family, profile.cflags, run),
    ldflags: [...profile.ldflags],
    openmp: await openmpVersion(resolved, run),
  };
}

async function fingerprintNvcc(profile: ToolchainProfile, resolved: string, run: Runner): Promise<ToolchainFingerprint> {
  // `nvcc --version` needs no GPU. Its first line is a banner; the release and
  // build lines identify the toolkit.
  const versionOut = await mustRun(run, [resolved, '--version']);
  const version = versionOut
    .split('\n')
    .filter((l) => /release|^Build/.test(l))
    .join('; ');
  const hostCc = flagValue(profile.cflags, ['-ccbin', '--compiler-bindir']) ?? 'gcc';
  let host: ToolchainFingerprint | null = null;
  try {
    host = await fingerprintToolchain({ cc: hostCc, cflags: [], ldflags: [] }, { run });
  } catch {
    host = null;
  }
  return {
    cc: profile.cc,
    family: 'nvcc',
    path: resolved,
    files: [{ role: 'driver', path: resolved, sha256: await hashFile(resolved) }],
    version: version || firstLine(versionOut),
    machine: '',
    cflags: [...profile.cflags], // -arch=sm_XX is here, in order
    ldflags: [...profile.ldflags],
    openmp: host?.openmp ?? null,
    host,
  };
}

// ---------------------------------------------------------------------------
// Probes

/** `-march=native` (and -mtune/-mcpu) → the flags the compiler actually uses on this machine. */
async function expandNativeFlags(cc: string, family: CompilerFamily, cflags: string[], run: Runner): Promise<string[]> {
  const isNative = (f: string) => /^-m(arch|tune|cpu)=native$/.test(f);
  const nativeFlags = cflags.filter(isNative);
  if (nativeFlags.length === 0) return [...cflags];

  // -### prints the compiler-proper command line the driver would run, with native resolved.
  const r = await run([cc, ...nativeFlags, '-###', '-E', '-x', 'c', '/dev/null']);
  const cc1Line = r.stderr.split('\n').find((l) => /(\/cc1\s|"-cc1")/.test(l));
  const expanded = cc1Line ? archFlagsOf(splitCommandLine(cc1Line), family) : [];
  if (expanded.length === 0) {
    throw new Error(`cannot expand ${nativeFlags.join(' ')} with ${cc}: no compiler command line in its -### output`);
  }
  const out: string[] = [];
  let replaced = false;
  for (const f of cflags) {
    if (!isNative(f)) out.push(f);
    else if (!replaced) {
      out.push(...expanded);
      replaced = true;
    }
  }
  return out;
}

/** The target-selection arguments of a cc1 command line. */
function archFlagsOf(args: string[], family: CompilerFamily): string[] {
  const flags: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (family === 'clang' || args.includes('-cc1')) {
      if (a === '-target-cpu' || a === '-target-feature' || a === '-tune-cpu') flags.push(`${a}=${args[++i]}`);
    } else if (a === '--param') {
      flags.push(`--param=${args[++i]}`); // cache sizes of this CPU
    } else if (/^-m(arch|tune|cpu)=/.test(a) || /^-m(no-)?[a-z0-9.]+$/.test(a)) {
      flags.push(a);
    }
  }
  return flags;
}

/** Splits a printed command line: double-quoted, single-quoted or bare words. */
function splitCommandLine(line: string): string[] {
  const words: string[] = [];
  for (const m of line.matchAll(/"((?:[^"\\]|\\.)*)"|'([^']*)'|(\S+)/g)) {
    words.push(m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : (m[2] ?? m[3]!));
  }
  return words;
}

async function openmpVersion(cc: string, run: Runner): Promise<string | null> {
  const r = await run([cc, '-fopenmp', '-dM', '-E', '-x', 'c', '/dev/null']);
  if (r.exitCode !== 0) return null;
  return /^#define _OPENMP (\d+)/m.exec(r.stdout)?.[1] ?? null;
}

async function locateGccCc1(gcc: string, run: Runner): Promise<string | null> {
  const r = await run([gcc, '-print-prog-name=cc1']);
  const printed = r.stdout.trim();
  if (r.exitCode !== 0 || !path.isAbsolute(printed)) return null; // gcc prints the bare name when it has none
  return realpath(printed).catch(() => null);
}

async function mustRun(run: Runner, argv: string[]): Promise<string> {
  const r = await run(argv);
  if (r.exitCode !== 0) throw new Error(`${argv.join(' ')} failed (exit ${r.exitCode}): ${firstLine(r.stderr)}`);
  return r.stdout;
}

// ---------------------------------------------------------------------------
// Files

const COMPILER_CACHES = new Set(['ccache', 'sccache']);

/** Absolute path of the compiler with symlinks followed, or null when it cannot be found/run. */
export async function resolveCompiler(cc: string): Promise<string | null> {
  const candidates = cc.includes('/')
    ? [path.resolve(cc)]
    : (process.env.PATH ?? '').split(path.delimiter).filter(Boolean).map((dir) => path.join(dir, cc));
  for (const candidate of candidates) {
    try {
      await access(candidate, constants.X_OK);
      const real = await realpath(candidate);
      // A ccache/sccache masquerade link is not the compiler: keep looking on PATH for
      // the compiler it would run, which is what must be fingerprinted.
      if (COMPILER_CACHES.has(path.basename(real)) && !cc.includes('/')) continue;
      if ((await stat(real)).isFile()) return real;
    } catch {
      /* not here */
    }
  }
  return null;
}

async function fileIdentity(file: string): Promise<string> {
  const s = await stat(file);
  return `${file}\0${s.size}\0${s.mtimeMs}\0${s.ino}`;
}

/** sha256 of a file's content, memoized per (path, size, mtime, inode). */
async function hashFile(file: string): Promise<string> {
  const id = await fileIdentity(file);
  let pending = hashMemo.get(id);
  if (!pending) {
    pending = new Promise<string>((resolve, reject) => {
      const h = createHash('sha256');
      createReadStream(file)
        .on('data', (chunk) => h.update(chunk))
        .on('error', reject)
        .on('end', () => resolve(h.digest('hex')));
    });
    hashMemo.set(id, pending);
    pending.catch(() => hashMemo.delete(id));
  }
  return pending;
}

// ---------------------------------------------------------------------------
// Naming

function familyOf(cc: string, resolved: string): CompilerFamily {
  const names = [path.basename(cc), path.basename(resolved)];
  if (names.some((n) => /nvcc/.test(n))) return 'nvcc';
  if (names.some((n) => /clang/.test(n))) return 'clang';
  if (names.some((n) => /(^|-)(gcc|cc)(-\d+)?$/.test(n))) return 'gcc';
  return 'unknown';
}

function flagValue(flags: string[], names: string[]): string | undefined {
  for (let i = 0; i < flags.length; i++) {
    const f = flags[i]!;
    if (names.includes(f)) return flags[i + 1];
    for (const n of names) if (f.startsWith(`${n}=`)) return f.slice(n.length + 1);
  }
  return undefined;
}

function firstLine(text: string): string {
  return text.split('\n').find((l) => l.trim() !== '')?.trim() ?? '';
}

/** The command that installs a compiler on Debian/Ubuntu. */
export function installHint(cc: string): string {
  const name = path.basename(cc);
  if (/^nvcc/.test(name)) return 'install the CUDA toolkit: apt-get install nvidia-cuda-toolkit (or NVIDIA\'s cuda-toolkit package)';
  const clang = /^clang(-\d+)?$/.exec(name);
  if (clang) return `apt-get install clang${clang[1] ?? ''} libomp${clang[1] ?? ''}-dev`;
  const gcc = /^gcc(-\d+)?$/.exec(name);
  if (gcc) return `apt-get install gcc${gcc[1] ?? ''}`;
  if (name === 'cc') return 'apt-get install gcc';
  return `install ${name}, or set the target's \`cc\` option / AUTOPAR_CC to an installed compiler such as gcc`;
}

// ---------------------------------------------------------------------------
// Doctor

export interface ToolchainCheck {
  ok: boolean;
  /** What was found, or what is missing. */
  reason: string;
  /** The command that fixes it; absent when ok. */
  fix?: string;
}

/** Whether a compiler is usable for autopar: found, runs, and (C compilers) finds omp.h. */
export async function toolchainAvailable(cc: string, options: FingerprintOptions = {}): Promise<ToolchainCheck> {
  const run = options.run ?? defaultRunner;
  const resolved = await resolveCompiler(cc);
  if (!resolved) return { ok: false, reason: `${cc} not found${cc.includes('/') ? '' : ' on PATH'}`, fix: installHint(cc) };

  const version = await run([resolved, '--version']);
  if (version.exitCode !== 0) {
    return { ok: false, reason: `${cc} (${resolved}) does not run: ${firstLine(version.stderr) || `exit ${version.exitCode}`}`, fix: installHint(cc) };
  }
  const family = familyOf(cc, resolved);
  if (family === 'nvcc') {
    const release = version.stdout.split('\n').find((l) => /release/.test(l))?.trim() ?? firstLine(version.stdout);
    return { ok: true, reason: `${cc} at ${resolved}: ${release}` };
  }

  const omp = await run([resolved, '-fopenmp', '-E', '-x', 'c', '-'], '#include <omp.h>\n');
  if (omp.exitCode !== 0) {
    return { ok: false, reason: `${cc} at ${resolved} runs, but cannot find omp.h with -fopenmp`, fix: installHint(cc) };
  }
  const openmp = await openmpVersion(resolved, run);
  return { ok: true, reason: `${firstLine(version.stdout)} at ${resolved}${openmp ? `, OpenMP ${openmp}` : ''}` };
}
