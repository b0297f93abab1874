// verifyCandidate: the whole verification of one candidate function, stage by stage,
// stopping at the first failure:
//   static-gate → compile → differential → sanitize-memory → [sanitize-race] → benchmark
// with plan-legality (plan-legality.ts) first for a candidate with a plan, or right after
// the static gate when the caller asks for the implied plan of a whole-function candidate.
// Every compile and run goes through runCandidateStep, in a work dir of its own. The
// original's side (harness, binary, reference outputs) is prepared once per kernel and
// shared through `originalCache`.
//
// Every recorded stage has a status: ran, skipped (with why) or failed. A verdict is
// accepted only when every stage the policy asks for ran and passed, unless the user
// allowed a stage to go unverified (AUTOPAR_ALLOW_UNVERIFIED, conditions.ts), which the
// verdict then records. The verdict's kind says what it is about: correctness (a stage
// failed), incomplete (a required stage did not run), speed (verified; the benchmark's
// interval decides faster / slower / inconclusive against the threshold) or screening
// (cheap checks only, never called verified). A benchmark that times out is a speed
// verdict (slower), never a correctness rejection. Problems that are not the candidate's fault (the original
// does not build or fails its own tests, the spec does not match the signature) are thrown
// (VerifySetupError, SpecError), never returned as a verdict.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { spliceFunction } from '../kernel/splice.js';
import type { KernelUnit } from '../kernel/types.js';
import { checkSpecAgainstSignature } from '../spec/signature-check.js';
import type { KernelSpec } from '../spec/types.js';
import { benchSandbox, benchmarkBinaries } from './benchmark.js';
import { measureSizeGuard } from './size-guard.js';
import { describeSpeedDecision, machineLoad, othersRunnableNow, speedDecisionOf } from './benchmark-stats.js';
import { verificationConditions } from './conditions.js';
import { buildTestBinary, compileObject, tail } from './build.js';
import { compareOutputs, mustBeDeterministic } from './compare.js';
import { SPECIAL_VALUES_SEED, differentialSeeds, hasSpecialValues, withEdgeSizes } from './edge-sizes.js';
import { VerifySetupError } from './errors.js';
import { benchSeed, describeSize, kernelTranslationUnit } from './harness.js';
import { prepareOriginal, type OriginalCache, type PreparedOriginal } from './original-cache.js';
import { readOutputFile, type OutputRecord } from './output-file.js';
import {
  SANITIZER_ENV,
  resolvePolicy,
  resolveToolchain,
  SANITIZE_MEMORY_FLAGS,
  sanitizeMemoryToolchain,
  type ResolvedToolchain,
  type Toolchain,
} from './policy.js';
import { runTest } from './run-harness.js';
import type { SandboxOptions } from './sandbox.js';
import { kernelMemoryLimit } from '../spec/memory-limit.js';
import { staticGate } from './static-gate.js';
import { planLegalityStage } from './plan-legality.js';
import { raceStageForVerifier } from './race.js';
import { robustnessStage } from './robustness.js';
import { memorySanitizersLink } from './sanitizer-probe.js';
import type { SizeGuard, SpeedDecision, SpeedupStats, StageName, StageResult, Verdict, VerifyConditions, VerifyPolicy } from './types.js';
import { OwnTuError, splitNamedKernel } from '../kernel/own-tu.js';
import type { CompileRecipe } from '../propose/types.js';

export { DEFAULT_VERIFY_POLICY, resolvePolicy } from './policy.js';
export { createOriginalCache, type OriginalCache } from './original-cache.js';
export { VerifySetupError } from './errors.js';
export { benchmarkOriginal } from './benchmark-original.js';
export { verificationConditions, allowUnverifiedFromEnv } from './conditions.js';

/** The speedup a verified candidate must clear (its interval's lower bound) when the caller names none. */
export const DEFAULT_SPEED_THRESHOLD = 1.05;

/** What the race stage (owned by the race-detection work) gets; it builds with its own toolchain. */
export interface RaceStageContext {
  spec: KernelSpec;
  unit: KernelUnit;
  policy: VerifyPolicy;
  /** The candidate's TU with the trampoline appended (ready to compile with harnessSource). */
  candidateTu: string;
  /** Text of the generated harness.c. */
  harnessSource: string;
  /** Path of the generated harness.c (read-only for the stage). */
  harnessPath: string;
  /** -I folders for the TU's quoted includes. */
  includeDirs: string[];
  /** The candidate's work dir; the race stage may write there. */
  workDir: string;
  seeds: number[];
  /** Wall-clock limit for one test run at sizes.test[sizeIndex] (uninstrumented scale). */
  testTimeoutMs(sizeIndex: number, seed: number): number;
  sandbox: SandboxOptions;
  log: (line: string) => void;
  /** The candidate function as given (race reports name its lines). */
  candidateText: string;
  /** Flags added to the race build: a compile recipe's transformation (Polly), so its threads are checked. */
  extraCflags?: string[];
}

