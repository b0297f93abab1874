// Race detection stage: the harness and the candidate kernel are built with
// clang + ThreadSanitizer and run, in the sandbox, with LLVM's libomp and the
// Archer OMPT tool. Any ThreadSanitizer report rejects the candidate.
//
// Why this toolchain: gcc + libgomp under TSan reports false races (libgomp is
// not instrumented), and without Archer libomp's own synchronization is invisible
// to TSan. Debian does not auto-load Archer: OMP_TOOL_LIBRARIES must name it.
//
// When clang or Archer is missing the stage cannot give a verdict. It then
// returns `skipped: true` with a reason saying so, ok per `onMissing`
// ('skip' → ok: true, the default; 'reject' → ok: false). The verifier must put
// that reason in every report: a skipped race check is never a silent pass.
//
// Dynamic detection only sees races on the schedules it runs, so RACE_CONFIG runs
// more than one: an -O1 and an -O0 build (the optimizer deletes or registers racy
// accesses), teams of 2, 3, 4 and 8 threads (8 oversubscribes this machine's cores:
// threads preempted mid-region; the -O0 build also gives every worksharing loop without
// a schedule clause round-robin chunks of one iteration, race/chunk-one-schedule.ts),
// a plain run and one with chunk-1 runtime schedules and two teams, and TSan's longest access history (history_size=7). The verifier
// spends the -O0 build on its two cheapest test sizes and the 8-thread team on its
// largest (VERIFIER_RACE_PLAN). Races between SIMD lanes of one thread no dynamic
// detector sees: analysis/simd.ts refuses those statically (plan-legality;
// staticRaceFindings here for whole programs). tools/drb-race.mjs measures this
// configuration on DataRaceBench.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { runCandidateStep } from './sandbox.js';
import { runStep } from './run-step.js';
import { describeSize } from './harness.js';
import type { StageResult } from './types.js';
import { describeTsanReport, hasTsanReport, parseTsanReport } from './race/tsan-report.js';
import { withChunkOneSchedules } from './race/chunk-one-schedule.js';
import { simdHazardsOfUnit } from '../analysis/simd.js';
import { parse } from '../kernel/parse.js';

export const DEFAULT_RACE_CC = 'clang-19';
export const DEFAULT_ARCHER_LIB = '/usr/lib/llvm-19/lib/libarcher.so';
/** TSan's exit status when it reported something (set in TSAN_OPTIONS). */
export const TSAN_EXIT_CODE = 66;

export interface RaceStageInput {
  /** Harness C file; its binary is run as `<bin> test <sizeIndex> <seed> <outfile>`. */
  harnessC: string;
  /** The candidate kernel's translation unit. */
  kernelTU: string;
  /** Scratch directory for the build and outputs (the sandbox's only writable path). */
  workDir: string;
  sizeIndices: number[];
  /** How each size index is named in a verdict ("n=13"); default "#<index + 1>". */
  sizeLabels?: string[];
  seeds: number[];
  /** Default RACE_CONFIG.threadCounts ([2, 3, 4]): some races need 3+ threads to overlap. */
  threadCounts?: number[];
  /** Default RACE_CONFIG.oversubscribedThreads ([8]). */
  oversubscribedThreads?: number[];
  /** Size indices (with the first seed) that also run the oversubscribed teams; default every case. */
  oversubscribedSizes?: number[];
  /** Size indices (with the first seed) that also run in the -O0 build; default every case. */
  unoptimizedSizes?: number[];
  /** Names of RACE_CONFIG.builds to use (e.g. ['-O1']); default all. */
  builds?: string[];
  /** Runs per (build, threads, size, seed). Default 2. */
  reps?: number;
  /** Wall limit per instrumented run (TSan is 5–15× slower than a plain run). */
  timeoutMs: number;
  compileTimeoutMs?: number;
  /** Extra compiler flags, e.g. -I for the kernel's headers. */
  cflags?: string[];
  /** Paths outside the work dir the build needs (include dirs); the sources' own dirs are added. */
  readOnly?: string[];
  /** Memory cap per instrumented step (the kernel's; default as for every sandboxed step). */
  memoryBytes?: number;
  /** What to do when no race detector is installed. Default 'skip'. */
  onMissing?: 'skip' | 'reject';
  /** Overrides for tests and unusual installs (also AUTOPAR_RACE_CC / AUTOPAR_ARCHER_LIB). */
  cc?: string;
  archerLib?: string;
}

