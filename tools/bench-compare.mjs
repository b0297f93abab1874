// Bench B — speedup over the serial gcc baseline, per kernel at the spec's bench size, of
//   gcc-autopar  gcc -O3 -ftree-parallelize-loops=2 on the original source
//   polly        clang-19 -O3 + Polly (-polly-parallel, LLVM OpenMP backend) on the original source
//   autopar      the variant buildProject links with proposer 'analyzer' and the compile recipes
//                (default clang-O3, clang-polly, clang-polly-parallel, aligned-loops: the portfolio; --recipes none for the
//                analyzer alone); a recipe's variant is built as it is linked (the kernel in its own TU
//                compiled with the recipe). When the build keeps the original, the original built with the
//                project's flags, measured like any contender (never assumed 1.00); when the chosen
//                variant's text is missing from the store, the cell is missing (not measured)
//   expert-ref   reference/<k>_omp.c, gcc -O3 -fopenmp
//   analyzer     (only with opts.analyzerAlone: tools/eval.mjs) what buildProject links with proposer
//                'analyzer' and no compile recipes, measured like autopar
// Every contender is linked with the same generated harness object as the baseline (same
// inputs), timed ABAB against the baseline (see ababMany), OMP_NUM_THREADS=2, and its outputs
// at the bench size are compared with the baseline's within the spec's tolerance.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { tmpdir } from 'node:os';

import { spliceFunction } from '../packages/core/dist/index.js';
import { buildTestBinary, compileObject } from '../packages/core/dist/verify/build.js';
import { splitNamedKernel } from '../packages/core/dist/kernel/own-tu.js';
import { describeGuard, guardedKernelText, guardForText, variantName } from '../packages/core/dist/kernel/size-guard-text.js';
import { describeSize, kernelTranslationUnit } from '../packages/core/dist/verify/harness.js';
import { createOriginalCache, prepareOriginal } from '../packages/core/dist/verify/original-cache.js';
import { DEFAULT_VERIFY_POLICY } from '../packages/core/dist/verify/policy.js';
import { ababMany, analyzerBuild, geomean, parallelRuntimeCalls, progress, projectToolchain, serialToolchain, sizedSpeedup, toolVersion } from './bench-common.mjs';

export const COLUMNS = ['gcc-autopar', 'polly', 'autopar', 'expert-ref'];

/** The columns of a run: COLUMNS, plus the analyzer alone when opts.analyzerAlone is set. */
export function columnsOf(opts = {}) {
  return opts.analyzerAlone ? ['gcc-autopar', 'polly', 'analyzer', 'autopar', 'expert-ref'] : COLUMNS;
}

/** The compile recipes of the autopar column's build (gcc-autopar's threads cannot be race-checked, so it is never linked). */
export const DEFAULT_RECIPES = ['clang-O3', 'clang-polly', 'clang-polly-parallel', 'aligned-loops'];

export const POLLY_FLAGS = ['-O3', '-mllvm', '-polly', '-mllvm', '-polly-parallel', '-mllvm', '-polly-omp-backend=LLVM', '-fopenmp'];
export const POLLY_MISSING = 'n/a: clang-19 missing (apt-get install clang-19 libpolly-19-dev)';

/** Whether clang-19 exists and accepts the Polly flags (Debian links Polly into clang; no plugin needed). */
async function detectPolly(dir) {
  if (!toolVersion('clang-19')) return { ok: false, reason: POLLY_MISSING };
  const { execFileSync } = await import('node:child_process');
  const src = join(dir, 'polly-probe.c');
  await writeFile(src, 'void f(int n, double *a) { for (int i = 0; i < n; i++) a[i] = 2 * a[i]; }\n');
  try {
    execFileSync('clang-19', [...POLLY_FLAGS, '-c', src, '-o', join(dir, 'polly-probe.o')], { stdio: ['ignore', 'pipe', 'pipe'] });
    return { ok: true, version: toolVersion('clang-19') };
  } catch (e) {
    const msg = String(e.stderr ?? e.message).split('\n').find((l) => /error/i.test(l)) ?? 'compile failed';
    return { ok: false, reason: `n/a: clang-19 rejects the Polly flags (${msg.trim()}; apt-get install libpolly-19-dev)` };
  }
}