export interface VerifyRequest {
  unit: KernelUnit;
  spec: KernelSpec;
  /** The whole original translation unit. */
  sourceText: string;
  /** Its path (quoted includes are resolved from its folder). */
  sourcePath: string;
  /** The candidate kernel function (optionally preceded by #include <...> lines). */
  candidateText: string;
  /** Default gcc, -O3 -fopenmp, -lm. */
  toolchain?: Toolchain;
  policy?: Partial<VerifyPolicy>;
  /** Scratch space; each candidate gets its own folder inside. */
  workDir: string;
  log?: (line: string) => void;
  /** Share one object across the candidates of a kernel so the original is built and run once. */
  originalCache?: OriginalCache;
  /** Race detection, run after sanitize-memory when policy.sanitizers.race is true (default: clang + TSan + Archer). */
  raceStage?: (ctx: RaceStageContext) => Promise<StageResult>;
  /** Keep the candidate's work dir (binaries, outputs) after verification; default false. */
  keepWorkDir?: boolean;
  // --- plan-legality (plan-legality.ts) ---
  /** The plan the candidate was generated from: checked for legality before anything else. */
  plan?: unknown;
  /** Without a plan: read the candidate's `#pragma omp` lines as a plan and check it after the static gate. Default false. */
  impliedPlan?: boolean;
  /**
   * 'screen' runs only the cheap gates, the compile and the benchmark (which also compares
   * outputs at the bench size): a build ranks its candidates this way and fully verifies
   * them fastest first. A screened verdict never makes a candidate linkable. Default 'full'.
   */
  mode?: 'full' | 'screen' | 'remeasure';
  /**
   * For mode 'remeasure': the stored verdict of this candidate (accepted, speed inconclusive).
   * Only compile and benchmark run again; its correctness stages are kept as they were.
   */
  previous?: Verdict;
  /** The build's linking threshold: the benchmark samples until its interval decides against it. Default 1.05. */
  threshold?: number;
  /**
   * 'time' (default): the adaptive ABAB benchmark. 'check-only': only the bench-size runs and
   * their output comparison, no timing (AUTOPAR_VERIFY_SKIP_BENCH=1 for `autopar verify`); the
   * verdict's speed is then 'not-measured'.
   */
  benchmark?: 'time' | 'check-only';
  /** What this machine can check (conditions.ts); probed when not given. */
  conditions?: VerifyConditions;
  /**
   * The candidate is compiled with this recipe in a translation unit of its own (the
   * kernel and what it needs from its file), the rest of the file as before: exactly how
   * the build links it.
   */
  recipe?: CompileRecipe;
}

/** Test runs may take this many times the original's time (1 thread) before they count as hung... */
const TEST_TIME_FACTOR = 20;
/** ...and sanitized runs this many (ASan+UBSan at -O1 are several times slower). */
const SANITIZE_TIME_FACTOR = 50;
/**
 * Multi-threaded test runs call the kernel this many times in one process (inputs restored
 * each time): with the thread pool warm, a race in how partial results are combined shows
 * far more often than in a single call.
 */
const CALLS_PER_PARALLEL_RUN = 4;
/** The original is trusted; its own test runs get at least this long. */
const ORIGINAL_TEST_FLOOR_MS = 60_000;

