#!/usr/bin/env node
// Model section of the benchmarks: what real small models do as autopar's compiler expert.
//
//   node tools/bench-models.mjs [--models smollm2-135m,gemma3-270m] [--forms plan,menu,function]
//        [--kernel <k>]... [--threads 1] [--out dist/bench/models.json]
//   npm run bench -- --models        (bench.mjs runs this as its section M)
//
// Phase 1, one child process per model (so load time and peak RSS are that model's):
// the embedded proposer (real GGUF weights, node-llama-cpp, CPU) answers every kernel in
// every output form; each answer is kept with its time and token counts.
// Phase 2: every distinct candidate text is verified by the real verifier (screen, then
// full verification of what passed screening), memoized by text — a menu pick is the
// analyzer's candidate and is verified once. The analyzer row is the analyzer's own
// candidates through the same verifier in the same run. A kernel counts as linked when
// chooseVariant (the build's rule) would link its candidate(s).
// No scripted answer is used anywhere here.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { geomean, loadKernelProjects, median, progress, projectToolchain, REPO } from './bench-common.mjs';

const core = (p) => import(join(REPO, 'packages/core/dist', p));

const { values: args } = parseArgs({
  options: {
    models: { type: 'string', default: 'smollm2-135m,gemma3-270m' },
    forms: { type: 'string', default: 'plan,menu,function' },
    kernel: { type: 'string', multiple: true },
    threads: { type: 'string', default: '1' },
    out: { type: 'string', default: join(REPO, 'dist/bench/models.json') },
    worker: { type: 'string' },
    'worker-out': { type: 'string' },
    'answers-only': { type: 'boolean', default: false },
    jobs: { type: 'string', default: '1' },
    'answer-timeout-s': { type: 'string', default: '900' },
    verdicts: { type: 'string', default: join(REPO, 'dist/bench/models-verdicts.json') },
    answers: { type: 'string', multiple: true },
    help: { type: 'boolean', short: 'h', default: false },
  },
});

if (args.help) {
  console.log('usage: node tools/bench-models.mjs [--models a,b] [--forms plan,menu,function] [--kernel k]... [--threads N] [--out file]');
  process.exit(0);
}

const forms = args.forms.split(',').map((s) => s.trim()).filter(Boolean);
const threads = Number(args.threads);

async function kernels() {
  const all = await loadKernelProjects();
  return args.kernel?.length ? all.filter((k) => args.kernel.includes(k.name)) : all;
}

// ---------- phase 1 (worker): one model answers every kernel in every form ----------
async function worker(model, outFile) {
  const { EmbeddedProposer } = await core('propose/embedded.js');
  const { kernelFacts } = await core('analysis/index.js');
  const ks = await kernels();
  const answers = [];
  let loadSeconds = 0;
  let identity;
  for (const form of forms) {
    const p = new EmbeddedProposer({ model, output: form, threads, timeoutMs: Number(args['answer-timeout-s']) * 1000 });
    identity ??= await p.identify();
    for (const k of ks) {
      const before = { ...p.spent };
      const t0 = performance.now();
      let result;
      let error;
      try {
        result = await p.proposeDetailed({ unit: k.unit, spec: k.spec, sourceText: k.sourceText, sourcePath: k.sourcePath, facts: kernelFacts(k.unit, k.spec) });
      } catch (err) {
        error = err instanceof Error ? err.message : String(err);
      }
      const s = p.spent;
      const a = {
        kernel: k.name,
        form,
        seconds: (performance.now() - t0) / 1000 - (s.loadSeconds - before.loadSeconds),
        calls: s.calls - before.calls,
        inputTokens: s.inputTokens - before.inputTokens,
        outputTokens: s.outputTokens - before.outputTokens,
        candidates: (result?.candidates ?? []).map((c) => ({ label: c.label, functionText: c.functionText, plan: c.plan, legality: c.legality, rawResponse: c.rawResponse })),
        rejected: result?.rejected ?? [],
        error,
      };
      answers.push(a);
      // Written after every answer: an interrupted run keeps what it measured.
      await writeFile(outFile, JSON.stringify({ model, forms, identity, threads, loadSeconds: loadSeconds + p.spent.loadSeconds, peakRssBytes: process.resourceUsage().maxRSS * 1024, answers, partial: true }, null, 2));
      progress(`${model} ${form} ${k.name}: ${a.candidates.length} candidate(s), ${a.rejected.length} rejected${error ? `, error ${error}` : ''} (${a.seconds.toFixed(1)} s, ${a.outputTokens} tokens out)`);
    }
    loadSeconds += p.spent.loadSeconds;
  }
  const peakRssBytes = process.resourceUsage().maxRSS * 1024;
  await writeFile(outFile, JSON.stringify({ model, forms, identity, threads, loadSeconds, peakRssBytes, answers }, null, 2));
}

