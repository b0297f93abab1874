#!/usr/bin/env node
// npm run eval — the evaluation grid: models × strategies × output forms × kernels.
//
// Every cell is a real build: buildProject on one kernel project with one model (embedded,
// or an Ollama model), one strategy and one output form, into ONE store for the whole grid
// (default dist/eval/store). A rerun therefore hits the store in every cell (no model call,
// no verification) and finishes quickly; the end of the run says how many cells hit. Each
// cell first builds offline (store lookups only): a stored variant whose speed was left
// inconclusive is served as stored instead of being re-measured (--remeasure lets the build
// re-measure it, as a normal build does); only a miss builds again with the model.
// Beside the grid, the baselines (tools/bench-compare.mjs, measured in the same run or
// reused from <out>/baselines.json while the kernels and the toolchains are unchanged):
// gcc -O3 serial (= 1.0), gcc -ftree-parallelize-loops, clang-19 + Polly, the analyzer
// alone, the portfolio (analyzer + compile recipes) and the hand-written references.
//
// Output: the summary as a markdown table on stdout; progress on stderr (a bar on a TTY,
// one line per cell otherwise); <out>/eval.json (everything), <out>/eval.csv (one row per
// cell), <out>/eval-report.html (the core's HTML report over the grid's builds and the
// baselines), <out>/builds.json (the grid's build reports), <out>/eval.log (build logs), and
// <out>/ledger.json: per store key, what the model spent and how long the cell took when the
// cell was generated, so that a rerun (all hits, nothing spent) still reports that cost.
// See tools/README.md, "npm run eval".
import { createHash } from 'node:crypto';
import { createWriteStream, existsSync, readdirSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

import { geomean, loadKernelProjects, REPO, toolVersion } from './bench-common.mjs';

const core = (p) => import(join(REPO, 'packages/core/dist', p));
const { buildProject, resolveBuildOptions } = await core('index.js');
const { AUTOPAR_VERSION } = await core('version.js');
const { listModels, locateModel } = await core('models/resolve.js');
const { resolveOllamaHost } = await core('propose/ollama.js');
const { stageCounts, STAGE_ORDER, renderHtmlReportBytes } = await core('report/html-report.js');

const STRATEGY_NAMES = await (async () => {
  try {
    return [...(await core('strategy/names.js')).STRATEGY_NAMES];
  } catch {
    // Until packages/core/src/strategy/names.ts is built: the paper's six, in its order.
    return ['zero-shot', 'few-shot', 'chain-of-thought', 'step-by-step', 'tree-of-thoughts', 'react'];
  }
})();
const FORMS = ['function', 'plan', 'menu'];
const QUICK_MODEL = 'smollm2-135m';

/** Baselines: bench-compare's column → what the tables call it. */
const BASELINES = [
  ['gcc-autopar', 'gcc -O3 -ftree-parallelize-loops=2'],
  ['polly', 'clang-19 -O3 + Polly'],
  ['analyzer', 'autopar analyzer alone'],
  ['autopar', 'autopar portfolio (analyzer + compile recipes)'],
  ['expert-ref', 'hand-written OpenMP reference'],
];

// ---------------------------------------------------------------------------------------------
// Arguments

const QUICK_BUDGET = 3;

const USAGE = `usage: node tools/eval.mjs [--quick] [--models a,b|ollama:<name>] [--strategies s,t] [--forms function,plan,menu]
       [--kernel k]... [--kernels-dir kernels] [--store dir] [--out dist/eval] [--no-baselines | --fresh-baselines]
       [--samples N] [--budget N] [--threads N] [--remeasure] [--store-only]`;

function parseCli(argv) {
  const { values: a } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean', default: false },
      models: { type: 'string' },
      strategies: { type: 'string' },
      forms: { type: 'string' },
      kernel: { type: 'string', multiple: true },
      'kernels-dir': { type: 'string', default: 'kernels' },
      store: { type: 'string' },
      out: { type: 'string', default: 'dist/eval' },
      'no-baselines': { type: 'boolean', default: false },
      'fresh-baselines': { type: 'boolean', default: false },
      samples: { type: 'string' },
      budget: { type: 'string' },
      threads: { type: 'string' },
      remeasure: { type: 'boolean', default: false },
      'store-only': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (a.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const list = (s) => (s ?? '').split(',').map((x) => x.trim()).filter(Boolean);
  const posInt = (flag, v) => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1) throw new Error(`--${flag} must be a positive integer, got ${v}`);
    return n;
  };
  const strategies = a.strategies ? list(a.strategies) : STRATEGY_NAMES;
  for (const s of strategies) if (!STRATEGY_NAMES.includes(s)) throw new Error(`--strategies: unknown strategy "${s}"; use ${STRATEGY_NAMES.join(', ')}`);
  const forms = a.forms ? list(a.forms) : a.quick ? ['menu'] : ['plan', 'menu', 'function'];
  for (const f of forms) if (!FORMS.includes(f)) throw new Error(`--forms: unknown output form "${f}"; use ${FORMS.join(', ')}`);
  if (a['no-baselines'] && a['fresh-baselines']) throw new Error('--no-baselines and --fresh-baselines contradict each other');
  const out = resolve(REPO, a.out);
  return {
    quick: a.quick,
    models: a.models ? list(a.models) : a.quick ? [QUICK_MODEL] : null,
    strategies,
    forms,
    kernels: a.kernel ?? [],
    kernelsDir: a['kernels-dir'],
    store: a.store ? resolve(REPO, a.store) : join(out, 'store'),
    out,
    baselines: !a['no-baselines'],
    freshBaselines: a['fresh-baselines'],
    samples: posInt('samples', a.samples),
    // The quick grid bounds tree-of-thoughts and ReAct at 3 model calls per kernel (their
    // defaults are 5 and 6), so that all six strategies fit in an hour on 2 cores.
    budget: posInt('budget', a.budget) ?? (a.quick ? QUICK_BUDGET : undefined),
    threads: posInt('threads', a.threads),
    remeasure: a.remeasure,
    // Report what the store has and generate nothing: the cells of an interrupted grid.
    storeOnly: a['store-only'],
  };
}