export async function verifyCandidate(req: VerifyRequest): Promise<Verdict> {
  const policy = resolvePolicy(req.policy);
  const toolchain = resolveToolchain(req.toolchain);
  const log = req.log ?? (() => {});
  const seeds = req.spec.seeds ?? [1, 2];
  // The differential test also runs derived (edge) sizes and seeds (edge-sizes.ts).
  const testSpec = withEdgeSizes(req.spec, policy.edgeSizes);
  if (req.unit.language !== 'c') throw new VerifySetupError(`${req.unit.name}: CUDA kernels are not verified yet; the original is kept (only C kernels are verified so far)`);
  if (req.mode === 'remeasure' && !req.previous?.accepted) throw new VerifySetupError(`${req.unit.name}: only an accepted verdict can have its speed re-measured`);
  checkSpecAgainstSignature(req.spec, req.unit);

  const threshold = req.threshold ?? DEFAULT_SPEED_THRESHOLD;
  const conditions = req.conditions ?? (await verificationConditions(policy, { customRaceStage: !!req.raceStage }));
  // A re-measurement keeps the stored correctness stages (and what they skipped) and replaces the benchmark.
  const stages: StageResult[] = req.mode === 'remeasure' ? req.previous!.stages.filter((s) => s.stage !== 'benchmark') : [];
  const skipped: NonNullable<Verdict['skipped']> = req.mode === 'remeasure' ? [...(req.previous!.skipped ?? [])] : [];
  let speed: Verdict['speed'];
  let sizeGuard: SizeGuard | undefined;
  const finish = (speedup?: SpeedupStats): Verdict => {
    const common = { stages, speedup, conditions, ...(skipped.length ? { skipped } : {}) };
    const failed = stages.find((s) => s.status === 'failed');
    if (failed) return { accepted: false, kind: 'correctness', stage: failed.stage, reason: failed.reason, ...common };
    const missing = skipped.find((s) => !s.allowed);
    if (missing) {
      return {
        accepted: false,
        kind: 'incomplete',
        stage: missing.stage,
        reason: `not verified: ${missing.stage} did not run (${missing.reason}); a check that did not run is not a pass (AUTOPAR_ALLOW_UNVERIFIED=${missing.stage === 'sanitize-race' ? 'race' : 'memory'} accepts without it, and says so)`,
        ...common,
      };
    }
    const by = (stage: StageName) => (conditions.allowUnverified.includes(stage) ? 'allowed by AUTOPAR_ALLOW_UNVERIFIED' : 'not asked for by the policy');
    const allowed = skipped.length ? `; NOT checked: ${skipped.map((s) => `${s.stage} (${by(s.stage)})`).join(', ')}` : '';
    if (req.mode === 'screen') {
      const what = speedup ? describeSpeedDecision(speedup, threshold) : 'not timed';
      return { accepted: false, kind: 'screening', stage: 'benchmark', reason: `screened only (not verified): ${what}`, speed, ...common };
    }
    return { accepted: true, kind: 'speed', stage: 'benchmark', reason: `verified${allowed}; ${speed?.why ?? 'no benchmark'}`, speed, ...common, ...(sizeGuard ? { sizeGuard } : {}) };
  };
  const record = (s: StageResult) => {
    const status = s.status ?? (s.skipped ? 'skipped' : s.ok ? 'ran' : 'failed');
    const r: StageResult = { ...s, status };
    stages.push(r);
    if (status === 'skipped') skipped.push({ stage: s.stage, reason: s.reason, allowed: conditions.allowUnverified.includes(s.stage) });
    const word = status === 'skipped' ? 'SKIPPED' : status === 'failed' ? 'FAILED' : 'ok';
    log(`${req.spec.name}: ${s.stage} ${word} (${Math.round(s.durationMs)} ms): ${s.reason}`);
    return status !== 'failed';
  };
  const skipByPolicy = (stage: StageName, why: string) => {
    // The policy did not ask for it: listed, allowed, and said in the verdict.
    stages.push({ stage, ok: true, status: 'skipped', skipped: true, reason: why, durationMs: 0 });
    skipped.push({ stage, reason: why, allowed: true });
  };

  // 0. Plan legality (plan-legality.ts): a plan is checked before its text is looked at.
  if (req.mode !== 'remeasure' && req.plan !== undefined && !record(planLegalityStage(req))) return finish();

  // 1. Static gate: before anything compiles.
  const gateStart = performance.now();
  const gate = staticGate(req.candidateText, req.unit, req.spec);
  if (req.mode !== 'remeasure' && !record({ stage: 'static-gate', ok: gate.ok, reason: gate.reason, durationMs: performance.now() - gateStart })) return finish();

  // 1b. Plan legality of the implied plan (the candidate's pragmas), once the gate has vetted the text.
  if (req.mode !== 'remeasure' && req.plan === undefined && req.impliedPlan && !record(planLegalityStage(req))) return finish();

  await mkdir(req.workDir, { recursive: true });
  const original = await prepareOriginal(req.originalCache ?? {}, join(req.workDir, 'original'), {
    spec: testSpec,
    sourceText: req.sourceText,
    sourcePath: req.sourcePath,
    toolchain,
    compileTimeoutMs: policy.timeouts.compileMs,
    testTimeoutMs: Math.max(ORIGINAL_TEST_FLOOR_MS, policy.timeouts.testMs),
    seeds: differentialSeeds(req.spec, policy.seeds),
    derivedFrom: req.spec.sizes.test.length,
    log,
  });

  const dir = await mkdtemp(join(req.workDir, `cand-${req.spec.name}-`));
  try {
    const ctx: CandidateContext = {
      req,
      policy,
      threshold,
      toolchain,
      original,
      seeds,
      testSpec,
      dir,
      log,
      sandbox: { workDir: dir, readOnly: [original.dir, ...original.includeDirs], memoryBytes: kernelMemoryLimit(req.spec) },
    };
    const compiled = await compileStage(ctx);
    if (req.mode === 'remeasure') {
      // The stored verdict already has its compile stage; a failure now is still recorded.
      if (!compiled.stage.ok && !record(compiled.stage)) return finish();
      const bench = await withSizeGuard(ctx, compiled.binary, await benchmarkStage(ctx, compiled.binary, 'full'));
      record({ ...bench.stage, reason: `re-measured: ${bench.stage.reason}` });
      speed = bench.speed;
      sizeGuard = bench.sizeGuard;
      return finish(bench.speedup);
    }
    if (!record(compiled.stage)) return finish();
    if (req.mode === 'screen') {
      const bench = await benchmarkStage(ctx, compiled.binary, 'screen');
      record(bench.stage);
      speed = bench.speed;
      return finish(bench.speedup);
    }
    if (!record(await differentialStage(ctx, compiled.binary))) return finish();
    // Team shapes, repeated calls, the caller's OpenMP settings, stack headroom (robustness.ts).
    if (!record(await robustnessStage({ binary: compiled.binary, originalBinary: original.binary, spec: req.spec, testSpec, tests: original.tests, dir, sandbox: ctx.sandbox, callTimeoutMs: (i, s) => testTimeout(ctx, i, s) }))) return finish();
    if (!policy.sanitizers.memory) skipByPolicy('sanitize-memory', 'the verification policy does not ask for it (sanitizers.memory false)');
    else if (!record(await sanitizeMemoryStage(ctx, compiled))) return finish();
    if (!policy.sanitizers.race) skipByPolicy('sanitize-race', 'the verification policy does not ask for it (sanitizers.race false)');
    else {
      if (!record(await raceStage(ctx, compiled))) return finish();
      // A required stage that did not run: no benchmark for a candidate that cannot be accepted.
      if (skipped.some((s) => !s.allowed)) return finish();
    }
    const bench = await withSizeGuard(ctx, compiled.binary, await benchmarkStage(ctx, compiled.binary, 'full'));
    record(bench.stage);
    speed = bench.speed;
    sizeGuard = bench.sizeGuard;
    return finish(bench.speedup);
  } finally {
    if (!req.keepWorkDir) await rm(dir, { recursive: true, force: true });
  }
}

