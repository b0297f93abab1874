#!/usr/bin/env node
// Recall and precision of autopar's race checks on DataRaceBench (LLNL).
//
//   node tools/drb-race.mjs <dataracebench-folder> [--workers 2] [--timeout-s 60] [--case substr] [--json out.json]
//
// --case keeps the cases whose file name contains one of the comma-separated substrings.
// <dataracebench-folder> is a checkout of https://github.com/LLNL/dataracebench (its
// micro-benchmarks/ folder is read; nothing of it is copied into this repository). Every
// C micro-benchmark DRBnnn-*-yes.c has a data race, every *-no.c has none. Each one is
// checked exactly as the verifier's race stage checks a candidate: the same compile
// flags, environment, thread counts, repetitions and sandbox (runRaceChecks and
// RACE_CONFIG from packages/core/dist/verify/race.js), plus the static checks the verifier
// runs before compiling (staticRaceFindings, when the built package has them). A case
// counts as "race reported" when either finds something.
//
// Skipped, and counted as such: C++ and Fortran files, cases that need PolyBench's
// utility library, and cases the race toolchain cannot build (each listed with why).
// Crashes and time-outs are not race reports: they count as "no race reported" and are
// listed. Needs `npx tsc -b packages/core` first.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import * as race from '../packages/core/dist/verify/race.js';

const USAGE = 'usage: node tools/drb-race.mjs <dataracebench-folder> [--workers N] [--timeout-s S] [--case substr[,substr...]] [--json out.json]';

