// Running the original kernel under a spec: the check of a drafted spec (does the original
// run at every test size?) and the timed probe that picks a bench size (`autopar spec
// calibrate`). Both use the verifier's own harness, compiler steps and sandbox, read-only.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import type { KernelSpec, SizeBinding } from '../spec/types.js';
import { buildTestBinary, compileObject } from '../verify/build.js';
import { describeSize, generateHarness, kernelTranslationUnit } from '../verify/harness.js';
import { prepareOriginal } from '../verify/original-cache.js';
import { resolveToolchain, type Toolchain } from '../verify/policy.js';
import { benchTimes, runBench } from '../verify/run-harness.js';

export interface OriginalRunRequest {
  spec: KernelSpec;
  sourceText: string;
  sourcePath: string;
  toolchain?: Toolchain;
  log?: (line: string) => void;
}

/** Runs the original once at every test size and seed; `ok: false` says which size failed and why. */
export async function checkDraftRuns(req: OriginalRunRequest): Promise<{ ok: boolean; detail: string }> {
  const work = await mkdtemp(join(tmpdir(), 'autopar-draft-'));
  try {
    const started = performance.now();
    const p = await prepareOriginal({}, join(work, 'original'), {
      spec: req.spec,
      sourceText: req.sourceText,
      sourcePath: req.sourcePath,
      toolchain: resolveToolchain(req.toolchain),
      compileTimeoutMs: 120_000,
      testTimeoutMs: 60_000,
      seeds: req.spec.seeds ?? [1, 2],
      log: req.log ?? (() => {}),
    });
    const ms = Math.round(performance.now() - started);
    return { ok: true, detail: `the original ran at all ${req.spec.sizes.test.length} test sizes × ${(req.spec.seeds ?? [1, 2]).length} seeds (${p.tests.length} runs, ${ms} ms with compiling)` };
  } catch (err) {
    return { ok: false, detail: (err as Error).message };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

export interface CalibrateRequest extends OriginalRunRequest {
  /** Target time of one serial call of the original, ms (default 100). */
  targetMs?: number;
  /** Size names scaled together (default: every size name). */
  scale: string[];
  /** Size names that are shift counts (1 << logn): stepped by one instead of doubled. */
  exponents?: string[];
  /** Where probing starts (default: the largest test binding). */
  start?: SizeBinding;
  maxProbes?: number;
}

export interface Probe {
  size: SizeBinding;
  ms: number;
}

export interface Calibration {
  bench: SizeBinding;
  /** Measured time of one call at `bench`, ms. */
  ms: number;
  probes: Probe[];
  /** Why probing stopped before reaching the target, when it did. */
  stopped?: string;
}

/**
 * Times the original at growing sizes (the scaled names doubled, exponents + 1) until one
 * call takes at least targetMs, then interpolates the size between the last two probes by
 * the measured growth rate and times that size once more.
 */
export async function calibrateBench(req: CalibrateRequest): Promise<Calibration> {
  const target = req.targetMs ?? 100;
  const exps = new Set(req.exponents ?? []);
  const start = req.start ?? largestBinding(req.spec.sizes.test);
  const work = await mkdtemp(join(tmpdir(), 'autopar-calibrate-'));
  const probes: Probe[] = [];
  let stopped: string | undefined;
  try {
    const timeAt = async (size: SizeBinding, i: number): Promise<number> => {
      const ms = await timeOriginal(req, size, join(work, `probe-${i}`));
      probes.push({ size, ms });
      req.log?.(`autopar: ${req.spec.name}: ${describeSize(size)} takes ${ms.toFixed(1)} ms`);
      return ms;
    };
    let factor = 1;
    let size = scaled(start, req.scale, exps, factor);
    let ms = await timeAt(size, 0);
    for (let i = 1; ms < target && i < (req.maxProbes ?? 14); i++) {
      factor *= 2;
      const next = scaled(start, req.scale, exps, factor);
      try {
        ms = await timeAt(next, i);
        size = next;
      } catch (err) {
        stopped = `${describeSize(next)} failed (${(err as Error).message}); keeping the last size that ran`;
        break;
      }
    }
    if (ms >= target && probes.length >= 2) {
      // t ∝ factor^p between the last two probes; solve for the target.
      const [a, b] = probes.slice(-2) as [Probe, Probe];
      const p = Math.log(Math.max(b.ms, 1e-3) / Math.max(a.ms, 1e-3)) / Math.log(2);
      if (p > 0.2) {
        const f = (factor / 2) * Math.pow(target / Math.max(a.ms, 1e-3), 1 / p);
        const guess = scaled(start, req.scale, exps, Math.max(factor / 2, Math.min(factor, f)));
        if (describeSize(guess) !== describeSize(size)) {
          try {
            const gms = await timeAt(guess, probes.length);
            if (gms > 0) {
              size = guess;
              ms = gms;
            }
          } catch {
            /* keep the bracketing probe */
          }
        }
      }
    } else if (ms < target) {
      stopped ??= `still ${ms.toFixed(1)} ms after ${probes.length} probes`;
    }
    return { bench: size, ms, probes, stopped };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

function largestBinding(test: SizeBinding[]): SizeBinding {
  const product = (b: SizeBinding) => Object.values(b).reduce((acc, v) => acc * Math.max(1, v), 1);
  return [...test].sort((a, b) => product(b) - product(a))[0] ?? {};
}

function scaled(start: SizeBinding, names: string[], exponents: Set<string>, factor: number): SizeBinding {
  const out: SizeBinding = { ...start };
  for (const n of names) {
    if (!(n in out)) continue;
    if (exponents.has(n)) out[n] = Math.round(out[n]! + Math.log2(factor));
    else out[n] = Math.max(1, Math.round(out[n]! * factor));
  }
  return out;
}

/** One bench call of the original at `size` (median of 3 timed calls after one warm-up), ms. */
async function timeOriginal(req: OriginalRunRequest, size: SizeBinding, dir: string): Promise<number> {
  await mkdir(dir, { recursive: true });
  const spec: KernelSpec = { ...req.spec, sizes: { ...req.spec.sizes, test: [size], bench: size, edgeSizes: false } };
  const tc = resolveToolchain(req.toolchain);
  const sandbox = { workDir: dir, readOnly: [dirname(req.sourcePath)], fileSizeBytes: 1024 ** 3 };
  const opts = { cwd: dir, timeoutMs: 120_000, sandbox };
  await writeFile(join(dir, 'harness.c'), generateHarness(spec));
  const h = await compileObject(tc, join(dir, 'harness.c'), join(dir, 'harness.o'), opts);
  if (!h.ok) throw new Error(`the harness does not compile: ${h.reason}`);
  const tuName = basename(req.sourcePath);
  await writeFile(join(dir, tuName), kernelTranslationUnit(req.sourceText, spec, tuName));
  const b = await buildTestBinary(tc, { kernelTu: join(dir, tuName), harnessObject: join(dir, 'harness.o'), output: join(dir, 'original'), includeDirs: [dirname(req.sourcePath)] }, opts);
  if (!b.ok) throw new Error(`the original does not build: ${b.reason}`);
  const r = await runBench(join(dir, 'original'), 3, 1, undefined, { cwd: dir, threads: 1, timeoutMs: 120_000, sandbox });
  if (!r.ok) throw new Error(r.problem);
  const times = benchTimes(r.stdout).sort((x, y) => x - y);
  if (times.length === 0) throw new Error('the bench run printed no times');
  return times[times.length >> 1]!;
}