interface CandidateContext {
  req: VerifyRequest;
  policy: VerifyPolicy;
  threshold: number;
  toolchain: ResolvedToolchain;
  original: PreparedOriginal;
  /** The spec's seeds (sanitizer and race stages); the differential test runs original.tests. */
  seeds: number[];
  /** The spec with derived (edge) sizes appended to sizes.test. */
  testSpec: KernelSpec;
  dir: string;
  log: (line: string) => void;
  sandbox: SandboxOptions;
}

function testTimeout(ctx: CandidateContext, sizeIndex: number, seed: number, factor = TEST_TIME_FACTOR): number {
  const t = ctx.original.tests.find((x) => x.sizeIndex === sizeIndex && x.seed === seed);
  return Math.max(ctx.policy.timeouts.testMs, Math.ceil(factor * (t?.durationMs ?? 0)));
}

function sizeLabel(ctx: CandidateContext, sizeIndex: number): string {
  return describeSize(ctx.testSpec.sizes.test[sizeIndex]!);
}

async function timed<T extends object>(stage: StageName, fn: () => Promise<Omit<StageResult, 'stage' | 'durationMs'> & T>): Promise<StageResult & T> {
  const started = performance.now();
  const r = await fn();
  return { stage, ...r, durationMs: performance.now() - started };
}