// ---------------------------------------------------------------------------------------------
// Kernel projects: one broken project is named and the grid goes on

async function loadProjects(dir, wanted) {
  const root = join(REPO, dir);
  if (isAbsolute(dir) || !existsSync(root)) throw new Error(`--kernels-dir ${dir}: no such folder under the repository (give a path relative to it)`);
  const projects = [];
  const broken = [];
  for (const d of readdirSync(root).filter((d) => existsSync(join(root, d, 'autopar.spec.json'))).sort()) {
    try {
      const kernels = await loadKernelProjects(d, dir);
      projects.push({ dir: d, name: kernels[0].project.projectName, kernels });
    } catch (e) {
      broken.push({ dir: d, name: d, kernels: [], error: `kernel project ${dir}/${d} does not load: ${e instanceof Error ? e.message : String(e)}` });
    }
  }
  if (!wanted.length) return { projects, broken };
  const hit = (p) => wanted.includes(p.dir) || wanted.includes(p.name) || p.kernels.some((k) => wanted.includes(k.name));
  const missing = wanted.filter((w) => ![...projects, ...broken].some((p) => p.dir === w || p.name === w || p.kernels.some((k) => k.name === w)));
  if (missing.length) {
    const names = projects.flatMap((p) => p.kernels.map((k) => k.name));
    throw new Error(`--kernel ${missing.join(', ')}: not under ${dir}/ (kernels there: ${names.join(', ')})`);
  }
  return { projects: projects.filter(hit), broken: broken.filter(hit) };
}

// ---------------------------------------------------------------------------------------------
// Models: embedded (catalog name or GGUF) and Ollama (`ollama:<name>`, only with a server)

async function ollamaTags(host) {
  try {
    const res = await fetch(`${host}/api/tags`, { signal: AbortSignal.timeout(3000) });
    if (!res.ok) return { ok: false, why: `GET ${host}/api/tags answered ${res.status}` };
    const body = await res.json();
    return { ok: true, models: Array.isArray(body.models) ? body.models : [] };
  } catch (e) {
    return { ok: false, why: `no Ollama server answers at ${host} (${e instanceof Error ? e.message : String(e)})` };
  }
}

const isScriptedEntry = (m) => m?.details?.family === 'scripted' || (Array.isArray(m?.details?.families) && m.details.families.includes('scripted'));