export function parseArgs(argv) {
  const opts = { workers: 2, timeoutS: 60, caseFilter: undefined, json: undefined, dir: undefined };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value\n${USAGE}`);
      return v;
    };
    if (a === '--workers') opts.workers = Number(value());
    else if (a === '--timeout-s') opts.timeoutS = Number(value());
    else if (a === '--case') opts.caseFilter = value();
    else if (a === '--json') opts.json = value();
    else if (a.startsWith('--')) throw new Error(`unknown option ${a}\n${USAGE}`);
    else if (opts.dir === undefined) opts.dir = a;
    else throw new Error(`unexpected argument ${a}\n${USAGE}`);
  }
  if (!opts.dir) throw new Error(USAGE);
  if (!Number.isInteger(opts.workers) || opts.workers < 1) throw new Error(`--workers must be a positive integer\n${USAGE}`);
  if (!(opts.timeoutS > 0)) throw new Error(`--timeout-s must be a positive number\n${USAGE}`);
  return opts;
}

/** The C cases of a DataRaceBench folder with their labels, and what is skipped and why. */
export function listCases(dir, caseFilter) {
  const micro = join(resolve(dir), 'micro-benchmarks');
  if (!existsSync(micro)) throw new Error(`${dir}: no micro-benchmarks/ folder; pass the root of a DataRaceBench checkout`);
  const cases = [];
  const skipped = [];
  for (const name of readdirSync(micro).sort()) {
    if (!/^DRB\d+/.test(name)) continue;
    if (caseFilter && !caseFilter.split(',').some((f) => name.includes(f))) continue;
    const label = /-yes\.[a-z0-9]+$/.test(name) ? 'race' : /-no\.[a-z0-9]+$/.test(name) ? 'no-race' : undefined;
    if (!name.endsWith('.c')) {
      skipped.push({ name, why: name.endsWith('.cpp') ? 'C++ (the verifier checks C kernels)' : 'not a C file' });
      continue;
    }
    if (!label) {
      skipped.push({ name, why: 'name ends neither in -yes.c nor -no.c (no ground truth)' });
      continue;
    }
    const text = readFileSync(join(micro, name), 'utf8');
    if (/#include\s*"polybench\//.test(text)) {
      skipped.push({ name, why: "needs PolyBench's utility library (polybench.c)" });
      continue;
    }
    cases.push({ name, path: join(micro, name), label, text });
  }
  const fortran = join(resolve(dir), 'micro-benchmarks-fortran');
  if (existsSync(fortran)) {
    for (const name of readdirSync(fortran)) if (/^DRB\d+.*\.f\d*$/i.test(name)) skipped.push({ name, why: 'Fortran' });
  }
  return { micro, cases, skipped };
}

async function checkCase(detector, c, micro, timeoutS) {
  const started = performance.now();
  const findings = typeof race.staticRaceFindings === 'function' ? race.staticRaceFindings(c.text, c.name) : [];
  if (findings.length) {
    return { name: c.name, label: c.label, outcome: 'race', by: 'static', reason: findings[0], ms: performance.now() - started };
  }
  const workDir = mkdtempSync(join(tmpdir(), 'autopar-drb-'));
  try {
    const r = await race.runRaceChecks(detector, {
      sources: [c.path],
      cflags: [`-I${micro}`],
      workDir,
      readOnly: [micro],
      cases: [{ args: [], label: '' }],
      timeoutMs: timeoutS * 1000,
    });
    const outcome = r.buildFailed ? 'build-failed' : r.raceReported ? 'race' : r.ok ? 'clean' : /timed out/.test(r.reason) ? 'timeout' : 'crash';
    return { name: c.name, label: c.label, outcome, by: 'tsan', reason: r.reason, runs: r.runs, ms: performance.now() - started };
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}

/** recall = TP / (TP + FN), precision = TP / (TP + FP), over the cases that were built. */
export function score(results) {
  const judged = results.filter((r) => r.outcome !== 'build-failed');
  const tp = judged.filter((r) => r.label === 'race' && r.outcome === 'race').length;
  const fn = judged.filter((r) => r.label === 'race' && r.outcome !== 'race').length;
  const fp = judged.filter((r) => r.label === 'no-race' && r.outcome === 'race').length;
  const tn = judged.filter((r) => r.label === 'no-race' && r.outcome !== 'race').length;
  return { tp, fn, fp, tn, recall: tp + fn ? tp / (tp + fn) : NaN, precision: tp + fp ? tp / (tp + fp) : NaN };
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const detector = await race.detectRaceDetector();
  if (!detector.ok) {
    console.error(`drb-race: no race detector here: ${detector.reason} (${detector.fix}); nothing was measured`);
    process.exit(2);
  }
  const { micro, cases, skipped } = listCases(opts.dir, opts.caseFilter);
  const config = race.RACE_CONFIG ?? race.DEFAULT_RACE_CONFIG;
  console.log(`${detector.detail}; race configuration: ${JSON.stringify(config)}`);
  console.log(`${cases.length} C cases (${cases.filter((c) => c.label === 'race').length} with a race), ${skipped.length} skipped; ${opts.workers} workers, ${opts.timeoutS} s per run`);
  const results = [];
  let next = 0;
  const worker = async () => {
    while (next < cases.length) {
      const c = cases[next++];
      const r = await checkCase(detector, c, micro, opts.timeoutS);
      results.push(r);
      const right = (r.outcome === 'race') === (r.label === 'race') ? 'ok ' : r.outcome === 'build-failed' ? 'skip' : 'MISS';
      console.log(`${right} ${r.name.padEnd(48)} ${r.label.padEnd(7)} -> ${r.outcome}${r.by === 'static' ? ' (static)' : ''} ${Math.round(r.ms)} ms${r.outcome !== 'race' && r.outcome !== 'clean' ? `: ${r.reason.slice(0, 160)}` : ''}`);
    }
  };
  await Promise.all(Array.from({ length: opts.workers }, worker));
  results.sort((a, b) => a.name.localeCompare(b.name));

  const s = score(results);
  const why = new Map();
  for (const k of [...skipped, ...results.filter((r) => r.outcome === 'build-failed').map((r) => ({ name: r.name, why: `does not build with the race toolchain: ${r.reason.replace(/^race build .*? failed: /, '').slice(0, 100)}` }))]) {
    why.set(k.why, [...(why.get(k.why) ?? []), k.name]);
  }
  console.log('\nskipped:');
  for (const [w, names] of why) console.log(`  ${names.length} × ${w}: ${names.join(', ')}`);
  const odd = results.filter((r) => r.outcome === 'timeout' || r.outcome === 'crash');
  if (odd.length) console.log(`crashed or timed out (counted as no race reported): ${odd.map((r) => `${r.name} (${r.outcome})`).join(', ')}`);
  const missed = results.filter((r) => r.label === 'race' && r.outcome !== 'race' && r.outcome !== 'build-failed');
  const falseAlarms = results.filter((r) => r.label === 'no-race' && r.outcome === 'race');
  console.log(`missed races (${missed.length}): ${missed.map((r) => r.name).join(', ') || 'none'}`);
  console.log(`false reports (${falseAlarms.length}): ${falseAlarms.map((r) => `${r.name}: ${r.reason.slice(0, 120)}`).join('; ') || 'none'}`);
  const staticHits = results.filter((r) => r.by === 'static' && r.outcome === 'race').length;
  console.log(`\njudged ${s.tp + s.fn + s.fp + s.tn} (TP ${s.tp}, FN ${s.fn}, FP ${s.fp}, TN ${s.tn}; ${staticHits} reported by the static checks)`);
  console.log(`recall ${s.recall.toFixed(3)}  precision ${s.precision.toFixed(3)}`);
  if (opts.json) writeFileSync(opts.json, JSON.stringify({ config, detector: detector.detail, score: s, skipped, results: results.map(({ text: _t, ...r }) => r) }, null, 2));
}

if (process.argv[1] && basename(process.argv[1]) === 'drb-race.mjs') {
  main().catch((e) => {
    console.error(`drb-race: ${e.message}`);
    process.exit(2);
  });
}