function runWorker(model, form, outFile) {
  return new Promise((resolve, reject) => {
    const argv = [import.meta.filename, '--worker', model, '--worker-out', outFile, '--forms', form, '--threads', String(threads), '--answer-timeout-s', args['answer-timeout-s']];
    for (const k of args.kernel ?? []) argv.push('--kernel', k);
    const child = spawn(process.execPath, argv, { stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`worker for ${model} exited ${code}`))));
  });
}

// ---------- phase 2: verification, memoized by (kernel, text) ----------
async function verifierFor(ks) {
  const { verifyCandidate } = await core('verify/verify.js');
  const { resolvePolicy } = await core('verify/policy.js');
  const policy = resolvePolicy(undefined);
  const root = await mkdtemp(join(tmpdir(), 'autopar-bench-models-'));
  // Verdicts by (mode, kernel, text, plan), kept on disk so that a later run (the model
  // rows after the analyzer's, or a re-run) does not verify the same text twice.
  const saved = existsSync(args.verdicts) ? JSON.parse(await readFile(args.verdicts, 'utf8')) : {};
  const memo = new Map(Object.entries(saved).map(([k, v]) => [k, Promise.resolve(v)]));
  const originals = new Map();
  let n = 0;
  let saving = Promise.resolve();
  const verify = async (k, text, plan, mode) => {
    const id = `${mode}|${k.name}|${createHash('sha256').update(text).update('\0').update(JSON.stringify(plan ?? null)).digest('hex')}`;
    if (!memo.has(id)) {
      memo.set(id, (async () => {
        if (!originals.has(k.name)) originals.set(k.name, {});
        const verdict = await verifyCandidate({
          unit: k.unit,
          spec: k.spec,
          sourceText: k.sourceText,
          sourcePath: k.sourcePath,
          candidateText: text,
          toolchain: projectToolchain(k),
          policy,
          workDir: join(root, `${mode}-${n++}`),
          originalCache: originals.get(k.name),
          plan,
          impliedPlan: true,
          mode,
        });
        saved[id] = verdict;
        saving = saving.then(() => writeFile(args.verdicts, JSON.stringify(saved)));
        await saving;
        return verdict;
      })());
    }
    return memo.get(id);
  };
  const { clearsThreshold, passedScreening } = await core('pipeline/choose.js');
  const { MAX_FULL_VERIFICATIONS } = await core('pipeline/build.js');
  const { speedDecisionOf } = await core('verify/benchmark-stats.js');
  const threshold = ks[0]?.options.threshold ?? 1.05;
  return {
    verify,
    cleanup: () => rm(root, { recursive: true, force: true }),
    threshold,
    maxFull: MAX_FULL_VERIFICATIONS,
    clears: (s) => clearsThreshold(s, threshold),
    decision: (s) => speedDecisionOf(s, threshold),
    passedScreening,
  };
}

/**
 * As the build does it: screen every candidate (gates, legality, compile, test and
 * benchmark at the bench size), then fully verify the fast ones, fastest first, until
 * one is verified and clears the threshold. Returns CandidateRecord-like objects; a
 * candidate not sent to full verification keeps its screening verdict, marked.
 */
async function judge(v, k, cands) {
  const screened = [];
  for (const c of cands) screened.push(await v.verify(k, c.functionText ?? '', c.plan, 'screen'));
  // The build's rule (pipeline/build.ts): a screening verdict is never acceptance; a candidate
  // that passed screening (no stage failed, timed) and is not conclusively slower is fully
  // verified, fastest first, at most MAX_FULL_VERIFICATIONS, until one clears the threshold.
  const { passedScreening } = v;
  const order = screened
    .map((verdict, i) => ({ verdict, i }))
    .filter((s) => passedScreening(s.verdict) && v.decision(s.verdict.speedup) !== 'slower')
    .sort((a, b) => b.verdict.speedup.median - a.verdict.speedup.median)
    .slice(0, v.maxFull);
  const full = new Map();
  for (const { i } of order) {
    const verdict = await v.verify(k, cands[i].functionText, cands[i].plan, 'full');
    full.set(i, verdict);
    if (verdict.accepted && v.clears(verdict.speedup)) break;
  }
  return cands.map((c, i) => {
    const verdict = full.get(i) ?? (passedScreening(screened[i]) ? { ...screened[i], accepted: false, kind: 'screening', stage: 'benchmark', reason: `not fully verified (${screened[i].speedup?.median?.toFixed(2) ?? '?'}x at screening)`, screenedOnly: true } : screened[i]);
    return { label: c.label, verdict, sourceDigest: createHash('sha256').update(c.functionText ?? '').digest('hex'), proposer: {} };
  });
}