/**
 * 2. Compile: splice the candidate into the original TU, append the trampoline, link with the
 * harness. With a compile recipe, the kernel moves to a translation unit of its own compiled
 * with the recipe, and the rest of the file (with the trampoline) is compiled as before.
 */
async function compileStage(ctx: CandidateContext): Promise<CompiledCandidate> {
  const tu = join(ctx.dir, ctx.original.tuFileName);
  const binary = join(ctx.dir, 'candidate');
  const recipe = ctx.req.recipe;
  const parts: Partial<CompiledCandidate> = {};
  const stage = await timed('compile', async () => {
    let spliced: string;
    try {
      spliced = spliceFunction(ctx.req.sourceText, ctx.req.unit, ctx.req.candidateText);
    } catch (e) {
      throw new VerifySetupError(`cannot splice the candidate into ${ctx.req.sourcePath}: ${(e as Error).message}`);
    }
    const compileOpts = { cwd: ctx.dir, timeoutMs: ctx.policy.timeouts.compileMs, sandbox: ctx.sandbox };
    // Calling an undeclared function would reach any libc symbol the static gate does not know.
    const strict = ['-Werror=implicit-function-declaration'];
    if (!recipe) {
      await writeFile(tu, kernelTranslationUnit(spliced, ctx.req.spec, ctx.original.tuFileName));
      const r = await buildTestBinary(ctx.toolchain, { kernelTu: tu, harnessObject: ctx.original.harnessObject, output: binary, includeDirs: ctx.original.includeDirs, extraFlags: strict }, compileOpts);
      return { ok: r.ok, reason: r.ok ? `compiled with ${ctx.toolchain.cc} ${ctx.toolchain.cflags.join(' ')}` : `compile failed: ${r.reason}`, log: r.log };
    }
    let split;
    try {
      split = splitNamedKernel(spliced, ctx.req.sourcePath, ctx.req.unit.name);
    } catch (e) {
      if (e instanceof OwnTuError) return { ok: false, reason: `compile recipe ${recipe.name}: ${e.message}` };
      throw e;
    }
    parts.kernelTu = join(ctx.dir, `autopar-kernel-${ctx.req.unit.name}.c`);
    parts.wholeTu = join(ctx.dir, `whole-${ctx.original.tuFileName}`);
    await writeFile(parts.kernelTu, split.kernelTu);
    await writeFile(parts.wholeTu, kernelTranslationUnit(spliced, ctx.req.spec, ctx.original.tuFileName));
    await writeFile(tu, kernelTranslationUnit(split.restTu, ctx.req.spec, ctx.original.tuFileName));
    const object = join(ctx.dir, 'kernel-recipe.o');
    const k = await compileObject({ cc: recipe.cc, cflags: [...recipe.cflags, ...strict], ldflags: [] }, parts.kernelTu, object, compileOpts, ctx.original.includeDirs);
    if (!k.ok) return { ok: false, reason: `compile failed (recipe ${recipe.name}): ${k.reason}`, log: k.log };
    const r = await buildTestBinary(ctx.toolchain, { kernelTu: tu, harnessObject: ctx.original.harnessObject, output: binary, includeDirs: ctx.original.includeDirs, extraFlags: strict, extraObjects: [object] }, compileOpts);
    const how = `the kernel in its own translation unit with ${recipe.cc} ${recipe.cflags.join(' ')} (recipe ${recipe.name}), the rest with ${ctx.toolchain.cc} ${ctx.toolchain.cflags.join(' ')}`;
    return { ok: r.ok, reason: r.ok ? `compiled ${how}` : `compile failed: ${r.reason}`, log: `${k.log}\n${r.log}` };
  });
  return { stage, binary, tu, ...parts };
}

interface CompiledCandidate {
  stage: StageResult;
  binary: string;
  /** The TU compiled with the build's toolchain: the whole file, or with a recipe the file without the kernel. */
  tu: string;
  /** With a recipe: the kernel's own TU, and the whole file (for the race build, which compiles everything with clang). */
  kernelTu?: string;
  wholeTu?: string;
}

