// Shared pieces of the benchmark sections (tools/bench.mjs): the kernel projects, the
// serial baseline toolchain, the analyzer build, and an ABAB runner that times several
// contenders against one baseline binary with the verifier's own harness and timing
// protocol (warm-up calls, calibration, per-process median, interleaved pairs).
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';

import { buildProject, resolveBuildOptions, loadSpecFile, extractKernels, FsStore } from '../packages/core/dist/index.js';
import { readProject } from '../packages/core/dist/cli/project.js';
import { benchTimes, runBench, runSized } from '../packages/core/dist/verify/run-harness.js';
import * as benchmarkModule from '../packages/core/dist/verify/benchmark.js';
import { compareOutputs } from '../packages/core/dist/verify/compare.js';
import { readOutputFile } from '../packages/core/dist/verify/output-file.js';
import { benchSeed, describeSize } from '../packages/core/dist/verify/harness.js';
import { DEFAULT_VERIFY_POLICY } from '../packages/core/dist/verify/policy.js';

export const REPO = resolve(import.meta.dirname, '..');

const { median } = benchmarkModule;
export { median };

/** Bench runs write the bench-size outputs, which may exceed the sandbox's default file-size limit. */
export function benchSandbox(sandbox) {
  return benchmarkModule.benchSandbox ? benchmarkModule.benchSandbox(sandbox) : { ...sandbox, fileSizeBytes: 1024 ** 3 };
}

/** Progress goes to stderr; results go to stdout. */
export const progress = (line) => process.stderr.write(`[bench] ${line}\n`);

export function geomean(xs) {
  const v = xs.filter((x) => Number.isFinite(x) && x > 0);
  if (!v.length) return undefined;
  return Math.exp(v.reduce((s, x) => s + Math.log(x), 0) / v.length);
}

/**
 * Every kernel project under kernels/ (one with an autopar.spec.json), optionally filtered by
 * name; `dir` (relative to the repository) reads another set, e.g. the held-out test/heldout.
 */
export async function loadKernelProjects(filter, dir = 'kernels') {
  const root = join(REPO, dir);
  const dirs = readdirSync(root)
    .filter((d) => existsSync(join(root, d, 'autopar.spec.json')))
    .sort();
  const out = [];
  for (const d of dirs) {
    if (filter && d !== filter) continue;
    const project = readProject(join(root, d));
    const options = resolveBuildOptions(project.options, {
      workspaceRoot: project.workspaceRoot,
      projectRoot: project.projectRoot,
      projectName: project.projectName,
      log: () => {},
    });
    const { file, dir: specDir } = await loadSpecFile(resolve(project.projectRoot, options.spec));
    for (const spec of file.kernels) {
      const sourcePath = resolve(specDir, spec.source);
      const sourceText = await readFile(sourcePath, 'utf8');
      const [unit] = extractKernels(sourceText, sourcePath, [spec.name]);
      const refPath = join(project.projectRoot, 'reference', `${spec.name}_omp.c`);
      out.push({
        name: spec.name,
        project,
        options,
        spec,
        sourcePath,
        sourceText,
        unit,
        referencePath: existsSync(refPath) ? refPath : undefined,
      });
    }
  }
  if (filter && !out.length) throw new Error(`no kernel named "${filter}" under kernels/`);
  return out;
}

/** The project's toolchain (what autopar builds and verifies with). */
export function projectToolchain(k) {
  return { cc: k.options.cc, cflags: [...k.options.cflags], ldflags: [...k.options.ldflags] };
}

/** The serial baseline: the project's toolchain minus OpenMP (`gcc -O3`, `-lm`). */
export function serialToolchain(k) {
  const noOmp = (f) => f !== '-fopenmp' && !/^-fopenmp-/.test(f) && f !== '-lgomp';
  return { cc: k.options.cc, cflags: k.options.cflags.filter(noOmp), ldflags: k.options.ldflags.filter(noOmp) };
}

export function toolVersion(cc) {
  try {
    return execFileSync(cc, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).split('\n')[0];
  } catch {
    return undefined;
  }
}