/**
 * @param kernels   from loadKernelProjects
 * @param opts      { pairs, cacheDir (store for the autopar build; default the project's), keepDir, recipes,
 *                  analyzerAlone (also time what the analyzer alone links: column 'analyzer') }
 * @returns         { rows, geomeans, goal, meta } — and per kernel the analyzer build (for section C)
 */
export async function benchCompare(kernels, opts = {}) {
  const scratch = await mkdtemp(join(tmpdir(), 'autopar-bench-b-'));
  const polly = await detectPolly(scratch);
  const rows = [];
  const builds = new Map();
  const columns = columnsOf(opts);
  try {
    for (const k of kernels) {
      try {
        const recipes = opts.recipes ?? DEFAULT_RECIPES;
        progress(`B ${k.name}: autopar build (buildProject, proposer analyzer, recipes ${recipes.join(', ') || 'none'})`);
        const build = await analyzerBuild(k, {
          outputPath: join(scratch, 'dist', k.project.projectName),
          cacheDir: opts.cacheDir,
          recipes,
          log: (l) => {
            if (/verifying|verified|rejected|→/.test(l)) progress(`  ${l}`);
          },
        });
        builds.set(k.name, build);
        progress(`B ${k.name}: ${build.outcome}${build.chosen ? ` → ${build.chosen.label}` : ''} (${(build.buildMs / 1000).toFixed(1)} s)`);
        let alone;
        if (opts.analyzerAlone) {
          // Without recipes the autopar build already is the analyzer alone.
          alone = recipes.length === 0 ? build : await analyzerBuild(k, { outputPath: join(scratch, 'dist-analyzer', k.project.projectName), cacheDir: opts.cacheDir, recipes: [], log: () => {} });
          progress(`B ${k.name}: analyzer alone: ${alone.outcome}${alone.chosen ? ` → ${alone.chosen.label}` : ''}`);
        }
        rows.push(await benchKernel(k, build, { ...opts, scratch, polly, alone }));
      } catch (e) {
        // One kernel's setup problem (its baseline does not run, the build throws) must not lose the others.
        const reason = `bench error: ${e instanceof Error ? e.message : String(e)}`;
        progress(`B ${k.name}: ${reason}`);
        rows.push({ kernel: k.name, error: reason, cells: Object.fromEntries(columns.map((c) => [c, { ok: false, reason }])) });
      }
    }
  } finally {
    if (!opts.keepDir) await rm(scratch, { recursive: true, force: true }).catch(() => {});
  }

  const geomeans = {};
  for (const col of columns) {
    const vals = rows.map((r) => r.cells[col]).filter((c) => c.ok && c.outputsMatch !== false).map((c) => c.speedup);
    geomeans[col] = { value: geomean(vals), n: vals.length, of: rows.length };
  }
  const goal = portfolioGoal(rows, geomeans);
  return {
    rows,
    geomeans,
    goal,
    builds,
    meta: {
      pairs: opts.pairs ?? DEFAULT_VERIFY_POLICY.benchPairs,
      threads: 2,
      gcc: toolVersion('gcc'),
      polly: polly.ok ? { flags: POLLY_FLAGS.join(' '), version: polly.version } : { missing: polly.reason },
      recipes: opts.recipes ?? DEFAULT_RECIPES,
      columns,
    },
  };
}

/**
 * The targets (issue 9): what autopar links is never below 1.0 on any kernel, at least the
 * per-kernel best of {gcc-autopar, polly} (within noise: the best's median is inside or
 * below autopar's per-pair range), and its geomean is at least the hand-written references'.
 */
export function portfolioGoal(rows, geomeans) {
  const ok = (c) => c?.ok && c.outputsMatch !== false;
  const below = [];
  const behind = [];
  const broken = [];
  for (const r of rows) {
    const a = r.cells.autopar;
    if (!ok(a)) {
      broken.push(r.kernel);
      continue;
    }
    if (a.speedup < 1) below.push({ kernel: r.kernel, speedup: a.speedup, spread: a.spread, withinNoise: a.spread[1] >= 1 });
    const rivals = ['gcc-autopar', 'polly'].filter((c) => ok(r.cells[c]));
    const best = rivals.sort((x, y) => r.cells[y].speedup - r.cells[x].speedup)[0];
    if (best && a.speedup < r.cells[best].speedup) {
      behind.push({ kernel: r.kernel, best, bestSpeedup: r.cells[best].speedup, speedup: a.speedup, withinNoise: a.spread[1] >= r.cells[best].speedup });
    }
  }
  const an = geomeans.autopar.value;
  const ref = geomeans['expert-ref'].value;
  return {
    autoparGeomean: an,
    referenceGeomean: ref,
    geomeanMet: an !== undefined && ref !== undefined && an >= ref,
    neverBelowOne: below.every((b) => b.withinNoise) && broken.length === 0,
    atLeastBestCompiler: behind.every((b) => b.withinNoise) && broken.length === 0,
    below,
    behind,
    broken,
  };
}