export type RaceStageResult = StageResult & {
  /** True when no verdict could be given (no race detector here). */
  skipped?: boolean;
  /** Runs done before the verdict. */
  runs?: number;
};

export interface RaceDetector {
  ok: boolean;
  /** One line for `autopar doctor`. */
  detail: string;
  reason?: string;
  fix?: string;
  cc: string;
  archerLib: string;
  version?: string;
}

const FIX = 'apt-get install clang-19 libomp-19-dev (ships libarcher.so)';

/**
 * TSan's per-thread access history: 2^(history_size) * 32K memory accesses (0..7). The
 * default (2) forgets the first access of a race when the two lie far apart in one thread's
 * run (a loop between them); 7 keeps the most. It costs memory per thread, not time.
 */
export const TSAN_HISTORY_SIZE = 7;

function tsanEnv(archerLib: string, threads: number, extra: Record<string, string> = {}): Record<string, string> {
  return {
    OMP_NUM_THREADS: String(threads),
    OMP_TOOL_LIBRARIES: archerLib,
    // report_signal_unsafe=0: harness timers/signals are not what we judge.
    TSAN_OPTIONS: `ignore_noninstrumented_modules=1 exitcode=${TSAN_EXIT_CODE} halt_on_error=1 report_signal_unsafe=0 history_size=${TSAN_HISTORY_SIZE}`,
    // Threads sleep instead of spinning: 3–8 threads on 2 cores under TSan would crawl.
    OMP_WAIT_POLICY: 'passive',
    ...extra,
  };
}

/** One instrumented build of the program. */
export interface RaceBuild {
  name: string;
  flags: string[];
  /** Compile worksharing loops without a schedule clause with schedule(static, 1) (race/chunk-one-schedule.ts). */
  chunkOneSchedules?: boolean;
}

function tsanBuildArgv(cc: string, sources: string[], bin: string, cflags: string[], build: RaceBuild = RACE_BUILDS[0]!): string[] {
  return [cc, ...build.flags, '-g', '-fopenmp', '-fsanitize=thread', ...cflags, ...sources, '-o', bin, '-lm'];
}

/**
 * The optimized build finds most races fast; the unoptimized one keeps accesses -O1 deletes
 * or keeps in registers (a racy store whose value is never read again, a flag polled in a
 * loop), which TSan can only see when they happen in memory.
 */
export const RACE_BUILDS: readonly RaceBuild[] = [
  { name: '-O1', flags: ['-O1'] },
  // Chunks of one put neighbouring iterations on different threads (a collision in an
  // index set a few iterations apart); inline, so it costs no more than the default.
  { name: '-O0', flags: ['-O0'], chunkOneSchedules: true },
];

/** Directories the sandbox must show read-only because they lie outside the work dir. */
function readOnlyDirsFor(workDir: string, files: string[]): string[] {
  const dirs = files.map((f) => dirname(resolve(f))).filter((d) => {
    const rel = relative(resolve(workDir), d);
    return rel.startsWith('..') || isAbsolute(rel);
  });
  return [...new Set(dirs)];
}

const tail = (s: string, n = 4000) => (s.length > n ? s.slice(-n) : s);
const firstLine = (s: string) => s.trim().split('\n').find((l) => l.trim()) ?? '';
/** The compiler's first error line (linkers print a context line before it). */
const firstError = (s: string) => s.split('\n').find((l) => /error/i.test(l))?.trim() ?? firstLine(s);

