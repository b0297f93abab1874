#!/usr/bin/env node
// Busy build, then quiet rebuild: what the verifier decides when the machine is busy, and
// what a later quiet build makes of the speed decisions it left open.
//
//   node tools/busy-rebuild.mjs [--busy N] [--projects tag:kernel] [--proposer analyzer]
//        [--cache-dir DIR] [--skip-quiet | --quiet-only] [--nx-parallel N] [--out dist/bench/busy-rebuild.json]
//
// 1. Busy: N CPU-bound processes (default one per core) run beside
//    `nx run-many -t build` of the kernel projects, into a fresh store (AUTOPAR_CACHE_DIR).
// 2. Quiet: the busy processes are stopped, and the same command runs again on the same
//    store: verdicts of correctness come from the store; speed decisions left
//    inconclusive are measured again.
// --skip-quiet stops after 1 (the JSON keeps the store's path); --quiet-only runs 2 later,
// on the store and busy results that JSON names (when the machine is quiet again);
// --table-only prints the table of that JSON again.
// Printed: one row per kernel with both builds' outcome, every rejected candidate with its
// stage and reason, and any rejection that names a timeout (slowness must decide linking,
// never correctness). No figure is invented: a kernel whose report is missing says so.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import { loadKernelProjects, progress, REPO } from './bench-common.mjs';

