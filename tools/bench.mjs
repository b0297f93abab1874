#!/usr/bin/env node
// npm run bench — autopar's benchmarks, every figure a ratio to a baseline measured in the
// same run (see tools/README.md):
//   A  no-change rebuild: lookup path / plain compile+link            (tools/bench-lookup.mjs)
//   B  speedup over gcc -O3 serial: gcc autopar, Polly, what autopar links (analyzer + compile
//      recipes), expert reference (bench-compare.mjs); --kernels-dir test/heldout for the held-out set
//   C  verification time per stage / one serial call at the bench size (bench-verify-time.mjs)
//   S  store: hash+lookup rate of 10,000 kernels, 100,000-entry store lookups / plain fs reads,
//      remote hit latency on loopback nginx / plain GETs                    (bench-store.mjs)
//   M  real small models (SmolLM2-135M, Gemma 3 270M; embedded engine) as the compiler expert
//      in the plan, menu and function forms over the kernels, the analyzer's row beside them
//      (bench-models.mjs; long: a model answers every kernel in every form). Runs by default
//      when a model is installed (`npx autopar models pull smollm2-135m`); --only M forces it.
// Options: --only A|B|C|S|M (repeatable or comma list), --kernel <k>, --kernels-dir <dir>,
// --recipes a,b|none (the compile recipes of B's autopar build; default clang-O3, clang-polly,
// clang-polly-parallel, aligned-loops), --pairs N, --store <dir> (store for the autopar build; default the
// projects' own), --fresh-store (a scratch store: everything is proposed and verified again),
// --no-race, --keep (keep scratch dirs).
// Results: stdout; progress: stderr; everything as JSON in dist/bench/bench.json.
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { parseArgs } from 'node:util';

import { loadKernelProjects, progress, REPO } from './bench-common.mjs';

const { values: args } = parseArgs({
  options: {
    only: { type: 'string', multiple: true },
    kernel: { type: 'string' },
    pairs: { type: 'string' },
    store: { type: 'string' },
    'fresh-store': { type: 'boolean', default: false },
    'no-race': { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
    models: { type: 'string' },
    recipes: { type: 'string' },
    'kernels-dir': { type: 'string', default: 'kernels' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});

if (args.help) {
  console.log('usage: node tools/bench.mjs [--only A|B|C|S|M] [--kernel <k>] [--kernels-dir kernels|test/heldout] [--recipes a,b|none] [--pairs N] [--store <dir> | --fresh-store] [--no-race] [--keep] [--models a,b]');
  process.exit(0);
}

const sections = new Set((args.only ?? ['A', 'B', 'C', 'S', 'M']).flatMap((s) => s.split(',')).map((s) => s.trim().toUpperCase()));
for (const s of sections) if (!['A', 'B', 'C', 'S', 'M'].includes(s)) throw new Error(`--only ${s}: use A, B, C, S or M`);
const pairs = args.pairs === undefined ? 5 : Number(args.pairs);
if (!Number.isInteger(pairs) || pairs < 1) throw new Error(`--pairs must be a positive integer, got ${args.pairs}`);
if (pairs < 5) progress(`note: --pairs ${pairs} is below the 5 pairs the verifier uses; spreads will be wide`);

const cacheDir = args['fresh-store'] ? await mkdtemp(join(tmpdir(), 'autopar-bench-store-')) : args.store;
const started = performance.now();
const result = {
  schema: 'autopar-bench-v1',
  createdAt: new Date().toISOString(),
  machine: { cpus: (await import('node:os')).availableParallelism(), loadavg: (await import('node:os')).loadavg() },
  options: { sections: [...sections], kernel: args.kernel ?? null, kernelsDir: args['kernels-dir'], recipes: args.recipes ?? 'default', pairs, store: cacheDir ?? 'project default', race: !args['no-race'] },
};
const out = console.log;

if (sections.has('A')) {
  out('== A. no-change rebuild (issue 2): autopar lookup path vs plain gcc compile + link');
  progress('A: benchLookup (warms the store first when cold)');
  const { benchLookup } = await import('./bench-lookup.mjs');
  const r = await benchLookup({ log: progress });
  result.A = r;
  out(
    `no-change rebuild of ${r.projects} kernel projects: autopar lookup path / plain gcc compile+link = ${r.ratio.toFixed(3)} ` +
      `(per-rep ${r.spread.map((x) => x.toFixed(3)).join('–')}, ${r.reps} reps, target <= ${r.target}: ${r.ratio <= r.target ? 'met' : 'not met'})`,
  );
  out('');
}

let kernels;
if (sections.has('B') || sections.has('C')) kernels = await loadKernelProjects(args.kernel, args['kernels-dir']);
const recipes = args.recipes === undefined ? undefined : args.recipes === 'none' ? [] : args.recipes.split(',').map((s) => s.trim()).filter(Boolean);

let compare;
if (sections.has('B')) {
  const { benchCompare, printCompare } = await import('./bench-compare.mjs');
  out(`== B. speedup over gcc -O3 serial at the bench size (issues 3, 9): ${args['kernels-dir']}/, OMP_NUM_THREADS=2, ${pairs} ABAB pairs per contender`);
  compare = await benchCompare(kernels, { pairs, cacheDir, keepDir: args.keep, recipes });
  printCompare(compare, out);
  const { builds: _b, ...json } = compare;
  result.B = json;
  out('');
}

if (sections.has('C')) {
  const { benchVerifyTime, printVerifyTime } = await import('./bench-verify-time.mjs');
  out('== C. verification time per candidate and stage (issue 4), as multiples of one serial bench-size call of the original');
  const serialCallMs = compare ? new Map(compare.rows.map((r) => [r.kernel, r.serialCallMs])) : undefined;
  const res = await benchVerifyTime(kernels, { builds: compare?.builds, serialCallMs, cacheDir, race: !args['no-race'], keepDir: args.keep });
  printVerifyTime(res, out);
  result.C = res;
  out('');
}

if (sections.has('S')) {
  const { benchStore, printStore } = await import('./bench-store.mjs');
  out('== S. shared store (issue 10): lookup rate, local lookups vs plain fs reads, remote hits on loopback nginx');
  const r = await benchStore({ repo: REPO, log: progress });
  printStore(r, out);
  result.S = r;
  out('');
}

if (sections.has('M')) {
  const { runModelSection } = await import('./bench-models-section.mjs');
  out('== M. real small models as the compiler expert (issue 7): embedded engine, real weights, every answer verified');
  result.M = await runModelSection({ models: args.models, kernel: args.kernel, forced: args.only !== undefined, out, log: progress });
  out('');
}

result.totalSeconds = (performance.now() - started) / 1000;
const dir = join(REPO, 'dist', 'bench');
await mkdir(dir, { recursive: true });
await writeFile(join(dir, 'bench.json'), JSON.stringify(result, null, 2) + '\n');
progress(`done in ${result.totalSeconds.toFixed(0)} s; results in dist/bench/bench.json`);