/** Every model of the grid: { label, engine, model, status ok|missing|skipped, note, scripted }. */
async function resolveModels(requested, host) {
  const wantsOllama = requested === null || requested.some((m) => m.startsWith('ollama:'));
  const tags = wantsOllama ? await ollamaTags(host) : null;
  const entryOf = (name) => tags?.models?.find((m) => [name, `${name}:latest`].includes(m.name) || [name, `${name}:latest`].includes(m.model));
  const embedded = async (name) => {
    try {
      await locateModel(name);
      return { label: name, engine: 'embedded', model: name, status: 'ok', scripted: false };
    } catch (e) {
      return { label: name, engine: 'embedded', model: name, status: 'missing', scripted: false, note: e instanceof Error ? e.message : String(e) };
    }
  };
  const ollama = (name) => {
    if (!tags.ok) return { label: `ollama:${name}`, engine: 'ollama', model: name, status: 'skipped', scripted: false, note: tags.why };
    const entry = entryOf(name);
    const scripted = isScriptedEntry(entry);
    if (!entry) return { label: `ollama:${name}`, engine: 'ollama', model: name, status: 'missing', scripted, note: `the Ollama server at ${host} does not list ${name}` };
    return { label: `ollama:${name}`, engine: 'ollama', model: name, status: 'ok', scripted, ...(scripted ? { note: 'scripted test server (tools/scripted-ollama): canned answers, not a model' } : {}) };
  };
  if (requested) return Promise.all(requested.map((m) => (m.startsWith('ollama:') ? ollama(m.slice('ollama:'.length)) : embedded(m))));
  // Default: every installed catalog model, and every model an Ollama server lists.
  const out = [];
  for (const m of listModels().filter((x) => x.installed && !x.name.includes('/'))) out.push(await embedded(m.name));
  if (tags.ok) for (const m of tags.models) out.push(ollama(m.name));
  else out.push({ label: 'ollama', engine: 'ollama', model: null, status: 'skipped', scripted: false, note: tags.why });
  return out;
}

// ---------------------------------------------------------------------------------------------
// One cell: buildProject on one kernel project

const round = (x, d = 3) => (Number.isFinite(x) ? Math.round(x * 10 ** d) / 10 ** d : x);
const errText = (e) => (e instanceof Error ? e.message : String(e));

async function runBuild(p, m, strategy, form, ctx) {
  const log = (l) => {
    ctx.logFile.write(`[${m.label} ${strategy} ${form} ${p.name}] ${l}\n`);
  };
  const started = performance.now();
  if (m.engine === 'ollama') {
    // Checked before every cell: with no server, 'auto' would fall back to the analyzer.
    const tags = await ollamaTags(ctx.host);
    const listed = tags.ok && tags.models.some((x) => [m.model, `${m.model}:latest`].some((n) => n === x.name || n === x.model));
    if (!listed) return { error: tags.ok ? `the Ollama server at ${ctx.host} no longer lists ${m.model}` : tags.why, wallSeconds: (performance.now() - started) / 1000 };
  }
  let report;
  let error;
  let lookupOnly = false;
  try {
    const { project } = p.kernels[0];
    const base = resolveBuildOptions(project.options, { workspaceRoot: project.workspaceRoot, projectRoot: project.projectRoot, projectName: project.projectName, log });
    const ollama = m.engine === 'ollama';
    const build = (offline) => buildProject({
      ...base,
      // 'auto' for an Ollama model: the same Ollama identity (so key) as 'ollama', and the
      // build reports what the model spent (the explicit 'ollama' choice has no spend report).
      // An empty models folder keeps auto from falling back to an embedded model.
      proposer: ollama ? 'auto' : 'embedded',
      model: ollama ? m.model : base.model,
      ollamaHost: ctx.host,
      embeddedModel: ollama ? base.embeddedModel : m.model,
      modelsDir: ollama ? ctx.noModelsDir : base.modelsDir,
      embeddedOutput: form,
      modelOutput: form,
      modelThreads: ctx.threads ?? base.modelThreads,
      strategy,
      // One verdict per distinct text of a kernel across the grid's cells (a menu pick is
      // often the same analyzer variant under every strategy): verified once, reused.
      verdictMemo: ctx.verdictMemo,
      ...(ctx.samples !== undefined ? { samples: ctx.samples } : {}),
      ...(ctx.budget !== undefined ? { strategyBudget: ctx.budget } : {}),
      compilerRecipes: [],
      cacheDir: ctx.store,
      outputPath: join(ctx.scratch, `${ctx.builds}`, p.dir),
      // The grid is one local store: no remote, no size cap, no gate.
      offline,
      noGenerate: false,
      remoteCache: undefined,
      cacheMaxBytes: undefined,
      regressionBaseline: undefined,
    });
    if (!ctx.remeasure) {
      // Lookups only: every kernel answered by the store (or nothing to ask) ends the cell here.
      report = await build(true);
      lookupOnly = !report.kernels.some((k) => k.notVerifiedHere);
    }
    if (!lookupOnly && ctx.storeOnly) {
      return { error: 'not in the store (--store-only: not generated)', notRun: true, wallSeconds: (performance.now() - started) / 1000 };
    }
    if (!lookupOnly) report = await build(false);
  } catch (e) {
    error = `build failed: ${errText(e)}`;
  }
  ctx.builds++;
  return { report, error, lookupOnly, wallSeconds: (performance.now() - started) / 1000 };
}