/** 3. Differential: every test size × seed × thread count, compared with the original (1 thread). */
async function differentialStage(ctx: CandidateContext, binary: string): Promise<StageResult> {
  return timed('differential', async () => {
    let runs = 0;
    for (const t of ctx.original.tests) {
      for (const threads of ctx.policy.threadCounts) {
        const special = t.seed === SPECIAL_VALUES_SEED && hasSpecialValues(ctx.req.spec) ? ' (NaN/Inf inputs)' : '';
        const where = `size ${sizeLabel(ctx, t.sizeIndex)}, seed ${t.seed}${special}, threads ${threads}`;
        const outFile = join(ctx.dir, `out-s${t.sizeIndex}-seed${t.seed}-t${threads}.bin`);
        const calls = threads > 1 ? CALLS_PER_PARALLEL_RUN : 1;
        // Later calls run with a warm thread pool and the time-outs scale with the work.
        const timeoutMs = testTimeout(ctx, t.sizeIndex, t.seed) * calls;
        const r = await runTest(binary, t.sizeIndex, t.seed, outFile, { cwd: ctx.dir, threads, calls, timeoutMs, sandbox: ctx.sandbox });
        runs++;
        if (!r.ok) return { ok: false, reason: `${r.problem} in differential (${where})`, log: tail(r.stderr) };
        let first: OutputRecord[] = [];
        for (let call = 0; call < calls; call++) {
          const file = call === 0 ? outFile : `${outFile}.${call}`;
          if (call > 0 && !existsSync(file)) continue; // same outputs as the first call
          const outputs = await readOutputFile(file);
          await rm(file, { force: true });
          if (call === 0) first = outputs;
          else {
            const unstable = nondeterministicRecord(ctx.req.spec, first, outputs);
            if (unstable) {
              const what = unstable === 'return' ? 'return value' : `buffer ${unstable}`;
              return { ok: false, reason: `nondeterministic output: ${what} differs between call 1 and call ${call + 1} of ${calls} at the same thread count (${where}); the spec requires bit-identical results` };
            }
          }
          const cmp = compareOutputs(t.outputs, outputs, ctx.req.spec, {
            size: ctx.testSpec.sizes.test[t.sizeIndex]!,
            seed: t.seed,
            threads,
            label: call > 0 ? `${where}, call ${call + 1} of ${calls}` : special ? where : undefined,
          });
          if (!cmp.ok) return { ok: false, reason: cmp.message, log: cmp.mismatches.map((m) => `${m.buffer}[${m.index}]: expected ${m.expected} got ${m.actual}`).join('\n') };
        }
      }
    }
    return {
      ok: true,
      reason: `${runs} runs match the original (${ctx.original.tests.length} size×seed, ${sizesTested(ctx).length - ctx.req.spec.sizes.test.length} of the sizes derived, × threads ${ctx.policy.threadCounts.join('/')}; ${CALLS_PER_PARALLEL_RUN} calls per multi-threaded run)`,
    };
  });
}

/** Size indices the differential test ran: the spec's sizes and the derived ones the original passes. */
function sizesTested(ctx: CandidateContext): number[] {
  return [...new Set(ctx.original.tests.map((t) => t.sizeIndex))];
}

/** The first output/return that must be deterministic and differs bitwise between two calls. */
function nondeterministicRecord(spec: KernelSpec, first: OutputRecord[], later: OutputRecord[]): string | undefined {
  const byName = new Map(later.map((r) => [r.name, r]));
  for (const r of first) {
    const other = byName.get(r.name);
    if (other && !other.bytes.equals(r.bytes) && mustBeDeterministic(spec, r.name, r.type)) return r.name;
  }
  return undefined;
}

