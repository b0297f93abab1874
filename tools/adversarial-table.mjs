#!/usr/bin/env node
// Runs the adversarial corpus (test/adversarial/<kernel>/<case>.c) through `autopar verify`
// and prints one row per case: kernel | case | expected | got | ok?
//
//   node tools/adversarial-table.mjs [--kernel <k>] [--case <substring>] [--json <file>]
//                                    [--timeout <seconds>] [--no-skip-bench]
//
// Each case file starts with a header comment:
//   /* expect: reject            (or: accept)
//    * stage: differential|sanitize-race     (reject only: stage(s) allowed to reject it)
//    * reason: <regex, case-insensitive, matched against the verdict's reason>
//    * category: race             (optional; see CATEGORY_BY_NAME for the default)
//    * why: <one line>
//    */
// Cases run one after another (2 cores: benchmarks must not overlap). A CLI run longer than
// the per-case timeout (240 s) is killed and counts as a failure of the verifier.
// Exit status: 0 when every case got what it expects, 1 otherwise, 2 on usage errors.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const CORPUS_DIR = join(ROOT, 'test', 'adversarial');
export const CLI = join(ROOT, 'packages', 'core', 'dist', 'cli', 'main.js');
export const STAGES = ['static-gate', 'plan-legality', 'compile', 'differential', 'sanitize-memory', 'sanitize-race', 'benchmark'];
export const DEFAULT_TIMEOUT_S = 240;

/** Category from the case name when the header names none (first match wins). */
const CATEGORY_BY_NAME = [
  [/^accept_/, 'correct'],
  [/system|exec|popen/, 'exec/system'],
  [/fork/, 'fork'],
  [/socket|connect/, 'network'],
  [/getenv|environ|home/, 'env/$HOME read'],
  [/open|fopen|write_log|syscall/, 'file access'],
  [/asm|incbin|include/, 'asm/include'],
  [/sleep/, 'sleep'],
  [/(^|_)hang(_|$)|infinite/, 'infinite loop'],
  [/memory_bomb|bomb/, 'memory bomb'],
  [/printf|flood/, 'output flood'],
  [/leak/, 'leak'],
  [/uninit/, 'uninitialised read'],
  [/reduction/, 'wrong reduction'],
  [/oob|past|const_input|rowptr_inclusive|no_clamp|slots/, 'out of bounds'],
  [/tail|offbyone|skips|width|unroll/, 'off-by-one/tail'],
  [/race|nowait|collapse|private|shared|parallel_|fused|inplace|bitrev|overlap/, 'data race/dependence'],
];

export function categoryOf(name, header) {
  if (header.category) return header.category;
  for (const [re, cat] of CATEGORY_BY_NAME) if (re.test(name)) return cat;
  return 'other';
}

/** Parses the leading header comment of a case file. Throws on a malformed header. */
export function parseHeader(text, file = '<case>') {
  const m = /^\s*\/\*([\s\S]*?)\*\//.exec(text);
  if (!m) throw new Error(`${file}: no header comment at the top`);
  const fields = {};
  for (const raw of m[1].split('\n')) {
    const line = raw.replace(/^\s*\*?\s?/, '');
    const f = /^([a-z]+):\s*(.*?)\s*$/.exec(line);
    if (f) fields[f[1]] = f[2];
  }
  const expect = fields.expect;
  if (expect !== 'accept' && expect !== 'reject') throw new Error(`${file}: 'expect:' must be accept or reject (got ${expect})`);
  if (!fields.why) throw new Error(`${file}: 'why:' is missing`);
  const header = { expect, why: fields.why, category: fields.category };
  if (expect === 'reject') {
    if (!fields.stage) throw new Error(`${file}: a reject case needs 'stage:'`);
    if (!fields.reason) throw new Error(`${file}: a reject case needs 'reason:'`);
    header.stages = fields.stage.split('|').map((s) => s.trim());
    for (const s of header.stages) if (!STAGES.includes(s)) throw new Error(`${file}: unknown stage '${s}'`);
    try {
      header.reason = new RegExp(fields.reason, 'i');
    } catch (e) {
      throw new Error(`${file}: bad reason regex: ${e.message}`);
    }
    header.reasonText = fields.reason;
  }
  return header;
}

/** All cases, sorted by kernel then name. */
export function loadCases({ kernel, caseFilter } = {}) {
  const cases = [];
  for (const k of readdirSync(CORPUS_DIR).sort()) {
    const dir = join(CORPUS_DIR, k);
    if (!statSync(dir).isDirectory() || k === 'node_modules') continue;
    if (kernel && k !== kernel) continue;
    for (const f of readdirSync(dir).sort()) {
      if (!f.endsWith('.c')) continue;
      const name = f.slice(0, -2);
      if (caseFilter && !name.includes(caseFilter) && !`${k}/${name}`.includes(caseFilter)) continue;
      const file = join(dir, f);
      const header = parseHeader(readFileSync(file, 'utf8'), relative(ROOT, file));
      cases.push({ kernel: k, name, file, header, category: categoryOf(name, header) });
    }
  }
  return cases;
}