/** The rows (one per kernel) of one build. */
function cellsOf(p, m, strategy, form, built, ctx) {
  const common = {
    project: p.name,
    model: m.label,
    engine: m.engine,
    strategy,
    form,
    samples: ctx.samples ?? null,
    budget: ctx.budget ?? null,
  };
  const kernelNames = p.kernels.length ? p.kernels.map((k) => k.name) : [p.name];
  const failed = (kernel, error) => ({
    kernel,
    ...common,
    scripted: m.scripted,
    outcome: 'original',
    verified: false,
    linked: false,
    chosen: null,
    speedup: 1,
    candidates: 0,
    stages: {},
    modelCalls: null,
    modelSeconds: null,
    modelLoadSeconds: null,
    inputTokens: null,
    outputTokens: null,
    spendScope: null,
    cacheHit: false,
    speedPending: false,
    remeasured: false,
    wallSeconds: round(built.wallSeconds / kernelNames.length),
    kernelSeconds: null,
    key: null,
    generated: null,
    reason: error,
    error,
    ...(built.notRun ? { notRun: true } : {}),
  });
  if (p.error) return kernelNames.map((k) => failed(k, p.error));
  if (!built.report) return kernelNames.map((k) => failed(k, built.error));
  const r = built.report;
  const spend = r.modelSpend;
  const n = r.kernels.length;
  return r.kernels.map((kr) => {
    const stages = {};
    for (const s of stageCounts([{ kernel: kr }])) stages[s.stage] = { passed: s.passed, failed: s.failed, skipped: s.skipped };
    // Auto fell back from Ollama to something else: the cell is not the model's, nothing of it counts.
    if (m.engine === 'ollama' && kr.proposer?.kind !== 'ollama') {
      return failed(kr.kernel, `the build did not use ollama:${m.model} (${r.proposerNote ?? `proposer ${kr.proposer?.kind}`})`);
    }
    const modelFailure = kr.outcome === 'original' && /^proposer failed|no proposer available/.test(kr.reason ?? '');
    let error = null;
    if (modelFailure) error = r.proposerNote ? `${r.proposerNote} (${kr.reason})` : kr.reason;
    return {
      kernel: kr.kernel,
      ...common,
      scripted: m.scripted || kr.proposer?.scripted === true,
      outcome: kr.outcome,
      // Passed full verification (a screening verdict is never acceptance).
      verified: kr.candidates.some((c) => c.verdict?.accepted === true && c.verdict?.kind !== 'screening'),
      linked: kr.chosen !== null,
      chosen: kr.chosen?.label ?? null,
      speedup: kr.chosen ? round(kr.chosen.speedup?.median ?? NaN) : 1,
      candidates: kr.candidates.length,
      stages,
      modelCalls: spend ? spend.calls : built.lookupOnly ? 0 : null,
      modelSeconds: spend ? round(spend.seconds) : null,
      modelLoadSeconds: spend ? round(spend.loadSeconds ?? 0) : null,
      inputTokens: spend ? spend.inputTokens : null,
      outputTokens: spend ? spend.outputTokens : null,
      // A build's spend covers the whole build: per kernel when the project has one kernel.
      spendScope: spend ? (n === 1 ? 'kernel' : `project (${n} kernels)`) : null,
      cacheHit: kr.outcome === 'cache-hit',
      // The stored variant's speed is still inconclusive (original kept for now).
      speedPending: kr.speedPending === true,
      // This build re-measured a pending speed (--remeasure): a store hit, benchmarked again.
      remeasured: kr.remeasured === true,
      wallSeconds: round(built.wallSeconds / n),
      kernelSeconds: round(kr.durationMs / 1000),
      key: kr.key,
      // What generating this cell's store entry cost (now, or in the run that made it).
      generated: null,
      reason: kr.reason,
      error,
    };
  });
}

/** Records (or looks up) what generating each cell's store entry cost, by key. */
function withGenerationCost(rows, built, ledger) {
  for (const r of rows) {
    if (!r.key) continue;
    const madeNow = !built.lookupOnly && r.outcome !== 'cache-hit' && !r.remeasured && !r.error && r.modelCalls !== null;
    if (madeNow) {
      ledger.entries[r.key] = {
        at: new Date().toISOString(),
        model: r.model,
        strategy: r.strategy,
        form: r.form,
        modelCalls: r.modelCalls,
        modelSeconds: r.modelSeconds,
        modelLoadSeconds: r.modelLoadSeconds,
        inputTokens: r.inputTokens,
        outputTokens: r.outputTokens,
        spendScope: r.spendScope,
        wallSeconds: r.wallSeconds,
      };
    }
    r.generated = ledger.entries[r.key] ?? null;
  }
  return rows;
}

// ---------------------------------------------------------------------------------------------
// Baselines: bench-compare, kept in <out>/baselines.json while kernels and toolchains match