function stageOk(verdict, stage) {
  const s = verdict.stages?.find((x) => x.stage === stage);
  return s ? s.ok : undefined;
}

async function main() {
  const ks = await kernels();
  const models = args.models.split(',').map((s) => s.trim()).filter((s) => s && s !== 'none');
  const started = performance.now();
  await mkdir(join(REPO, 'dist/bench'), { recursive: true });

  // Phase 1: each (model, form) in its own process (load time and peak RSS are that
  // model's), --jobs of them at once; files from an earlier run can be passed with --answers.
  const runs = [];
  for (const f of args.answers ?? []) runs.push(JSON.parse(await readFile(f, 'utf8')));
  const todo = models.flatMap((model) => forms.map((form) => ({ model, form }))).filter((t) => !runs.some((r) => r.model === t.model && r.forms.includes(t.form)));
  const jobs = Math.max(1, Number(args.jobs));
  const runOne = async ({ model, form }) => {
    const file = join(REPO, 'dist/bench', `models-answers-${model.replace(/[^A-Za-z0-9._-]/g, '_')}-${form}.json`);
    progress(`phase 1: ${model} answers ${ks.length} kernels in the ${form} form with ${threads} thread(s)`);
    await runWorker(model, form, file);
    runs.push(JSON.parse(await readFile(file, 'utf8')));
  };
  const queue = [...todo];
  await Promise.all(Array.from({ length: Math.min(jobs, queue.length) }, async () => {
    while (queue.length) await runOne(queue.shift());
  }));
  if (args['answers-only']) return;

  // Phase 2.
  const { chooseVariant } = await core('pipeline/choose.js');
  const { AnalyzerProposer } = await core('propose/analyzer.js');
  const v = await verifierFor(ks);
  const rows = [];
  const byName = new Map(ks.map((k) => [k.name, k]));
  try {
    // The analyzer's row.
    const analyzer = new AnalyzerProposer();
    const aRow = { model: 'analyzer (no model)', form: '-', kernels: ks.length, asked: ks.length, timedOut: 0, schemaValid: null, legal: 0, verified: 0, linked: 0, speedups: [], perKernel: [] };
    for (const k of ks) {
      progress(`phase 2: analyzer ${k.name}`);
      const cands = await analyzer.propose({ unit: k.unit, spec: k.spec, sourceText: k.sourceText, sourcePath: k.sourcePath });
      const recs = await judge(v, k, cands);
      const choice = chooseVariant(recs, v.threshold);
      if (cands.length) aRow.legal++;
      if (recs.some((r) => r.verdict.accepted)) aRow.verified++;
      if (choice.chosen) {
        aRow.linked++;
        aRow.speedups.push(choice.chosen.verdict.speedup.median);
      }
      aRow.perKernel.push({ kernel: k.name, candidates: cands.length, chosen: choice.chosen?.label ?? null, speedup: choice.chosen?.verdict.speedup?.median ?? null, reason: choice.reason });
    }
    rows.push(aRow);

    for (const model of models) {
      for (const form of forms) {
        const run = runs.find((r) => r.model === model && r.forms.includes(form));
        if (!run) continue;
        const all = run.answers.filter((a) => a.form === form && byName.has(a.kernel));
        // An answer cut by the timeout says nothing about the model, only about the
        // machine's load: such kernels are counted apart ("answered") and the rates are
        // over the answers that came back.
        const answers = all.filter((a) => !/gave no answer within/.test(a.error ?? ''));
        const row = {
          model: run.model,
          sha256: run.identity?.modelDigest,
          form,
          kernels: answers.length,
          asked: all.length,
          timedOut: all.length - answers.length,
          schemaValid: 0,
          legal: 0,
          verified: 0,
          linked: 0,
          speedups: [],
          secondsPerAnswer: answers.reduce((s, a) => s + a.seconds, 0) / Math.max(answers.length, 1),
          // The median: one answer slowed by something else on the machine does not move it.
          medianSecondsPerAnswer: answers.length ? median(answers.map((a) => a.seconds)) : undefined,
          callsPerAnswer: answers.reduce((s, a) => s + a.calls, 0) / Math.max(answers.length, 1),
          inputTokensPerAnswer: answers.reduce((s, a) => s + a.inputTokens, 0) / Math.max(answers.length, 1),
          outputTokensPerAnswer: answers.reduce((s, a) => s + a.outputTokens, 0) / Math.max(answers.length, 1),
          loadSeconds: run.loadSeconds,
          peakRssMiB: run.peakRssBytes / 2 ** 20,
          perKernel: [],
        };
        for (const a of answers) {
          const k = byName.get(a.kernel);
          progress(`phase 2: ${run.model} ${form} ${a.kernel}`);
          // Schema-valid: the answer had the form's shape (a function was found; a plan
          // matched plan.schema.json; a menu choice was one of the options).
          const shapeErrors = a.rejected.filter((r) => !/could not be applied/.test(r.reason));
          const valid = a.candidates.length > 0 || (a.rejected.length > 0 && shapeErrors.length === 0);
          if (valid && !a.error) row.schemaValid++;
          const recs = await judge(v, k, a.candidates);
          const legal = a.candidates.some((c, i) => {
            if (c.legality) return c.legality.ok;
            const ok = stageOk(recs[i].verdict, 'plan-legality');
            return ok === undefined ? recs[i].verdict.stage !== 'plan-legality' : ok;
          });
          if (legal) row.legal++;
          if (recs.some((r) => r.verdict.accepted)) row.verified++;
          const choice = chooseVariant(recs, v.threshold);
          if (choice.chosen) {
            row.linked++;
            row.speedups.push(choice.chosen.verdict.speedup.median);
          }
          row.perKernel.push({
            kernel: a.kernel,
            candidates: a.candidates.map((c, i) => ({ label: c.label, legal: c.legality?.ok ?? null, verdict: { accepted: recs[i].verdict.accepted, stage: recs[i].verdict.stage, reason: recs[i].verdict.reason, speedup: recs[i].verdict.speedup?.median ?? null } })),
            rejected: a.rejected.map((r) => r.reason),
            error: a.error ?? null,
            chosen: choice.chosen?.label ?? null,
            seconds: a.seconds,
            outputTokens: a.outputTokens,
          });
        }
        rows.push(row);
      }
    }
  } finally {
    await v.cleanup();
  }

  const pct = (x, n) => (n ? `${Math.round((100 * x) / n)}%` : '-');
  const lines = [
    `== M. real models as the compiler expert (${ks.length} kernels; embedded engine, ${threads} thread(s); verifier threshold ${v.threshold}x)`,
    '| proposer | form | answered | schema-valid | legal | verified | linked | geomean speedup of linked | median s/answer | tokens in/out per answer | load s | peak RSS MiB |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const r of rows) {
    const g = geomean(r.speedups);
    lines.push(
      `| ${r.model} | ${r.form} | ${r.kernels}/${r.asked} | ${r.schemaValid === null ? 'n/a' : pct(r.schemaValid, r.kernels)} | ${pct(r.legal, r.kernels)} | ${pct(r.verified, r.kernels)} | ${pct(r.linked, r.kernels)} | ${g ? `${g.toFixed(2)}x (${r.speedups.length})` : '-'} | ` +
        `${r.medianSecondsPerAnswer !== undefined ? r.medianSecondsPerAnswer.toFixed(1) : '-'} | ${r.inputTokensPerAnswer !== undefined ? `${Math.round(r.inputTokensPerAnswer)}/${Math.round(r.outputTokensPerAnswer)}` : '-'} | ` +
        `${r.loadSeconds !== undefined ? r.loadSeconds.toFixed(1) : '-'} | ${r.peakRssMiB !== undefined ? Math.round(r.peakRssMiB) : '-'} |`,
    );
  }
  const result = {
    schema: 'autopar-bench-models-v1',
    createdAt: new Date().toISOString(),
    machine: { cpus: (await import('node:os')).availableParallelism(), loadavg: (await import('node:os')).loadavg() },
    options: { models, forms, kernels: ks.map((k) => k.name), threads },
    wallSeconds: (performance.now() - started) / 1000,
    rows,
    table: lines.join('\n'),
  };
  await writeFile(args.out, JSON.stringify(result, null, 2) + '\n');
  console.log(lines.join('\n'));
  progress(`wrote ${args.out}`);
}

if (args.worker) await worker(args.worker, args['worker-out']);
else await main();