/** Whether a linked binary calls into an OpenMP runtime (a parallel region was emitted). */
export function parallelRuntimeCalls(binary) {
  try {
    const syms = execFileSync('nm', ['-u', binary], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    return /\bGOMP_parallel|__kmpc_fork_call|GOMP_loop_/.test(syms);
  } catch {
    return undefined;
  }
}

/**
 * Runs buildProject for one kernel project with the analyzer proposer into a scratch output
 * folder and returns, per kernel, the linked variant (or null when the original was kept)
 * and the candidates with their texts (texts not in the report are read from the store).
 */
export async function analyzerBuild(k, { outputPath, cacheDir, log, recipes = [] }) {
  const opts = resolveBuildOptions(
    { ...k.project.options, proposer: 'analyzer', compilerRecipes: recipes, offline: false, outputPath, ...(cacheDir ? { cacheDir } : {}) },
    { workspaceRoot: k.project.workspaceRoot, projectRoot: k.project.projectRoot, projectName: k.project.projectName, log },
  );
  const t0 = performance.now();
  const report = await buildProject(opts);
  const buildMs = performance.now() - t0;
  const kr = report.kernels.find((x) => x.kernel === k.name);
  if (!kr) throw new Error(`the build report of ${k.project.projectName} has no kernel ${k.name}`);
  const store = new FsStore(opts.cacheDir);
  const candidates = [];
  for (const c of kr.candidates) {
    let text = c.functionText;
    if (text === undefined) text = (await store.getBlob(c.sourceDigest))?.toString('utf8');
    candidates.push({ label: c.label, text, verdict: c.verdict, chosen: kr.chosen?.label === c.label, ...(c.recipe ? { recipe: c.recipe } : {}) });
  }
  return { report: kr, outcome: kr.outcome, reason: kr.reason, chosen: kr.chosen, candidates, buildMs, cacheDir: opts.cacheDir };
}

/**
 * Times every contender against one baseline binary. Each pair is one baseline process
 * immediately followed by one contender process (A B), for every contender in turn (order
 * rotated each round), so each contender gets `pairs` ABAB pairs of its own. A process makes
 * `warmups` untimed calls, then `reps` timed ones; its time is the median of its calls.
 * speedup = median(A runs) / median(B runs), spread = [min, max] of the per-pair ratios,
 * as in the verifier's benchmarkBinaries. Every process runs with OMP_NUM_THREADS=threads.
 *
 * baseline / contenders: { label, binary, dir, sandbox } (contenders: ok === false are skipped).
 * Returns per contender label: { ok, reason, speedup, spread, baselineMs, contenderMs, outputsMatch, mismatch }.
 */
export async function ababMany(spec, baseline, contenders, opts) {
  const pairs = opts.pairs ?? 5;
  const warmups = opts.warmups ?? DEFAULT_VERIFY_POLICY.warmupRuns;
  const threads = opts.threads ?? 2;
  const targetRunMs = opts.targetRunMs ?? 300;
  const benchFactor = opts.benchFactor ?? DEFAULT_VERIFY_POLICY.timeouts.benchFactor;
  const floor = 10_000;
  const log = opts.log ?? (() => {});

  const runOnce = async (s, reps, timeoutMs, outFile) => {
    const r = await runBench(s.binary, reps, warmups, outFile, { cwd: s.dir, threads, timeoutMs, sandbox: benchSandbox(s.sandbox) });
    const times = benchTimes(r.stdout);
    if (r.ok && times.length !== reps) return { ...r, ok: false, problem: `printed ${times.length} timings instead of ${reps}` };
    return { ...r, callMs: r.ok ? median(times) : undefined };
  };

  // Calibration: one call each at the bench size, keeping the outputs for the comparison.
  const baseOut = join(baseline.dir, 'bench-baseline.bin');
  const calA = await runOnce(baseline, 1, 120_000, baseOut);
  if (!calA.ok) throw new Error(`${spec.name}: the serial baseline fails at the bench size: ${calA.problem}`);
  const perCall = Math.max(calA.callMs, 1e-3);
  const reps = Math.min(100, Math.max(1, Math.ceil(targetRunMs / perCall)));
  const runTimeout = Math.max(floor, benchFactor * (calA.durationMs + reps * perCall));
  const expected = await readOutputFile(baseOut);

  const results = new Map();
  const live = [];
  for (const c of contenders) {
    if (c.ok === false) continue;
    const out = join(c.dir, `bench-${c.label}.bin`);
    const cal = await runOnce(c, 1, Math.max(floor, benchFactor * calA.durationMs), out);
    if (!cal.ok) {
      results.set(c.label, { ok: false, reason: `fails at the bench size: ${cal.problem}` });
      continue;
    }
    const cmp = compareOutputs(expected, await readOutputFile(out), spec, {
      size: spec.sizes.bench,
      seed: benchSeed(spec),
      threads,
      label: `bench size ${describeSize(spec.sizes.bench)}`,
    });
    results.set(c.label, { ok: true, outputsMatch: cmp.ok, mismatch: cmp.ok ? undefined : cmp.message, a: [], b: [] });
    live.push(c);
  }
  log(`${spec.name}: ${pairs} pairs × ${reps} calls per process (serial ≈ ${perCall.toFixed(2)} ms/call), ${live.length} contenders`);

  for (let i = 0; i < pairs; i++) {
    const order = live.map((_, j) => live[(i + j) % live.length]);
    for (const c of order) {
      const r = results.get(c.label);
      if (!r.ok) continue;
      const ra = await runOnce(baseline, reps, runTimeout, undefined);
      if (!ra.ok) throw new Error(`${spec.name}: the serial baseline failed during the benchmark: ${ra.problem}`);
      const rb = await runOnce(c, reps, runTimeout, undefined);
      if (!rb.ok) {
        Object.assign(r, { ok: false, reason: `failed in pair ${i + 1}: ${rb.problem}` });
        continue;
      }
      r.a.push(ra.callMs);
      r.b.push(rb.callMs);
    }
    log(`${spec.name}: pair ${i + 1}/${pairs} done`);
  }

  const out = {};
  for (const c of contenders) {
    const r = results.get(c.label);
    if (!r) {
      out[c.label] = { ok: false, reason: c.reason ?? 'not run' };
      continue;
    }
    if (!r.ok) {
      out[c.label] = { ok: false, reason: r.reason, outputsMatch: r.outputsMatch, mismatch: r.mismatch };
      continue;
    }
    const ratios = r.a.map((x, j) => x / Math.max(r.b[j], 1e-9));
    out[c.label] = {
      ok: true,
      speedup: median(r.a) / Math.max(median(r.b), 1e-9),
      spread: [Math.min(...ratios), Math.max(...ratios)],
      pairs: ratios.length,
      baselineMs: median(r.a),
      contenderMs: median(r.b),
      outputsMatch: r.outputsMatch,
      mismatch: r.mismatch,
    };
  }
  return { reps, baselineCallMs: perCall, contenders: out };
}

/**
 * Speedup of `contender` over `baseline` at one size (not the bench size): interleaved pairs
 * of processes, each timing calls back to back (harness `sized` mode); the median per-pair ratio.
 */
export async function sizedSpeedup(spec, baseline, contender, size, opts = {}) {
  const pairs = opts.pairs ?? 5;
  const threads = opts.threads ?? 2;
  const values = Object.keys(spec.sizes.bench).map((n) => size[n]);
  const once = async (s, reps) => {
    const r = await runSized(s.binary, reps, 1, values, { cwd: s.dir, threads, timeoutMs: 60_000, sandbox: benchSandbox(s.sandbox) });
    const t = benchTimes(r.stdout);
    if (!r.ok || t.length !== reps) throw new Error(`${spec.name}: ${s.label ?? 'baseline'} at ${describeSize(size)}: ${r.problem || 'no timings'}`);
    return median(t);
  };
  const reps = Math.min(200, Math.max(1, Math.ceil((opts.targetRunMs ?? 60) / Math.max(await once(baseline, 1), 1e-3))));
  const ratios = [];
  for (let i = 0; i < pairs; i++) ratios.push((await once(baseline, reps)) / Math.max(await once(contender, reps), 1e-6));
  return { speedup: median(ratios), spread: [Math.min(...ratios), Math.max(...ratios)], pairs, reps };
}