/** 4. ASan + UBSan build, every tested size (first seed) at 2 threads; any report fails. */
async function sanitizeMemoryStage(ctx: CandidateContext, compiled: CompiledCandidate): Promise<StageResult> {
  return timed('sanitize-memory', async () => {
    const harnessObject = await ctx.original.sanitizeHarnessObject();
    const binary = join(ctx.dir, 'candidate-asan');
    const tc = sanitizeMemoryToolchain(ctx.toolchain);
    const compileOpts = { cwd: ctx.dir, timeoutMs: ctx.policy.timeouts.compileMs, sandbox: ctx.sandbox };
    const recipe = ctx.req.recipe;
    const extraObjects: string[] = [];
    if (recipe && compiled.kernelTu) {
      // The recipe's compiler instruments the kernel's own TU (its transformation on); the
      // build's sanitizer runtime links it (clang's and gcc's ASan/UBSan objects share the ABI).
      const object = join(ctx.dir, 'kernel-recipe-asan.o');
      const k = await compileObject({ cc: recipe.cc, cflags: [...SANITIZE_MEMORY_FLAGS, ...recipe.transformFlags], ldflags: [] }, compiled.kernelTu, object, compileOpts, ctx.original.includeDirs);
      if (!k.ok) return { ok: false, reason: `sanitizer build failed (recipe ${recipe.name}): ${k.reason}`, log: k.log };
      extraObjects.push(object);
    }
    const b = await buildTestBinary(tc, { kernelTu: compiled.tu, harnessObject, output: binary, includeDirs: ctx.original.includeDirs, extraObjects }, compileOpts);
    if (!b.ok) {
      // A machine without the sanitizer runtimes fails every candidate here: not the candidate's fault.
      const probe = await memorySanitizersLink(tc);
      if (!probe.ok) return { ok: true, skipped: true, reason: `memory sanitizers unavailable: ${probe.reason}; install the compiler's sanitizer runtimes (Debian: libasan8 libubsan1 for gcc 12)` };
      return { ok: false, reason: `sanitizer build failed: ${b.reason}`, log: b.log };
    }
    const seed = ctx.seeds[0]!;
    const sizes = ctx.testSpec.sizes.test;
    for (const i of sizesTested(ctx)) {
      const outFile = join(ctx.dir, `asan-s${i}.bin`);
      const r = await runTest(binary, i, seed, outFile, {
        cwd: ctx.dir,
        threads: 2,
        timeoutMs: testTimeout(ctx, i, seed, SANITIZE_TIME_FACTOR),
        env: SANITIZER_ENV,
        sandbox: ctx.sandbox,
      });
      await rm(outFile, { force: true });
      if (!r.ok) return { ok: false, reason: `${r.problem} in sanitize-memory (size ${describeSize(sizes[i]!)}, seed ${seed}, threads 2)`, log: tail(r.stderr) };
    }
    return { ok: true, reason: `ASan+UBSan clean at ${sizesTested(ctx).length} sizes (2 threads)` };
  });
}

/** 4b. Race detection: clang + TSan + Archer by default (skipped, and said so, where it is missing); callers may substitute. */
async function raceStage(ctx: CandidateContext, compiled: CompiledCandidate): Promise<StageResult> {
  const recipe = ctx.req.recipe;
  if (recipe && recipe.raceFlags === null) {
    return {
      stage: 'sanitize-race',
      ok: true,
      skipped: true,
      reason: `race detection skipped: the threads of recipe ${recipe.name} cannot be checked (${recipe.cc} does not parallelize under -fsanitize=thread)`,
      durationMs: 0,
    };
  }
  const detect = ctx.req.raceStage ?? raceStageForVerifier;
  return detect({
    spec: ctx.req.spec,
    unit: ctx.req.unit,
    policy: ctx.policy,
    // The race build compiles everything with clang: the whole file, with the recipe's transformation.
    candidateTu: compiled.wholeTu ?? compiled.tu,
    ...(recipe?.raceFlags?.length ? { extraCflags: recipe.raceFlags } : {}),
    harnessSource: ctx.original.harnessSource,
    harnessPath: ctx.original.harnessPath,
    includeDirs: ctx.original.includeDirs,
    workDir: ctx.dir,
    seeds: ctx.seeds,
    testTimeoutMs: (sizeIndex, seed) => testTimeout(ctx, sizeIndex, seed),
    sandbox: ctx.sandbox,
    log: ctx.log,
    candidateText: ctx.req.candidateText,
  });
}

/**
 * 5b. For a candidate the benchmark found faster: the size ladder (size-guard.ts), which says
 * below which size the linked kernel keeps calling the original. A candidate that fails at a
 * ladder size where the original runs fails the benchmark stage.
 */
async function withSizeGuard(
  ctx: CandidateContext,
  binary: string,
  bench: Awaited<ReturnType<typeof benchmarkStage>>,
): Promise<Awaited<ReturnType<typeof benchmarkStage>> & { sizeGuard?: SizeGuard }> {
  if (ctx.policy.sizeGuard === false || !bench.stage.ok || bench.speed?.decision !== 'faster' || !bench.speedup) return bench;
  const started = performance.now();
  const { guard, problem } = await measureSizeGuard({
    spec: ctx.req.spec,
    unit: ctx.req.unit,
    originalBinary: ctx.original.binary,
    candidateBinary: binary,
    cwd: ctx.dir,
    sandbox: benchSandbox(ctx.sandbox),
    benchSpeedup: bench.speedup.median,
    log: ctx.log,
  });
  const durationMs = bench.stage.durationMs + (performance.now() - started);
  if (problem) return { ...bench, stage: { ...bench.stage, ok: false, reason: `${problem} (size ladder after the benchmark)`, durationMs } };
  return { ...bench, stage: { ...bench.stage, reason: `${bench.stage.reason}; size guard: ${guard.why}`, durationMs }, sizeGuard: guard };
}