/**
 * Runs one case through the CLI. Never throws: every problem becomes a result.
 * result: { verdict?, exitCode, timedOut, error?, wallMs }
 */
export function runCase(c, { timeoutS = DEFAULT_TIMEOUT_S, skipBench = true } = {}) {
  const env = { ...process.env };
  // Correctness verdicts do not need timing: with AUTOPAR_VERIFY_SKIP_BENCH=1 `autopar verify` still
  // runs the bench size once per side and compares the outputs, and times nothing (speed: not-measured).
  // Cases that expect a benchmark rejection keep the whole benchmark.
  const wantsBench = c.header.expect === 'reject' && c.header.stages.includes('benchmark');
  if (skipBench && !wantsBench) env.AUTOPAR_VERIFY_SKIP_BENCH = '1';
  else delete env.AUTOPAR_VERIFY_SKIP_BENCH;
  const args = [CLI, 'verify', join('kernels', c.kernel), '--kernel', c.kernel, '--candidate', c.file, '--json'];
  const start = performance.now();
  return new Promise((resolveRun) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    const cap = (s, chunk) => (s.length > 4 << 20 ? s : s + chunk);
    child.stdout.on('data', (d) => (stdout = cap(stdout, d.toString())));
    child.stderr.on('data', (d) => (stderr = cap(stderr, d.toString())));
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid, 'SIGKILL'); // the CLI and everything it started (its own process group)
      } catch {
        child.kill('SIGKILL');
      }
    }, timeoutS * 1000);
    child.on('error', (e) => {
      clearTimeout(timer);
      resolveRun({ exitCode: null, timedOut, error: `cannot start the CLI: ${e.message}`, wallMs: performance.now() - start });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      const wallMs = performance.now() - start;
      if (timedOut) return resolveRun({ exitCode: code, timedOut, error: `verifier did not finish in ${timeoutS} s`, wallMs });
      let verdict;
      const text = stdout.trim();
      const jsonStart = text.indexOf('{');
      try {
        if (jsonStart >= 0) verdict = JSON.parse(text.slice(jsonStart));
      } catch {
        verdict = undefined;
      }
      if (!verdict || typeof verdict.accepted !== 'boolean') {
        const tail = (stderr || stdout).trim().split('\n').slice(-3).join(' | ').slice(0, 300);
        return resolveRun({ exitCode: code, timedOut, error: `no JSON verdict (exit ${code}): ${tail}`, wallMs });
      }
      resolveRun({ exitCode: code, timedOut, verdict, wallMs });
    });
  });
}

/** Did the case get what it expects? Returns { ok, why } (why: what was wrong). */
export function judge(c, r) {
  if (r.error) return { ok: false, why: r.error };
  const v = r.verdict;
  const expectedExit = v.accepted ? 0 : 1;
  if (r.exitCode !== expectedExit) return { ok: false, why: `exit code ${r.exitCode} does not match the verdict (accepted=${v.accepted})` };
  if (c.header.expect === 'accept') {
    return v.accepted ? { ok: true, why: '' } : { ok: false, why: 'false rejection' };
  }
  if (v.accepted) return { ok: false, why: 'accepted a bad variant' };
  if (!c.header.stages.includes(v.stage)) return { ok: false, why: `rejected at ${v.stage}, expected ${c.header.stages.join('|')}` };
  const failed = (v.stages ?? []).find((s) => s.stage === v.stage && !s.ok);
  const text = `${v.reason ?? ''} ${failed?.reason ?? ''}`;
  if (!c.header.reason.test(text)) return { ok: false, why: `reason does not match /${c.header.reasonText}/i` };
  return { ok: true, why: '' };
}

const expectedText = (c) => (c.header.expect === 'accept' ? 'accept' : `reject@${c.header.stages.join('|')}`);
function gotText(r, width = 90) {
  if (r.error) return r.error.slice(0, width);
  const v = r.verdict;
  const s = v.accepted ? `accepted (${v.reason ?? ''})` : `${v.stage}: ${(v.reason ?? '').replace(/\s+/g, ' ')}`;
  return s.length > width ? `${s.slice(0, width - 1)}…` : s;
}

function pad(s, n) {
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}