const sha256 = (s) => createHash('sha256').update(s).digest('hex');

async function kernelDigest(k) {
  const reference = k.referencePath ? await readFile(k.referencePath, 'utf8') : null;
  const o = k.options;
  return sha256(JSON.stringify({ source: k.sourceText, spec: k.spec, reference, cc: o.cc, cflags: o.cflags, ldflags: o.ldflags, threshold: o.threshold }));
}

async function toolchainFacts() {
  const { DEFAULT_RECIPES } = await import('./bench-compare.mjs');
  return {
    gcc: toolVersion('gcc') ?? null,
    clang19: toolVersion('clang-19') ?? null,
    autopar: AUTOPAR_VERSION,
    recipes: DEFAULT_RECIPES,
    cpus: availableParallelism(),
    cpuModel: cpus()[0]?.model ?? null,
  };
}

async function baselines(kernels, opts, say) {
  const { benchCompare, columnsOf } = await import('./bench-compare.mjs');
  const file = join(opts.out, 'baselines.json');
  const toolchain = await toolchainFacts();
  let saved = existsSync(file) ? JSON.parse(await readFile(file, 'utf8')) : null;
  if (saved && JSON.stringify(saved.toolchain) !== JSON.stringify(toolchain)) {
    say(`baselines in ${file} were measured with another toolchain or machine: measuring again`);
    saved = null;
  }
  if (opts.freshBaselines) saved = null;
  const store = saved?.kernels ?? {};
  const digests = new Map();
  for (const k of kernels) digests.set(k.name, await kernelDigest(k));
  const todo = kernels.filter((k) => store[k.name]?.digest !== digests.get(k.name));
  const reused = kernels.filter((k) => !todo.includes(k)).map((k) => k.name);
  let meta = saved?.meta;
  let failedRows = [];
  if (todo.length) {
    say(`baselines: measuring ${todo.map((k) => k.name).join(', ')} (bench-compare; minutes per kernel)`);
    const res = await benchCompare(todo, { cacheDir: opts.store, analyzerAlone: true });
    meta = res.meta;
    const at = new Date().toISOString();
    for (const row of res.rows) {
      // A failed measurement is not kept: the next run tries again.
      if (!row.error) store[row.kernel] = { digest: digests.get(row.kernel), measuredAt: at, row };
    }
    await writeFile(file, JSON.stringify({ schema: 'autopar-eval-baselines-v1', toolchain, meta, kernels: store }, null, 2) + '\n');
    failedRows = res.rows.filter((r) => r.error);
  }
  const rows = [...kernels.filter((k) => store[k.name]).map((k) => store[k.name].row), ...failedRows];
  const dates = [...new Set(reused.map((n) => store[n].measuredAt))].sort();
  if (reused.length) say(`baselines from ${dates.map((d) => d.slice(0, 19).replace('T', ' ')).join(', ')} (${reused.length} kernel(s) reused from ${file}; --fresh-baselines measures again)`);
  const columns = meta?.columns ?? columnsOf({ analyzerAlone: true });
  const geomeans = {};
  for (const col of columns) {
    const vals = rows.map((r) => r.cells[col]).filter((c) => c?.ok && c.outputsMatch !== false).map((c) => c.speedup);
    geomeans[col] = { value: geomean(vals) ?? null, n: vals.length, of: rows.length };
  }
  return { file, toolchain, meta, rows, geomeans, reused, measured: todo.map((k) => k.name), dates };
}

// ---------------------------------------------------------------------------------------------
// Summary

function summarize(cells) {
  const groups = new Map();
  // Cells --store-only did not run are not results: they stay out of every figure.
  for (const c of cells.filter((x) => !x.notRun)) {
    const id = `${c.model}\0${c.strategy}\0${c.form}`;
    if (!groups.has(id)) groups.set(id, []);
    groups.get(id).push(c);
  }
  return [...groups.values()].map((cs) => {
    const n = cs.length;
    const sum = (f) => cs.reduce((s, c) => s + (f(c) ?? 0), 0);
    return {
      model: cs[0].model,
      engine: cs[0].engine,
      scripted: cs.some((c) => c.scripted),
      strategy: cs[0].strategy,
      form: cs[0].form,
      kernels: n,
      verifiedPct: round((100 * cs.filter((c) => c.verified).length) / n, 1),
      linkedPct: round((100 * cs.filter((c) => c.linked).length) / n, 1),
      // Over every kernel: a kernel that kept its original counts 1.0.
      geomeanSpeedup: round(geomean(cs.map((c) => (Number.isFinite(c.speedup) && c.speedup > 0 ? c.speedup : 1))) ?? 1),
      secondsPerKernel: round(sum((c) => c.wallSeconds) / n, 2),
      // When the cells were generated (this run or the run that filled the store): null when unknown.
      generatedSecondsPerKernel: cs.every((c) => c.generated) ? round(sum((c) => c.generated.wallSeconds) / n, 2) : null,
      generatedModelSecondsPerKernel: cs.every((c) => c.generated) ? round(sum((c) => c.generated.modelSeconds) / n, 2) : null,
      cacheHits: cs.filter((c) => c.cacheHit).length,
      remeasured: cs.filter((c) => c.remeasured).length,
      speedPending: cs.filter((c) => c.speedPending).length,
      modelCalls: sum((c) => c.modelCalls),
      errors: cs.filter((c) => c.error).length,
    };
  });
}