const RACE_FREE_PROBE = `#include <omp.h>
#include <stdio.h>
int main(void) {
  double a[1000], s = 0;
  for (int i = 0; i < 1000; i++) a[i] = i;
#pragma omp parallel for reduction(+:s)
  for (int i = 0; i < 1000; i++) s += a[i];
  printf("%.0f\\n", s);
  return s == 499500.0 ? 0 : 1;
}
`;

async function probeRaceDetector(cc: string, archerLib: string): Promise<RaceDetector> {
  const base = { cc, archerLib };
  const version = await runStep([cc, '--version'], { cwd: tmpdir(), timeoutMs: 10_000 });
  if (version.exitCode !== 0) {
    const reason = `${cc} not found`;
    return { ...base, ok: false, reason, detail: `${reason}: race detection is skipped`, fix: FIX };
  }
  if (!existsSync(archerLib)) {
    const reason = `Archer (${archerLib}) not found`;
    return { ...base, ok: false, reason, detail: `${reason}: race detection is skipped`, fix: FIX };
  }
  // Build and run a race-free OpenMP program: proves omp.h, the TSan runtime, libomp
  // and Archer work together in the sandbox, and that they give no false report.
  const workDir = mkdtempSync(join(tmpdir(), 'autopar-race-probe-'));
  try {
    writeFileSync(join(workDir, 'probe.c'), RACE_FREE_PROBE);
    const bin = join(workDir, 'probe');
    const sandbox = { workDir };
    const build = await runCandidateStep(tsanBuildArgv(cc, ['probe.c'], bin, []), { cwd: workDir, timeoutMs: 60_000, sandbox });
    if (build.exitCode !== 0) {
      const reason = `${cc} cannot build an OpenMP + TSan program: ${firstLine(build.stderr)}`;
      return { ...base, ok: false, reason, detail: reason, fix: FIX };
    }
    const run = await runCandidateStep([bin], { cwd: workDir, timeoutMs: 30_000, env: tsanEnv(archerLib, 4), sandbox });
    if (run.exitCode !== 0) {
      const reason = hasTsanReport(run.stderr)
        ? `false race report on a race-free program (is Archer loaded?): ${firstLine(run.stderr)}`
        : `TSan run failed (exit ${run.exitCode}): ${firstLine(run.stderr)}`;
      return { ...base, ok: false, reason, detail: reason, fix: FIX };
    }
    const v = firstLine(version.stdout);
    return { ...base, ok: true, version: v, detail: `${v} with TSan + Archer (${archerLib})` };
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}

const detectorMemo = new Map<string, Promise<RaceDetector>>();

/** For `autopar doctor` and raceStage: is clang + TSan + libomp + Archer usable here? Memoized. */
export function detectRaceDetector(
  cc = process.env.AUTOPAR_RACE_CC ?? DEFAULT_RACE_CC,
  archerLib = process.env.AUTOPAR_ARCHER_LIB ?? DEFAULT_ARCHER_LIB,
): Promise<RaceDetector> {
  const key = `${cc}\0${archerLib}`;
  let found = detectorMemo.get(key);
  if (!found) {
    found = probeRaceDetector(cc, archerLib);
    detectorMemo.set(key, found);
  }
  return found;
}

/** One program invocation the detector runs at every thread count: what to pass, and how to name it in a verdict. */
export interface RaceCase {
  /** Arguments after the binary. */
  args: string[];
  /** e.g. "size n=13, seed 1"; '' for a program without inputs. */
  label: string;
  /** Also run in the unoptimized build (default true; slow at large sizes). */
  unoptimized?: boolean;
  /** Also run with the oversubscribed team sizes (default true). */
  oversubscribed?: boolean;
}

/** The instrumented configuration: builds, team shapes, repetitions. The verifier and tools/drb-race.mjs share it. */
export interface RaceConfig {
  builds: readonly RaceBuild[];
  /** Team sizes run for every case: some races need 3+ threads to overlap. */
  threadCounts: number[];
  /** Teams larger than the machine's cores (oversubscribed: threads preempted mid-region), run for cases that ask for them. */
  oversubscribedThreads: number[];
  /** Runs per (build, threads, case); run r uses variants[(r - 1) % variants.length]. */
  reps: number;
  /**
   * Environment of each repetition: the first is the plain team; the next changes the
   * schedule of `schedule(runtime)` loops to chunks of one (neighbouring iterations on
   * different threads) and gives `teams` constructs two teams instead of one.
   */
  variants: Record<string, string>[];
}

export const RACE_CONFIG: RaceConfig = {
  builds: RACE_BUILDS,
  threadCounts: [2, 3, 4],
  oversubscribedThreads: [8],
  reps: 2,
  variants: [{}, { OMP_SCHEDULE: 'dynamic,1', OMP_NUM_TEAMS: '2' }],
};

/** @deprecated the configuration before issue 11 (one -O1 build, 2/3/4 threads); kept for comparisons. */
export const DEFAULT_RACE_CONFIG: RaceConfig = { builds: [RACE_BUILDS[0]!], threadCounts: [2, 3, 4], oversubscribedThreads: [], reps: 2, variants: [{}] };

export interface RaceProgram {
  /** C sources of the program (absolute or relative to workDir). */
  sources: string[];
  cflags?: string[];
  workDir: string;
  /** Paths outside the work dir the build needs (include dirs); the sources' own dirs are added. */
  readOnly?: string[];
  cases: RaceCase[];
  /** Memory cap per step (default as for every sandboxed step). */
  memoryBytes?: number;
  /** Wall limit per instrumented run. */
  timeoutMs: number;
  compileTimeoutMs?: number;
}

interface RunPoint {
  build: RaceBuild;
  threads: number;
  kase: RaceCase;
  rep: number;
  env: Record<string, string>;
}

/** Build outermost (the -O0 build runs only if -O1 saw nothing), then thread count: a verdict names the smallest team that shows the race. */
function runPlan(cases: RaceCase[], config: RaceConfig): RunPoint[] {
  const points: RunPoint[] = [];
  for (const [b, build] of config.builds.entries())
    for (const threads of [...config.threadCounts, ...config.oversubscribedThreads])
      for (const kase of cases) {
        if (b > 0 && kase.unoptimized === false) continue;
        if (!config.threadCounts.includes(threads) && kase.oversubscribed === false) continue;
        for (let rep = 1; rep <= config.reps; rep++) {
          const env = config.variants[(rep - 1) % Math.max(1, config.variants.length)] ?? {};
          points.push({ build, threads, kase, rep, env });
        }
      }
  return points;
}

const where = (p: RunPoint, config: RaceConfig) =>
  [
    `${p.threads} threads${config.threadCounts.includes(p.threads) ? '' : ' (oversubscribed)'}`,
    p.kase.label,
    config.builds.length > 1 ? `${p.build.name} build` : '',
    Object.keys(p.env).length ? Object.entries(p.env).map(([k, v]) => `${k}=${v}`).join(' ') : '',
    `run ${p.rep}`,
  ]
    .filter(Boolean)
    .join(', ');

/** What running a program under the race detector found (no `stage`: callers wrap it). */
export interface RaceRunResult {
  ok: boolean;
  reason: string;
  log?: string;
  runs: number;
  /** True when the instrumented build failed (no verdict about races). */
  buildFailed?: boolean;
  /** True when the verdict is a TSan report (not a crash or a timeout). */
  raceReported?: boolean;
}

/**
 * The sources a chunkOneSchedules build compiles: a copy in the work dir of each source
 * with a worksharing loop to rewrite (withChunkOneSchedules). A `#line` directive keeps
 * the original path and line numbers in TSan reports; `-iquote` keeps its
 * `#include "..."` working.
 */
async function chunkOneScheduledSources(program: RaceProgram): Promise<{ files: string[]; cflags: string[] }> {
  const files: string[] = [];
  const quoteDirs = new Set<string>();
  for (const [k, source] of program.sources.entries()) {
    const path = resolve(program.workDir, source);
    const { text, changed } = withChunkOneSchedules(await readFile(path, 'utf8'));
    if (!changed) {
      files.push(path);
      continue;
    }
    const copy = join(program.workDir, `race-src-${k}-${basename(path)}`);
    await writeFile(copy, `#line 1 ${JSON.stringify(path)}\n${text}`);
    quoteDirs.add(dirname(path));
    files.push(copy);
  }
  return { files, cflags: [...quoteDirs].map((d) => `-iquote${d}`) };
}

/**
 * Builds `program` with the race toolchain and runs every case at every thread count of
 * `config`, in the sandbox; stops at the first report. Needs a working detector.
 */
export async function runRaceChecks(detector: RaceDetector, program: RaceProgram, config: RaceConfig = RACE_CONFIG): Promise<RaceRunResult> {
  const sourceDirs = readOnlyDirsFor(program.workDir, program.sources);
  const sandbox = {
    workDir: program.workDir,
    readOnly: [...new Set([...(program.readOnly ?? []), ...sourceDirs])],
    ...(program.memoryBytes !== undefined ? { memoryBytes: program.memoryBytes } : {}),
  };
  const binaries = new Map<RaceBuild, string>();
  const binaryFor = async (build: RaceBuild): Promise<string | RaceRunResult> => {
    const known = binaries.get(build);
    if (known) return known;
    const bin = join(program.workDir, `race-tsan${build.name}.bin`);
    const buildSources = build.chunkOneSchedules ? await chunkOneScheduledSources(program) : { files: program.sources.map((s) => resolve(program.workDir, s)), cflags: [] };
    const r = await runCandidateStep(
      tsanBuildArgv(detector.cc, buildSources.files, bin, [...buildSources.cflags, ...(program.cflags ?? [])], build),
      { cwd: program.workDir, timeoutMs: program.compileTimeoutMs ?? 120_000, sandbox },
    );
    if (r.exitCode !== 0) {
      // No verdict is possible without the instrumented build: reject, never pass.
      const why = r.timedOut ? 'timed out' : firstError(r.stderr);
      return { ok: false, buildFailed: true, runs: 0, reason: `race build with ${basename(detector.cc)} ${build.name} -fsanitize=thread failed: ${why}`, log: tail(r.stderr) };
    }
    binaries.set(build, bin);
    return bin;
  };
  const points = runPlan(program.cases, config);
  for (const [i, point] of points.entries()) {
    const bin = await binaryFor(point.build);
    if (typeof bin !== 'string') return { ...bin, runs: i };
    const run = await runCandidateStep([bin, ...point.kase.args], {
      cwd: program.workDir,
      timeoutMs: program.timeoutMs,
      env: tsanEnv(detector.archerLib, point.threads, point.env),
      sandbox,
    });
    const runs = i + 1;
    const report = parseTsanReport(run.stderr);
    if (report || run.exitCode === TSAN_EXIT_CODE) {
      const what = report ? describeTsanReport(report) : `ThreadSanitizer exit ${TSAN_EXIT_CODE}`;
      return { ok: false, raceReported: true, reason: `${what} [${where(point, config)}]`, log: tail(run.stderr), runs };
    }
    if (run.timedOut) return { ok: false, reason: `instrumented run timed out after ${program.timeoutMs} ms [${where(point, config)}]`, log: tail(run.stderr), runs };
    if (run.exitCode !== 0) {
      const limit = run.sandbox.limitHit ? ` (${run.sandbox.limitHit} limit)` : '';
      return { ok: false, reason: `instrumented run failed: exit ${run.exitCode ?? run.signal}${limit} [${where(point, config)}]`, log: tail(run.stderr), runs };
    }
  }
  const teams = [...config.threadCounts, ...config.oversubscribedThreads.filter(() => program.cases.some((c) => c.oversubscribed !== false))];
  const builds = config.builds.filter((b, k) => k === 0 || program.cases.some((c) => c.unoptimized !== false)).map((b) => b.name);
  return { ok: true, reason: `no race reported in ${points.length} TSan+Archer runs (${teams.join('/')} threads; ${builds.join(' and ')} builds)`, runs: points.length };
}

/**
 * What the verifier's static checks find racy in a C translation unit before anything is
 * compiled: `simd` loops over proven loop-carried dependences (analysis/simd.ts), which no
 * dynamic detector can see. tools/drb-race.mjs runs it on whole programs.
 */
export function staticRaceFindings(text: string, _fileName = 'kernel.c'): string[] {
  return simdHazardsOfUnit(text).map((h) => `${h.fn}: ${h.message}`);
}

export async function raceStage(input: RaceStageInput): Promise<RaceStageResult> {
  const started = performance.now();
  const done = (ok: boolean, reason: string, extra: Partial<RaceStageResult> = {}): RaceStageResult => ({
    stage: 'sanitize-race',
    ok,
    reason,
    durationMs: performance.now() - started,
    ...extra,
  });

  const detector = await detectRaceDetector(input.cc, input.archerLib);
  if (!detector.ok) {
    const skipOk = (input.onMissing ?? 'skip') === 'skip';
    return done(skipOk, `race detection skipped: ${detector.reason} (${detector.fix})`, { skipped: true });
  }
  const outFile = join(input.workDir, 'race-out.bin');
  const only = (list: number[] | undefined, sizeIndex: number, seed: number) => list === undefined || (list.includes(sizeIndex) && seed === input.seeds[0]);
  const cases: RaceCase[] = input.sizeIndices.flatMap((sizeIndex) =>
    input.seeds.map((seed) => ({
      args: ['test', String(sizeIndex), String(seed), outFile],
      label: `size ${input.sizeLabels?.[sizeIndex] ?? `#${sizeIndex + 1}`}, seed ${seed}`,
      unoptimized: only(input.unoptimizedSizes, sizeIndex, seed),
      oversubscribed: only(input.oversubscribedSizes, sizeIndex, seed),
    })),
  );
  const r = await runRaceChecks(
    detector,
    {
      sources: [resolve(input.harnessC), resolve(input.kernelTU)],
      cflags: input.cflags,
      workDir: input.workDir,
      readOnly: input.readOnly,
      memoryBytes: input.memoryBytes,
      cases,
      timeoutMs: input.timeoutMs,
      compileTimeoutMs: input.compileTimeoutMs,
    },
    {
      ...RACE_CONFIG,
      ...(input.threadCounts ? { threadCounts: input.threadCounts } : {}),
      ...(input.oversubscribedThreads ? { oversubscribedThreads: input.oversubscribedThreads } : {}),
      ...(input.reps ? { reps: input.reps } : {}),
      ...(input.builds ? { builds: RACE_CONFIG.builds.filter((b) => input.builds!.includes(b.name)) } : {}),
    },
  );
  return done(r.ok, r.reason, { log: r.log, ...(r.buildFailed ? {} : { runs: r.runs }) });
}

/** TSan + Archer runs are this many times slower than the plain test runs the verifier times. */
export const TSAN_SLOWDOWN = 10;

/**
 * What the verifier's `raceStage` hook passes (its RaceStageContext), written
 * structurally so this file does not import verify.ts.
 */
export interface VerifierRaceContext {
  /** Path of the candidate's translation unit. */
  candidateTu: string;
  /** Text of the generated harness.c. */
  harnessSource: string;
  includeDirs: string[];
  workDir: string;
  seeds: number[];
  testTimeoutMs(sizeIndex: number, seed: number): number;
  spec: { sizes: { test: readonly Record<string, number>[] } };
  sandbox?: { readOnly?: string[]; memoryBytes?: number };
  log?: (line: string) => void;
  /** The candidate function as the proposer gave it: report lines are mapped to its lines. */
  candidateText?: string;
  unit?: { name: string };
  /** Added to the build (a compile recipe's transformation, e.g. Polly's flags). */
  extraCflags?: string[];
}

/** How the verifier spends the race stage's time: every test size at 2/3/4 threads in the -O1 build, and... */
export const VERIFIER_RACE_PLAN = {
  /** ...the -O0 build at this many of the cheapest test sizes (first seed): it is slower, and -O1-only misses are size-independent. */
  unoptimizedSizes: 2,
  /** ...the oversubscribed team at the largest test size (first seed): most iterations per thread, most overlap. */
  oversubscribedSizes: 1,
};

const sizeCost = (b: Record<string, number>) => Object.values(b).reduce((p, v) => p * (v + 1), 1);

/** The verifier's hook: every test size and seed at 2/3/4 threads (2 runs each), -O0 at small sizes, 8 threads at the largest. */
export async function raceStageForVerifier(ctx: VerifierRaceContext): Promise<RaceStageResult> {
  const harnessC = join(ctx.workDir, 'race-harness.c');
  await writeFile(harnessC, ctx.harnessSource);
  const sizes = ctx.spec.sizes.test;
  const sizeIndices = sizes.map((_, i) => i);
  const byCost = [...sizeIndices].sort((a, b) => sizeCost(sizes[a]!) - sizeCost(sizes[b]!));
  const slowest = Math.max(...sizeIndices.flatMap((i) => ctx.seeds.map((seed) => ctx.testTimeoutMs(i, seed))));
  const result = await raceStage({
    harnessC,
    kernelTU: ctx.candidateTu,
    workDir: ctx.workDir,
    sizeIndices,
    sizeLabels: sizes.map(describeSize),
    unoptimizedSizes: byCost.slice(0, VERIFIER_RACE_PLAN.unoptimizedSizes),
    oversubscribedSizes: byCost.slice(-VERIFIER_RACE_PLAN.oversubscribedSizes),
    seeds: ctx.seeds,
    timeoutMs: slowest * TSAN_SLOWDOWN,
    cflags: [...ctx.includeDirs.map((d) => `-I${d}`), ...(ctx.extraCflags ?? [])],
    readOnly: [...ctx.includeDirs, ...(ctx.sandbox?.readOnly ?? [])],
    memoryBytes: ctx.sandbox?.memoryBytes,
  });
  if (!result.ok && ctx.candidateText && ctx.unit) {
    try {
      result.reason = candidateLines(result.reason, await readFile(ctx.candidateTu, 'utf8'), ctx.candidateText, ctx.unit.name, basename(ctx.candidateTu));
    } catch {
      // keep the TU's lines
    }
  }
  ctx.log?.(`sanitize-race: ${result.reason}`);
  return result;
}

/** 0-based first and last row of the definition of `name` in a C text. */
function functionRows(text: string, name: string): [number, number] | undefined {
  const root = parse(text, 'c').rootNode;
  for (const n of root.namedChildren) {
    if (n.type !== 'function_definition') continue;
    let d = n.childForFieldName('declarator');
    while (d && d.type !== 'function_declarator') d = d.childForFieldName('declarator');
    if (d?.childForFieldName('declarator')?.text === name) return [n.startPosition.row, n.endPosition.row];
  }
  return undefined;
}

/**
 * TSan names lines of the translation unit the candidate was spliced into (the user's file
 * with the candidate in place of the kernel, includes moved): "bfs.c:48" is not line 48 of
 * what the proposer wrote. Locations inside the kernel become the candidate's own lines:
 * "candidate line 12 (bfs.c:48)".
 */
export function candidateLines(reason: string, tuText: string, candidateText: string, kernel: string, tuFileName: string): string {
  // kernelTranslationUnit: `#line 1 "<file>"` on the TU's second row, so file line N is row N + 1.
  const header = tuText.split('\n').findIndex((l) => l.startsWith('#line 1 '));
  const inTu = functionRows(tuText, kernel);
  const inCandidate = functionRows(candidateText, kernel);
  if (header < 0 || !inTu || !inCandidate) return reason;
  const escaped = tuFileName.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return reason.replace(new RegExp(`\\b${escaped}:(\\d+)`, 'g'), (whole, n: string) => {
    const row = Number(n) + header;
    if (row < inTu[0] || row > inTu[1]) return whole;
    return `candidate line ${row - inTu[0] + inCandidate[0] + 1} (${whole})`;
  });
}