async function benchKernel(k, build, { scratch, polly, pairs, alone }) {
  const work = join(scratch, k.name);
  await mkdir(work, { recursive: true });
  const serial = serialToolchain(k);
  const policy = DEFAULT_VERIFY_POLICY;
  const original = await prepareOriginal(createOriginalCache(join(work, 'original')), join(work, 'original'), {
    spec: k.spec,
    sourceText: k.sourceText,
    sourcePath: k.sourcePath,
    toolchain: serial,
    compileTimeoutMs: policy.timeouts.compileMs,
    testTimeoutMs: 60_000,
    seeds: k.spec.seeds ?? [1, 2],
    log: (l) => progress(`  ${l}`),
  });
  const benchDir = join(work, 'bench');
  await mkdir(benchDir, { recursive: true });
  const readOnly = [original.dir, ...original.includeDirs, ...(k.referencePath ? [dirname(k.referencePath)] : [])];
  const sandbox = { workDir: benchDir, readOnly };

  /** Writes a TU (with the harness trampoline) and links it with the baseline's harness object. */
  const contender = async (label, tc, tuText, tuPath, extra = {}, recipe = undefined, recipeKernel = k.name) => {
    const tuName = basename(tuPath);
    const dir = join(benchDir, label);
    await mkdir(dir, { recursive: true });
    const tu = join(dir, tuName);
    const binary = join(dir, 'bin');
    const includeDirs = [...new Set([dirname(tuPath), ...original.includeDirs])];
    const compileOpts = { cwd: benchDir, timeoutMs: policy.timeouts.compileMs, sandbox };
    const extraObjects = [];
    if (recipe) {
      // As the build links it: the kernel in its own TU compiled with the recipe, the rest as before.
      const split = splitNamedKernel(tuText, tuPath, recipeKernel);
      const own = join(dir, `autopar-kernel-${k.name}.c`);
      await writeFile(own, split.kernelTu);
      const object = join(dir, 'kernel-recipe.o');
      const c = await compileObject({ cc: recipe.cc, cflags: recipe.cflags, ldflags: [] }, own, object, compileOpts, includeDirs);
      if (!c.ok) return { label, ok: false, reason: `does not build (recipe ${recipe.name}): ${c.reason}` };
      extraObjects.push(object);
      tuText = split.restTu;
    }
    await writeFile(tu, kernelTranslationUnit(tuText, k.spec, tuName));
    const b = await buildTestBinary(tc, { kernelTu: tu, harnessObject: original.harnessObject, output: binary, includeDirs, extraObjects }, compileOpts);
    if (!b.ok) return { label, ok: false, reason: `does not build: ${b.reason}` };
    const flags = recipe ? `${recipe.cc} ${recipe.cflags.join(' ')} (kernel TU)` : `${tc.cc} ${tc.cflags.join(' ')}`;
    return { label, ok: true, binary, dir: benchDir, sandbox, parallel: parallelRuntimeCalls(binary), flags, ...extra };
  };

  const subjects = [];
  subjects.push(
    await contender('gcc-autopar', { ...serial, cflags: [...serial.cflags, '-ftree-parallelize-loops=2'] }, k.sourceText, k.sourcePath),
  );
  subjects.push(
    polly.ok
      ? await contender('polly', { cc: 'clang-19', cflags: POLLY_FLAGS, ldflags: ['-fopenmp', ...serial.ldflags] }, k.sourceText, k.sourcePath)
      : { label: 'polly', ok: false, reason: polly.reason },
  );
  /** What a build links, as a contender. */
  const linked = async (label, build) => {
    const chosen = build.chosen ? build.candidates.find((c) => c.label === build.chosen.label) : undefined;
    if (chosen?.text) {
      // As the build links it: behind its size guard when the verifier measured one.
      const guard = guardForText(chosen.verdict.sizeGuard);
      const text = guard ? guardedKernelText(k.unit, chosen.text, guard, { variantExtern: !!chosen.recipe }) : chosen.text;
      const spliced = spliceFunction(k.sourceText, k.unit, text);
      const extra = { variant: chosen.label, ...(guard ? { sizeGuard: describeGuard(guard) } : {}) };
      return contender(label, projectToolchain(k), spliced, k.sourcePath, extra, chosen.recipe, guard ? variantName(k.name) : k.name);
    }
    // A build that chose a variant we cannot read: nothing to time, and nothing is made up.
    if (build.chosen) return { label, ok: false, missing: true, reason: `not measured: the chosen variant ${build.chosen.label} is missing from the store` };
    // The original is what the build links: time it with the project's flags like any contender.
    return contender(label, projectToolchain(k), k.sourceText, k.sourcePath, { variant: 'original kept', originalKept: true, keptBecause: build.reason });
  };
  if (alone) subjects.push(await linked('analyzer', alone));
  subjects.push(await linked('autopar', build));
  subjects.push(
    k.referencePath
      ? await contender('expert-ref', { cc: 'gcc', cflags: ['-O3', '-fopenmp'], ldflags: ['-fopenmp', '-lm'] }, await readFileText(k.referencePath), k.referencePath)
      : { label: 'expert-ref', ok: false, reason: 'no reference/<k>_omp.c' },
  );
  for (const s of subjects) if (!s.ok) progress(`B ${k.name}: ${s.label}: ${s.reason}`);

  const baseline = { label: 'serial', binary: original.binary, dir: benchDir, sandbox };
  const timed = await ababMany(k.spec, baseline, subjects, { pairs, threads: 2, log: progress });

  const cells = {};
  for (const s of subjects) {
    const t = timed.contenders[s.label] ?? { ok: false, reason: s.reason };
    cells[s.label] = {
      ...t,
      reason: t.reason ?? s.reason,
      parallel: s.parallel,
      ...(s.variant ? { variant: s.variant } : {}),
      ...(s.sizeGuard ? { sizeGuard: s.sizeGuard } : {}),
      ...(s.originalKept ? { originalKept: true, keptBecause: s.keptBecause } : {}),
      ...(s.missing ? { missing: true } : {}),
      ...(s.flags ? { flags: s.flags } : {}),
    };
  }
  // Small inputs (issue 9, item 4): what the build links against the serial program at the
  // smallest and the largest test size, where a parallel region's start-up can outweigh the work.
  const linkedSubject = subjects.find((s) => s.label === 'autopar' && s.ok);
  if (linkedSubject && cells.autopar.ok) {
    const tests = k.spec.sizes.test;
    cells.autopar.small = [];
    for (const size of [tests[0], tests.at(-1)].filter((s, i, all) => all.indexOf(s) === i)) {
      try {
        cells.autopar.small.push({ size, ...(await sizedSpeedup(k.spec, baseline, linkedSubject, size, { pairs: 5, threads: 2 })) });
      } catch (err) {
        cells.autopar.small.push({ size, failed: err instanceof Error ? err.message : String(err) });
      }
    }
  }
  const line = Object.keys(cells).map((c) => `${c} ${cells[c].ok ? cells[c].speedup.toFixed(2) : 'n/a'}`).join(', ');
  progress(`B ${k.name}: ${line}`);
  return {
    kernel: k.name,
    benchSize: k.spec.sizes.bench,
    serialCallMs: timed.baselineCallMs,
    repsPerProcess: timed.reps,
    analyzerBuild: {
      outcome: build.outcome,
      reason: build.reason,
      chosen: build.chosen?.label ?? null,
      buildVerdictSpeedup: build.chosen?.speedup?.median,
      candidates: build.candidates.map((c) => ({ label: c.label, accepted: c.verdict.accepted, reason: c.verdict.reason })),
    },
    ...(alone ? { analyzerAloneBuild: { outcome: alone.outcome, reason: alone.reason, chosen: alone.chosen?.label ?? null, buildVerdictSpeedup: alone.chosen?.speedup?.median } } : {}),
    cells,
  };
}