function markdown(summary, base) {
  const pct = (x) => `${x}%`;
  const lines = [
    '| model | strategy | form | kernels | verified | linked | geomean speedup | s/kernel | s/kernel generating (model s) | cache hits | model calls | errors |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const s of summary) {
    lines.push(
      `| ${s.model}${s.scripted ? ' (SCRIPTED, not a model)' : ''} | ${s.strategy} | ${s.form} | ${s.kernels} | ${pct(s.verifiedPct)} | ${pct(s.linkedPct)} | ` +
        `${s.geomeanSpeedup.toFixed(2)} | ${s.secondsPerKernel.toFixed(1)} | ` +
        `${s.generatedSecondsPerKernel === null ? 'n/a' : `${s.generatedSecondsPerKernel.toFixed(1)} (${s.generatedModelSecondsPerKernel.toFixed(1)})`} | ${s.cacheHits}/${s.kernels}${s.remeasured ? ` (+${s.remeasured} re-measured)` : ''} | ${s.modelCalls} | ${s.errors} |`,
    );
  }
  if (base) {
    lines.push('| **baseline: gcc -O3 serial** | - | - | - | - | - | 1.00 | - | - | - | - | - |');
    for (const [col, name] of BASELINES) {
      const g = base.geomeans[col];
      if (!g) continue;
      const v = g.value === null ? 'n/a' : `${g.value.toFixed(2)}${g.n < g.of ? ` (${g.n}/${g.of} kernels)` : ''}`;
      lines.push(`| **baseline: ${name}** | - | - | ${g.of} | - | - | ${v} | - | - | - | - | - |`);
    }
  }
  return lines.join('\n');
}

// ---------------------------------------------------------------------------------------------
// CSV

async function csvText(cells) {
  const { stringify } = await import('csv-stringify/sync');
  const stages = [...STAGE_ORDER, ...new Set(cells.flatMap((c) => Object.keys(c.stages)).filter((s) => !STAGE_ORDER.includes(s)))];
  const fixed = ['kernel', 'project', 'model', 'engine', 'scripted', 'strategy', 'form', 'samples', 'budget', 'outcome', 'verified', 'linked', 'chosen', 'speedup', 'candidates'];
  const after = ['modelCalls', 'modelSeconds', 'modelLoadSeconds', 'inputTokens', 'outputTokens', 'spendScope', 'cacheHit', 'speedPending', 'remeasured', 'wallSeconds', 'kernelSeconds', 'key', 'reason', 'error'];
  const stageCols = stages.flatMap((s) => ['passed', 'failed', 'skipped'].map((st) => [`${s}_${st}`, s, st]));
  const generated = ['at', 'modelCalls', 'modelSeconds', 'inputTokens', 'outputTokens', 'wallSeconds'];
  const columns = [...fixed, ...stageCols.map(([name]) => name), ...after, ...generated.map((g) => `generated_${g}`)];
  const records = cells.map((c) => [
    ...fixed.map((f) => c[f]),
    ...stageCols.map(([, s, st]) => c.stages[s]?.[st] ?? 0),
    ...after.map((f) => c[f]),
    ...generated.map((g) => c.generated?.[g]),
  ]);
  return stringify(records, { header: true, columns, cast: { boolean: (b) => (b ? 'true' : 'false') } });
}

// ---------------------------------------------------------------------------------------------
// Progress: a bar on a TTY, one line per cell otherwise (CI, pipes)

async function progressReporter(total) {
  const tty = process.stderr.isTTY && !process.env.CI;
  if (!tty) {
    let i = 0;
    return { say: (l) => process.stderr.write(`[eval] ${l}\n`), cell: (l) => process.stderr.write(`[eval] ${++i}/${total} ${l}\n`), stop: () => {} };
  }
  const { default: cliProgress } = await import('cli-progress');
  const bar = new cliProgress.SingleBar(
    { stream: process.stderr, format: 'eval {bar} {value}/{total} cells | {eta_formatted} left | {last}', hideCursor: true, etaBuffer: 20 },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0, { last: 'starting' });
  return {
    say: (l) => bar.update({ last: l.slice(0, 80) }),
    cell: (l) => bar.increment(1, { last: l.slice(0, 80) }),
    stop: () => bar.stop(),
  };
}