const { values: args } = parseArgs({
  options: {
    busy: { type: 'string' },
    projects: { type: 'string', default: 'tag:kernel' },
    proposer: { type: 'string', default: 'analyzer' },
    'cache-dir': { type: 'string' },
    'skip-quiet': { type: 'boolean', default: false },
    'quiet-only': { type: 'boolean', default: false },
    'table-only': { type: 'boolean', default: false },
    'nx-parallel': { type: 'string' },
    out: { type: 'string', default: join(REPO, 'dist/bench/busy-rebuild.json') },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (args.help) {
  console.log('usage: node tools/busy-rebuild.mjs [--busy N] [--projects P] [--proposer analyzer] [--cache-dir DIR] [--skip-quiet] [--out FILE]');
  process.exit(0);
}
const busyCount = args.busy === undefined ? availableParallelism() : Number(args.busy);
if (!Number.isInteger(busyCount) || busyCount < 0) throw new Error(`--busy must be a whole number, got ${args.busy}`);
const earlier = args['quiet-only'] || args['table-only'] ? JSON.parse(readFileSync(args.out, 'utf8')) : undefined;
const cacheDir = earlier?.cacheDir ?? args['cache-dir'] ?? mkdtempSync(join(tmpdir(), 'autopar-busy-rebuild-'));

/** One CPU-bound process: a loop that never yields. */
function startBusy() {
  return spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' });
}

/** `nx run-many -t build` of the projects into `cacheDir`; resolves with its exit code and seconds. */
function nxBuild() {
  const env = { ...process.env, AUTOPAR_CACHE_DIR: cacheDir, AUTOPAR_PROPOSER: args.proposer, NX_DAEMON: 'false', NX_NO_CLOUD: 'true' };
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const nxArgs = ['nx', 'run-many', '-t', 'build', `--projects=${args.projects}`, '--outputStyle=static', '--skip-nx-cache'];
    // Nx runs 3 tasks at once by default: their benchmarks then load each other.
    if (args['nx-parallel']) nxArgs.push(`--parallel=${args['nx-parallel']}`);
    const child = spawn('npx', nxArgs, { cwd: REPO, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let tail = '';
    const keep = (d) => {
      tail = (tail + d.toString()).slice(-4000);
      for (const line of d.toString().split('\n')) if (/autopar: .*(linked|original|cached|inconclusive|re-measur)/i.test(line)) progress(line.trim());
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, seconds: (performance.now() - t0) / 1000, tail }));
  });
}

/** Load average sampled every 5 s while `promise` runs. */
async function withLoad(promise) {
  const samples = [];
  const timer = setInterval(() => samples.push(loadavg()[0]), 5000);
  try {
    return { ...(await promise), loadAvg1: samples.length ? samples.reduce((s, x) => s + x, 0) / samples.length : loadavg()[0] };
  } finally {
    clearInterval(timer);
  }
}

function readReports(kernels) {
  const rows = {};
  for (const k of kernels) {
    const file = k.reportFile;
    if (!existsSync(file)) {
      rows[k.name] = { missing: `no report at ${file}` };
      continue;
    }
    const report = JSON.parse(readFileSync(file, 'utf8'));
    const kr = report.kernels.find((x) => x.kernel === k.name);
    if (!kr) {
      rows[k.name] = { missing: `kernel not in ${file}` };
      continue;
    }
    const decision = kr.chosen ? 'linked' : kr.speedPending ? 'inconclusive' : 'original';
    const candidates = kr.candidates.map((c) => ({
      label: c.label,
      kind: c.verdict.kind ?? null,
      accepted: c.verdict.accepted,
      stage: c.verdict.stage,
      reason: c.verdict.reason,
      speed: c.verdict.speed?.decision ?? null,
      speedup: c.verdict.speedup?.median ?? null,
    }));
    rows[k.name] = {
      decision,
      outcome: kr.outcome,
      remeasured: kr.remeasured ?? false,
      chosen: kr.chosen?.label ?? null,
      chosenSpeedup: kr.chosen?.speedup?.median ?? null,
      candidates,
    };
  }
  return rows;
}

/** Candidates a stage failed (kind 'correctness'): on a busy machine these must be real defects only. */
function rejections(row) {
  return (row.candidates ?? []).filter((c) => c.kind === 'correctness');
}

/** Candidates neither linked nor rejected: verified but not faster, or screened and not (yet) verified, or incomplete. */
function notLinked(row) {
  const counts = {};
  for (const c of row.candidates ?? []) {
    if (c.kind === 'correctness' || c.label === row.chosen) continue;
    const what = c.kind === 'speed' ? `verified, ${c.speed ?? 'speed?'}` : c.kind === 'screening' ? 'screened only' : (c.kind ?? 'unknown');
    counts[what] = (counts[what] ?? 0) + 1;
  }
  return Object.entries(counts).map(([k, n]) => `${n} ${k}`).join(', ') || 'none';
}

const kernels = (await loadKernelProjects()).map((k) => ({ name: k.name, reportFile: join(k.options.outputPath, 'autopar-report.json') }));
const result = { schema: 'autopar-busy-rebuild-v1', createdAt: new Date().toISOString(), cores: availableParallelism(), busyProcesses: busyCount, proposer: args.proposer, cacheDir };

if (earlier) {
  Object.assign(result, { busyProcesses: earlier.busyProcesses, proposer: earlier.proposer, busy: earlier.busy, ...(args['table-only'] && earlier.quiet ? { quiet: earlier.quiet } : {}) });
} else {
  progress(`busy build: ${busyCount} CPU-bound process(es) beside nx run-many (store ${cacheDir})`);
  const busy = Array.from({ length: busyCount }, startBusy);
  let busyRun;
  try {
    busyRun = await withLoad(nxBuild());
  } finally {
    for (const p of busy) p.kill('SIGKILL');
  }
  result.busy = { exitCode: busyRun.code, seconds: busyRun.seconds, loadAvg1: busyRun.loadAvg1, kernels: readReports(kernels) };
  if (busyRun.code !== 0) progress(`busy build exited ${busyRun.code}:\n${busyRun.tail}`);
}

if (!args['skip-quiet'] && !args['table-only']) {
  progress('quiet rebuild: same store, nothing else started by this script');
  const quietRun = await withLoad(nxBuild());
  result.quiet = { exitCode: quietRun.code, seconds: quietRun.seconds, loadAvg1: quietRun.loadAvg1, kernels: readReports(kernels) };
  if (quietRun.code !== 0) progress(`quiet rebuild exited ${quietRun.code}:\n${quietRun.tail}`);
}

if (!args['table-only']) {
  await mkdir(join(REPO, 'dist/bench'), { recursive: true });
  await writeFile(args.out, JSON.stringify(result, null, 2) + '\n');
}

// ---- table ------------------------------------------------------------------------------
const fmt = (x) => (typeof x === 'number' ? `${x.toFixed(2)}x` : '—');
const best = (row) => (row.candidates ?? []).filter((c) => c.accepted && typeof c.speedup === 'number').sort((a, b) => b.speedup - a.speedup)[0];
const cell = (row) => {
  if (row?.missing) return `missing (${row.missing})`;
  if (row.chosen) return `linked ${row.chosen} ${fmt(row.chosenSpeedup)}`;
  const b = best(row);
  return `${row.decision}${b ? ` (best verified: ${b.label} ${fmt(b.speedup)})` : ''}`;
};
console.log(`busy build: ${result.busyProcesses} busy process(es) started by this script, on ${result.cores} cores, load average ${result.busy.loadAvg1.toFixed(1)}, exit ${result.busy.exitCode}, ${result.busy.seconds.toFixed(0)} s`);
if (result.quiet) console.log(`quiet rebuild: load average ${result.quiet.loadAvg1.toFixed(1)}, exit ${result.quiet.exitCode}, ${result.quiet.seconds.toFixed(0)} s`);
console.log('');
console.log(`| kernel | busy build | quiet rebuild | re-measured | rejected by a check (busy) | other candidates (busy) |`);
console.log(`|---|---|---|---|---|---|`);
const counts = { busy: { linked: 0, original: 0, inconclusive: 0 }, quiet: { linked: 0, original: 0, inconclusive: 0 } };
const timeoutRejections = [];
for (const k of kernels) {
  const b = result.busy.kernels[k.name];
  const q = result.quiet?.kernels[k.name];
  if (b.decision) counts.busy[b.decision]++;
  if (q?.decision) counts.quiet[q.decision]++;
  const rej = rejections(b);
  for (const c of rej) if (/timed? ?out|timeout/i.test(c.reason)) timeoutRejections.push(`${k.name} ${c.label}: ${c.stage}: ${c.reason}`);
  console.log(`| ${k.name} | ${cell(b)} | ${q ? cell(q) : 'not run'} | ${q ? (q.remeasured ? 'yes' : 'no') : '—'} | ${rej.length ? rej.map((c) => `${c.label} (${c.stage}: ${c.reason.slice(0, 80)})`).join('; ') : 'none'} | ${notLinked(b)} |`);
}
console.log('');
console.log(`busy: ${counts.busy.linked} linked, ${counts.busy.original} original, ${counts.busy.inconclusive} inconclusive`);
if (result.quiet) console.log(`quiet: ${counts.quiet.linked} linked, ${counts.quiet.original} original, ${counts.quiet.inconclusive} inconclusive`);
console.log(timeoutRejections.length ? `rejections that name a timeout (must be none):\n  ${timeoutRejections.join('\n  ')}` : 'rejections that name a timeout: none');
console.log(`(json: ${args.out})`);