/**
 * 5. Benchmark at the bench size (adaptive ABAB with the original); also compares the
 * bench-size outputs (a correctness check: chunking bugs can show only there). A contender
 * run that times out is slow, not wrong: a speed verdict ('slower'), never a rejection.
 */
async function benchmarkStage(
  ctx: CandidateContext,
  binary: string,
  mode: 'full' | 'screen',
): Promise<{ stage: StageResult; speedup?: SpeedupStats; speed?: Verdict['speed'] }> {
  let speedup: SpeedupStats | undefined;
  let speed: Verdict['speed'];
  const threshold = ctx.threshold;
  const setSpeed = (decision: SpeedDecision, why: string) => (speed = { decision, threshold, why });
  const checkOnly = ctx.req.benchmark === 'check-only';
  const stage = await timed('benchmark', async () => {
    const spec = ctx.req.spec;
    const where = `bench size ${describeSize(spec.sizes.bench)}, seed ${benchSeed(spec)}, default threads`;
    const originalOut = join(ctx.dir, 'bench-original.bin');
    const candidateOut = join(ctx.dir, 'bench-candidate.bin');
    const pairs = Math.max(1, ctx.policy.benchPairs);
    const r = await benchmarkBinaries(
      { label: 'original', binary: ctx.original.binary, cwd: ctx.dir, sandbox: benchSandbox(ctx.sandbox), outFile: originalOut },
      { label: 'candidate', binary, cwd: ctx.dir, sandbox: benchSandbox(ctx.sandbox), outFile: candidateOut },
      {
        pairs,
        // Screening ranks candidates with a fixed, short benchmark; full verification samples until it decides.
        maxPairs: mode === 'screen' ? pairs : Math.max(pairs, ctx.policy.benchMaxPairs ?? pairs),
        budgetMs: ctx.policy.benchBudgetMs,
        targetWidth: ctx.policy.benchTargetWidth,
        threshold,
        checkOnly,
        warmupCalls: ctx.policy.warmupRuns,
        benchFactor: ctx.policy.timeouts.benchFactor,
        log: ctx.log,
      },
    );
    if (!r.ok && r.failedSide === 'baseline') throw new VerifySetupError(`the original fails at the bench size: ${r.reason}`, r.log);
    const slow = !r.ok && r.timedOut;
    if (!r.ok && !slow) return { ok: false, reason: `${r.reason.replace(/^candidate: /, '')} in benchmark (${where})`, log: r.log };
    let compared = 'bench-size outputs match';
    if (r.calibrated) {
      const cmp = compareOutputs(await readOutputFile(originalOut), await readOutputFile(candidateOut), spec, {
        size: spec.sizes.bench,
        seed: benchSeed(spec),
        label: where,
      });
      if (!cmp.ok) return { ok: false, reason: `at the bench size: ${cmp.message}`, log: r.log };
    } else compared = 'bench-size outputs not compared (the run did not finish)';
    if (slow) {
      // Timed out: slow, not wrong. On a busy machine not even that is final.
      const load = r.load ?? machineLoad([othersRunnableNow()].filter((x): x is number => x !== undefined));
      const busy = load?.busy ? `; the machine was busy (${load.othersRunnable} other runnable on ${load.cores} cores), so this is re-measured on a later build` : '';
      const why = `timed out at the bench size (${r.reason.replace(/^candidate: /, '')}, over ${ctx.policy.timeouts.benchFactor}× the original's time): slower than the original; ${compared}${busy}`;
      setSpeed(load?.busy ? 'inconclusive' : 'slower', why);
      return { ok: true, reason: why, log: r.log };
    }
    if (checkOnly || !r.stats) {
      const why = `${compared}; timing skipped (AUTOPAR_VERIFY_SKIP_BENCH): speed not measured`;
      setSpeed('not-measured', why);
      return { ok: true, reason: why, log: r.log };
    }
    speedup = r.stats;
    setSpeed(speedDecisionOf(r.stats, threshold), describeSpeedDecision(r.stats, threshold));
    return { ok: true, reason: `${compared}; ${speed!.why}; ${r.stats.stoppedBecause ?? ''}`.replace(/; $/, ''), log: r.log };
  });
  return { stage, speedup, speed };
}