function parseArgs(argv) {
  const o = { skipBench: true, timeoutS: DEFAULT_TIMEOUT_S };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = () => {
      if (i + 1 >= argv.length) usage(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--kernel') o.kernel = val();
    else if (a === '--case') o.caseFilter = val();
    else if (a === '--json') o.json = val();
    else if (a === '--timeout') o.timeoutS = Number(val());
    else if (a === '--no-skip-bench') o.skipBench = false;
    else if (a === '--rejudge') o.rejudge = val();
    else if (a === '-h' || a === '--help') usage();
    else usage(`unknown argument ${a}`);
  }
  return o;
}

function usage(msg) {
  if (msg) process.stderr.write(`${msg}\n`);
  process.stderr.write('usage: node tools/adversarial-table.mjs [--kernel <k>] [--case <substring>] [--json <file>] [--timeout <s>] [--no-skip-bench] [--rejudge <results.json>]\n');
  process.exit(msg ? 2 : 0);
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  // --rejudge: judge the verdicts recorded in an earlier --json file against today's headers (runs nothing).
  const recorded = opts.rejudge ? new Map(JSON.parse(readFileSync(opts.rejudge, 'utf8')).results.map((x) => [`${x.kernel}/${x.case}`, x])) : undefined;
  if (recorded) {
    // fall through to the table with recorded results instead of runs
  } else if (!existsSync(CLI)) {
    process.stderr.write(`CLI not built: ${relative(ROOT, CLI)} is missing (run: npx tsc -b packages/core)\n`);
    process.exit(2);
  }
  // A CLI that is half rebuilt answers every case with a module error: say so once and stop.
  const probe = recorded ? { status: 0 } : spawnSync(process.execPath, ['-e', `import(${JSON.stringify(pathToFileURL(join(dirname(CLI), 'verify-command.js')).href)})`], { encoding: 'utf8' });
  if (probe.status !== 0) {
    process.stderr.write(`the CLI does not load (rebuild: npx tsc -b packages/core):\n${(probe.stderr || '').trim().split('\n').slice(0, 6).join('\n')}\n`);
    process.exit(2);
  }
  let cases = loadCases(opts);
  if (recorded) cases = cases.filter((c) => recorded.has(`${c.kernel}/${c.name}`));
  if (cases.length === 0) usage('no case matches the filters');
  const t0 = performance.now();
  const results = [];
  const wk = Math.max(6, ...cases.map((c) => c.kernel.length));
  const wc = Math.max(4, ...cases.map((c) => c.name.length));
  const we = Math.max(8, ...cases.map((c) => expectedText(c).length));
  process.stdout.write(`${pad('kernel', wk)} | ${pad('case', wc)} | ${pad('expected', we)} | ${pad('got (stage: reason)', 90)} | ok?\n`);
  process.stdout.write(`${'-'.repeat(wk)}-+-${'-'.repeat(wc)}-+-${'-'.repeat(we)}-+-${'-'.repeat(90)}-+----\n`);
  for (const c of cases) {
    const x = recorded?.get(`${c.kernel}/${c.name}`);
    const r = x ? { exitCode: x.exitCode, timedOut: x.timedOut, error: x.error, wallMs: x.wallMs, verdict: x.verdict } : await runCase(c, opts);
    const j = judge(c, r);
    results.push({ c, r, j });
    const mark = j.ok ? 'ok' : `FAIL (${j.why})`;
    process.stdout.write(`${pad(c.kernel, wk)} | ${pad(c.name, wc)} | ${pad(expectedText(c), we)} | ${pad(gotText(r), 90)} | ${mark}  [${(r.wallMs / 1000).toFixed(1)} s]\n`);
  }
  const wallS = (performance.now() - t0) / 1000;
  const passed = results.filter((x) => x.j.ok).length;
  const failed = results.length - passed;

  const cats = new Map();
  for (const { c, j } of results) {
    const e = cats.get(c.category) ?? { total: 0, passed: 0 };
    e.total++;
    if (j.ok) e.passed++;
    cats.set(c.category, e);
  }
  process.stdout.write('\nper category (passed/total):\n');
  for (const [cat, e] of [...cats].sort((a, b) => a[0].localeCompare(b[0]))) process.stdout.write(`  ${pad(cat, 40)} ${e.passed}/${e.total}\n`);
  const rej = results.filter((x) => x.c.header.expect === 'reject');
  const acc = results.filter((x) => x.c.header.expect === 'accept');
  process.stdout.write(
    `expected reject: ${rej.filter((x) => x.j.ok).length}/${rej.length} right; expected accept: ${acc.filter((x) => x.j.ok).length}/${acc.length} right; wall time ${wallS.toFixed(0)} s\n`,
  );
  process.stdout.write(`${passed} passed, ${failed} failed\n`);

  if (opts.json) {
    const out = {
      generatedAt: new Date().toISOString(),
      wallSeconds: Math.round(wallS),
      skipBench: opts.skipBench,
      passed,
      failed,
      results: results.map(({ c, r, j }) => ({
        kernel: c.kernel,
        case: c.name,
        category: c.category,
        expect: c.header.expect,
        stages: c.header.stages,
        reason: c.header.reasonText,
        why: c.header.why,
        ok: j.ok,
        problem: j.why || undefined,
        exitCode: r.exitCode,
        timedOut: r.timedOut,
        error: r.error,
        wallMs: Math.round(r.wallMs),
        verdict: r.verdict
          ? { accepted: r.verdict.accepted, stage: r.verdict.stage, reason: r.verdict.reason, stages: (r.verdict.stages ?? []).map(({ log, ...s }) => s) }
          : undefined,
      })),
    };
    writeFileSync(opts.json, `${JSON.stringify(out, null, 2)}\n`);
  }
  process.exit(failed ? 1 : 0);
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main().catch((e) => {
    process.stderr.write(`${e.stack ?? e}\n`);
    process.exit(2);
  });
}