// ---------------------------------------------------------------------------------------------

async function main() {
  const opts = parseCli(process.argv.slice(2));
  const started = performance.now();
  const say = (l) => process.stderr.write(`[eval] ${l}\n`);
  await mkdir(opts.out, { recursive: true });
  await mkdir(opts.store, { recursive: true });

  const host = resolveOllamaHost(process.env.OLLAMA_HOST);
  const models = await resolveModels(opts.models, host);
  for (const m of models) if (m.status !== 'ok') say(`${m.label}: ${m.status}: ${m.note}`);
  const gridModels = models.filter((m) => m.status !== 'skipped');
  if (!gridModels.length) say('no model to evaluate (none installed, no Ollama server): only the baselines run');
  const { projects, broken } = await loadProjects(opts.kernelsDir, opts.kernels);
  for (const b of broken) say(b.error);
  const kernels = projects.flatMap((p) => p.kernels);

  let base = null;
  let baselineError = null;
  if (opts.baselines && kernels.length) {
    try {
      base = await baselines(kernels, opts, say);
    } catch (e) {
      baselineError = `baselines not measured: ${errText(e)}`;
      say(baselineError);
    }
  }

  const all = [...projects, ...broken];
  // Strategy by strategy, every model in turn: a grid stopped early compares the models on
  // the strategies it reached.
  const combos = opts.strategies.flatMap((strategy) => gridModels.flatMap((m) => opts.forms.map((form) => ({ m, strategy, form }))));
  const total = combos.length * all.length;
  const scratch = await mkdtemp(join(tmpdir(), 'autopar-eval-'));
  const noModelsDir = join(scratch, 'no-models');
  await mkdir(noModelsDir, { recursive: true });
  const logFile = createWriteStream(join(opts.out, 'eval.log'));
  const ctx = { host, store: opts.store, scratch, noModelsDir, logFile, threads: opts.threads, samples: opts.samples, budget: opts.budget, remeasure: opts.remeasure, storeOnly: opts.storeOnly, builds: 0, verdictMemo: new Map() };
  const ledgerFile = join(opts.out, 'ledger.json');
  const ledger = existsSync(ledgerFile) ? JSON.parse(await readFile(ledgerFile, 'utf8')) : { schema: 'autopar-eval-ledger-v1', entries: {} };
  const cells = [];
  const builds = [];
  const bar = await progressReporter(total);
  try {
    for (const { m, strategy, form } of combos) {
      for (const p of all) {
        // A missing model is not built: its cells say why.
        const built = p.error ? { error: p.error, wallSeconds: 0 } : m.status === 'missing' ? { error: m.note, wallSeconds: 0 } : await runBuild(p, m, strategy, form, ctx);
        const rows = withGenerationCost(cellsOf(p, m, strategy, form, built, ctx), built, ledger);
        // Kept after every cell: an interrupted grid's rerun still knows what the cells it generated cost.
        if (rows.some((r) => r.generated && !r.cacheHit)) await writeFile(ledgerFile, JSON.stringify(ledger, null, 2) + '\n');
        cells.push(...rows);
        if (built.report) builds.push({ cell: { model: m.label, scripted: rows.some((r) => r.scripted), strategy, form, project: p.name }, report: built.report });
        for (const r of rows) {
          const what = r.error ? `ERROR ${r.error}` : `${r.outcome}${r.chosen ? ` → ${r.chosen} ${r.speedup.toFixed(2)}x` : ''}`;
          const calls = r.modelCalls === null ? '' : `, ${r.modelCalls} model call(s)`;
          bar.cell(`${m.label}${r.scripted ? ' (scripted)' : ''} ${strategy} ${form} ${r.kernel}: ${what} (${r.wallSeconds.toFixed(1)} s${calls})`);
        }
      }
    }
  } finally {
    bar.stop();
    await writeFile(ledgerFile, JSON.stringify(ledger, null, 2) + '\n');
    await new Promise((r) => logFile.end(r));
    await rm(scratch, { recursive: true, force: true }).catch(() => {});
  }

  // Strategies that share a key share a store entry: the later cells are the first one's results.
  const warnings = [];
  const byKey = new Map();
  for (const c of cells) {
    if (!c.key) continue;
    const id = `${c.model}\0${c.form}\0${c.kernel}\0${c.key}`;
    byKey.set(id, [...(byKey.get(id) ?? []), c.strategy]);
  }
  const shared = [...byKey.values()].filter((s) => new Set(s).size > 1);
  if (shared.length) {
    warnings.push(
      `strategy is not part of the key in this build of autopar: ${shared.length} (model, form, kernel) group(s) got the same key for ${[...new Set(shared.flat())].join(', ')} — ` +
        'those cells share one store entry, so every strategy shows the first strategy\'s result',
    );
  }
  if (baselineError) warnings.push(baselineError);
  for (const m of models) if (m.status !== 'ok') warnings.push(`model ${m.label} ${m.status}: ${m.note}`);
  for (const b of broken) warnings.push(b.error);

  const summary = summarize(cells);
  const hits = cells.filter((c) => c.cacheHit).length;
  const remeasured = cells.filter((c) => c.remeasured).length;
  const pending = cells.filter((c) => c.speedPending).length;
  const modelCalls = cells.reduce((s, c) => s + (c.modelCalls ?? 0), 0);
  const totalSeconds = (performance.now() - started) / 1000;
  const table = markdown(summary, base);

  const out = console.log;
  out(`== autopar evaluation grid: ${gridModels.length} model(s) × ${opts.strategies.length} strategies × ${opts.forms.length} form(s) × ${all.length} kernel project(s) = ${total} cell(s)`);
  for (const m of models) out(`- ${m.label}: ${m.status}${m.scripted ? ' — SCRIPTED test server, canned answers, not a model' : ''}${m.status !== 'ok' && m.note ? ` (${m.note})` : ''}`);
  out('');
  out(table);
  out('');
  out('verified: a candidate passed full verification; linked: a variant was chosen; geomean speedup: the verifier\'s median speedup of');
  out('what was linked over the original, 1.0 where the original was kept, over every kernel; baselines: over gcc -O3 serial (bench-compare).');
  if (base) out(`baselines: ${base.measured.length ? `measured now for ${base.measured.join(', ')}` : ''}${base.measured.length && base.reused.length ? '; ' : ''}${base.reused.length ? `from ${base.dates.join(', ')} for ${base.reused.join(', ')}` : ''}`);
  for (const w of warnings) out(`warning: ${w}`);
  if (pending) out(`${pending} cell(s) keep the original for now: a verified variant's speed was inconclusive (busy machine?); --remeasure lets the builds measure again`);
  out(`store ${opts.store}: ${hits}/${cells.length} cell(s) were cache hits${remeasured ? `, ${remeasured} re-measured a stored variant` : ''}; ${modelCalls} model call(s); ${totalSeconds.toFixed(1)} s in all`);

  const result = {
    schema: 'autopar-eval-v1',
    createdAt: new Date().toISOString(),
    machine: { cpus: availableParallelism(), loadavg: loadavg() },
    options: { ...opts, samples: opts.samples ?? 'default', budget: opts.budget ?? 'default', threads: opts.threads ?? 'default', ollamaHost: host },
    models,
    brokenProjects: broken.map((b) => ({ project: b.dir, error: b.error })),
    cells,
    summary,
    baselines: base
      ? { file: base.file, toolchain: base.toolchain, meta: base.meta, measured: base.measured, reused: base.reused, measuredAt: base.dates, geomeans: base.geomeans, rows: base.rows }
      : baselineError
        ? { error: baselineError }
        : null,
    warnings,
    totals: { cells: cells.length, cacheHits: hits, remeasured, speedPending: pending, modelCalls, scripted: cells.some((c) => c.scripted), seconds: round(totalSeconds, 1) },
    table,
  };
  await writeFile(join(opts.out, 'eval.json'), JSON.stringify(result, null, 2) + '\n');
  await writeFile(join(opts.out, 'eval.csv'), await csvText(cells));
  await writeFile(join(opts.out, 'builds.json'), JSON.stringify(builds, null, 2) + '\n');

  // The page: the grid's builds, each named by its cell (the page knows builds by project
  // only), and the baselines as bench section B.
  const inputs = builds.map(({ cell, report }) => ({
    ...report,
    project: `${report.project} · ${cell.model}${cell.scripted ? ' (scripted)' : ''} · ${cell.strategy} · ${cell.form}`,
    evalCell: cell,
  }));
  if (base) inputs.push({ schema: 'autopar-bench-v1', createdAt: base.dates[0] ?? result.createdAt, B: { rows: base.rows, meta: base.meta } });
  try {
    await writeFile(join(opts.out, 'eval-report.html'), renderHtmlReportBytes(inputs, { title: 'autopar evaluation grid' }));
  } catch (e) {
    say(`eval-report.html not written: ${errText(e)}`);
    process.exitCode = 1;
  }
  say(`wrote ${['eval.json', 'eval.csv', 'eval-report.html', 'builds.json', 'eval.log'].map((f) => join(opts.out, f)).join(', ')}`);
}

await main();