async function readFileText(p) {
  const { readFile } = await import('node:fs/promises');
  return readFile(p, 'utf8');
}

// ---------------------------------------------------------------------------------------------
// Printing

const fmtRatio = (x) => (x === undefined ? 'n/a' : x.toFixed(2));

export function formatCell(col, c) {
  if (!c) return 'n/a';
  if (c.missing) return `missing (${shorten(c.reason ?? 'not measured', 60)})`;
  if (!c.ok) return c.reason?.startsWith('n/a') ? c.reason : `FAILED: ${shorten(c.reason ?? 'unknown', 60)}`;
  let s = `${fmtRatio(c.speedup)} [${fmtRatio(c.spread[0])}–${fmtRatio(c.spread[1])}]`;
  if (c.outputsMatch === false) s += ' MISMATCH';
  if ((col === 'autopar' || col === 'analyzer') && c.variant) s += ` (${c.variant}${c.sizeGuard ? `; ${c.sizeGuard}` : ''})`; // 'original kept' included
  if ((col === 'gcc-autopar' || col === 'polly') && c.parallel === false) s += ' serial';
  return s;
}

function shorten(s, n) {
  return s.length <= n ? s : `${s.slice(0, n - 1)}…`;
}

export function printCompare(res, out = console.log) {
  const columns = res.meta.columns ?? COLUMNS;
  const header = ['kernel', 'serial ms/call', ...columns];
  const body = res.rows.map((r) => [r.kernel, r.serialCallMs?.toFixed(1) ?? 'error', ...columns.map((c) => formatCell(c, r.cells[c]))]);
  const gm = ['geomean', '', ...columns.map((c) => {
    const g = res.geomeans[c];
    return g.value === undefined ? 'n/a' : `${g.value.toFixed(2)}${g.n < g.of ? ` (${g.n}/${g.of} kernels)` : ''}`;
  })];
  out(table(header, [...body, gm]));
  out('');
  out('cells: median speedup over gcc -O3 serial [min–max of per-pair ratios]; MISMATCH = outputs differ from the serial');
  out('baseline beyond the spec tolerance at the bench size (excluded from the geomean); "serial" = no OpenMP region was');
  out('emitted (the compiler did not parallelize anything); autopar label = the variant buildProject linked');
  out(`(analyzer:… = the analyzer's, recipe:… = a compile recipe's; recipes: ${res.meta.recipes.join(', ') || 'none'}).`);
  const g = res.goal;
  out('');
  out(`autopar geomean ${fmtRatio(g.autoparGeomean)} vs the hand-written references' ${fmtRatio(g.referenceGeomean)}: ${g.geomeanMet ? 'met' : 'not met'}`);
  const belowText = g.below.map((b) => `${b.kernel} ${b.speedup.toFixed(2)} [${b.spread[0].toFixed(2)}–${b.spread[1].toFixed(2)}]${b.withinNoise ? ' within noise' : ''}`);
  const brokenText = g.broken.map((k) => `${k} (failed or mismatched)`);
  out(`never below 1.0: ${g.neverBelowOne ? 'yes' : 'no'}${belowText.length + brokenText.length ? ` (${[...belowText, ...brokenText].join(', ')})` : ''}`);
  const small = res.rows.filter((r) => r.cells.autopar?.small?.length);
  if (small.length) {
    const cell = (x) => (x.failed ? `FAILED at ${describeSize(x.size)}` : `${x.speedup.toFixed(2)} at ${describeSize(x.size)}`);
    out(`small inputs (autopar over serial at the smallest and the largest test size, ${small[0].cells.autopar.small[0].pairs ?? 5} pairs, calls back to back): ${small.map((r) => `${r.kernel} ${r.cells.autopar.small.map(cell).join(', ')}`).join('; ')}`);
  }
  const behindText = g.behind.map((b) => `${b.kernel} ${b.speedup.toFixed(2)} < ${b.best} ${b.bestSpeedup.toFixed(2)}${b.withinNoise ? ' within noise' : ''}`);
  out(`at least the best of gcc-autopar and polly on every kernel: ${g.atLeastBestCompiler ? 'yes' : 'no'}${behindText.length ? ` (${behindText.join(', ')})` : ''}`);
}

export function table(header, rows) {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells) => cells.map((c, i) => String(c).padEnd(widths[i])).join(' | ').trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('-|-'), ...rows.map(line)].join('\n');
}
