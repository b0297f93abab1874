// Bench C — what verifying one candidate costs, stage by stage. For each kernel, the
// analyzer's linked candidate (or its first candidate when none was linked) is verified
// afresh with verifyCandidate (the project's toolchain and the default policy, plus the race
// stage when clang-19 + Archer are present), and each StageResult.durationMs is divided by
// the original kernel's serial run time for one call at the bench size, measured in this run
// (section B's baseline, or a short measurement here when B did not run).
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { tmpdir } from 'node:os';

import { verifyCandidate } from '../packages/core/dist/index.js';
import { createOriginalCache, prepareOriginal } from '../packages/core/dist/verify/original-cache.js';
import { DEFAULT_VERIFY_POLICY, resolvePolicy, resolveToolchain } from '../packages/core/dist/verify/policy.js';
import { benchTimes, runBench } from '../packages/core/dist/verify/run-harness.js';
import { detectRaceDetector, raceStageForVerifier } from '../packages/core/dist/verify/race.js';
import { analyzerBuild, benchSandbox, median, progress, projectToolchain, serialToolchain } from './bench-common.mjs';
import { table } from './bench-compare.mjs';

export const STAGES = ['static-gate', 'compile', 'differential', 'sanitize-memory', 'sanitize-race', 'benchmark'];

/** One call of the serial original at the bench size (median of a few), for when section B did not run. */
async function measureSerialCallMs(k, work) {
  const original = await prepareOriginal(createOriginalCache(join(work, 'serial')), join(work, 'serial'), {
    spec: k.spec,
    sourceText: k.sourceText,
    sourcePath: k.sourcePath,
    toolchain: serialToolchain(k),
    compileTimeoutMs: DEFAULT_VERIFY_POLICY.timeouts.compileMs,
    testTimeoutMs: 60_000,
    seeds: k.spec.seeds ?? [1, 2],
    log: () => {},
  });
  const sandbox = { workDir: work, readOnly: [original.dir, ...original.includeDirs] };
  const runs = [];
  for (let i = 0; i < 3; i++) {
    const r = await runBench(original.binary, 3, 1, undefined, { cwd: work, threads: 2, timeoutMs: 300_000, sandbox: benchSandbox(sandbox) });
    if (!r.ok) throw new Error(`${k.name}: the serial original fails at the bench size: ${r.problem}`);
    runs.push(median(benchTimes(r.stdout)));
  }
  return median(runs);
}

/**
 * @param kernels  from loadKernelProjects
 * @param opts     { builds: Map from section B (else the analyzer build runs here), serialCallMs: Map kernel → ms,
 *                   cacheDir, race: boolean (default: when available) }
 */
export async function benchVerifyTime(kernels, opts = {}) {
  const scratch = await mkdtemp(join(tmpdir(), 'autopar-bench-c-'));
  const detector = opts.race === false ? { ok: false, reason: 'turned off with --no-race' } : await detectRaceDetector();
  const raceOn = detector.ok;
  const rows = [];
  try {
    for (const k of kernels) {
      try {
        await verifyOne(k);
      } catch (e) {
        const reason = `bench error: ${e instanceof Error ? e.message : String(e)}`;
        progress(`C ${k.name}: ${reason}`);
        rows.push({ kernel: k.name, skipped: reason });
      }
    }
  } finally {
    if (!opts.keepDir) await rm(scratch, { recursive: true, force: true }).catch(() => {});
  }

  async function verifyOne(k) {
    {
      const work = join(scratch, k.name);
      await mkdir(work, { recursive: true });
      let build = opts.builds?.get(k.name);
      if (!build) {
        progress(`C ${k.name}: analyzer build (buildProject, proposer analyzer)`);
        build = await analyzerBuild(k, { outputPath: join(work, 'dist'), cacheDir: opts.cacheDir, log: () => {} });
      }
      const cand = build.candidates.find((c) => c.chosen) ?? build.candidates[0];
      if (!cand) {
        progress(`C ${k.name}: the analyzer proposed nothing; skipped`);
        rows.push({ kernel: k.name, skipped: 'the analyzer proposed no candidate' });
        return;
      }
      if (!cand.text) {
        rows.push({ kernel: k.name, skipped: `text of ${cand.label} is not in the store` });
        return;
      }
      let serialMs = opts.serialCallMs?.get(k.name);
      if (serialMs === undefined) {
        progress(`C ${k.name}: measuring the serial original at the bench size`);
        serialMs = await measureSerialCallMs(k, work);
      }

      // The original's side (harness, binary, reference outputs) is prepared once per kernel and
      // shared by its candidates; it is timed separately, not charged to the candidate's stages.
      const toolchain = projectToolchain(k);
      const policy = resolvePolicy({ sanitizers: { ...DEFAULT_VERIFY_POLICY.sanitizers, race: raceOn } });
      const originalCache = createOriginalCache(join(work, 'original'));
      const t0 = performance.now();
      await prepareOriginal(originalCache, join(work, 'original'), {
        spec: k.spec,
        sourceText: k.sourceText,
        sourcePath: k.sourcePath,
        toolchain: resolveToolchain(toolchain),
        compileTimeoutMs: policy.timeouts.compileMs,
        testTimeoutMs: Math.max(60_000, policy.timeouts.testMs),
        seeds: k.spec.seeds ?? [1, 2],
        log: () => {},
      });
      const originalPrepMs = performance.now() - t0;

      progress(`C ${k.name}: verifyCandidate ${cand.label}${cand.chosen ? ' (linked)' : ' (first; none linked)'}`);
      const t1 = performance.now();
      const verdict = await verifyCandidate({
        unit: k.unit,
        spec: k.spec,
        sourceText: k.sourceText,
        sourcePath: k.sourcePath,
        candidateText: cand.text,
        toolchain,
        policy,
        ...(cand.recipe ? { recipe: cand.recipe } : {}),
        workDir: join(work, 'verify'),
        originalCache,
        raceStage: raceOn ? raceStageForVerifier : undefined,
        log: (l) => {
          if (/: (static-gate|compile|differential|sanitize-memory|sanitize-race|benchmark) /.test(l)) progress(`  ${l.slice(0, 160)}`);
        },
      });
      const wallMs = performance.now() - t1;
      const stages = Object.fromEntries(verdict.stages.map((s) => [s.stage, { ms: s.durationMs, ok: s.ok, ratio: s.durationMs / serialMs }]));
      const totalMs = verdict.stages.reduce((s, x) => s + x.durationMs, 0);
      rows.push({
        kernel: k.name,
        candidate: cand.label,
        linked: cand.chosen,
        accepted: verdict.accepted,
        reason: verdict.reason,
        serialCallMs: serialMs,
        originalPrepMs,
        stages,
        totalMs,
        totalRatio: totalMs / serialMs,
        wallMs,
      });
    }
  }

  const summary = {};
  for (const stage of STAGES) {
    const xs = rows.filter((r) => r.stages?.[stage]);
    if (!xs.length) continue;
    const ratios = xs.map((r) => r.stages[stage].ratio);
    const secs = xs.map((r) => r.stages[stage].ms / 1000);
    summary[stage] = { n: xs.length, medianRatio: median(ratios), maxRatio: Math.max(...ratios), medianSeconds: median(secs), maxSeconds: Math.max(...secs) };
  }
  const done = rows.filter((r) => r.stages);
  if (done.length) {
    const ratios = done.map((r) => r.totalRatio);
    const secs = done.map((r) => r.totalMs / 1000);
    summary.total = { n: done.length, medianRatio: median(ratios), maxRatio: Math.max(...ratios), medianSeconds: median(secs), maxSeconds: Math.max(...secs) };
  }
  return { rows, summary, race: raceOn ? `on (${detector.detail})` : `off (${detector.reason})`, policy: resolvePolicy({ sanitizers: { ...DEFAULT_VERIFY_POLICY.sanitizers, race: raceOn } }) };
}

const r1 = (x) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));

export function printVerifyTime(res, out = console.log) {
  const perKernel = res.rows.map((r) =>
    r.skipped
      ? [r.kernel, '-', '-', ...STAGES.map(() => ''), `skipped: ${r.skipped}`]
      : [
          r.kernel,
          `${r.candidate.replace(/^analyzer:/, '')}${r.linked ? '' : '*'}`,
          r.serialCallMs.toFixed(1),
          ...STAGES.map((s) => (r.stages[s] ? `${r1(r.stages[s].ratio)}${r.stages[s].ok ? '' : '!'}` : '-')),
          `${r1(r.totalRatio)} (${(r.totalMs / 1000).toFixed(1)} s)`,
        ],
  );
  out(table(['kernel', 'candidate', 'serial ms', ...STAGES, 'total'], perKernel));
  out('');
  out('per-kernel cells: stage time / one serial call of the original at the bench size (× serial runs); * = no variant was');
  out('linked, so the first candidate was verified; ! = the stage rejected the candidate (later stages did not run).');
  out('');
  const rows = [...STAGES, 'total']
    .filter((s) => res.summary[s])
    .map((s) => {
      const x = res.summary[s];
      return [s, String(x.n), r1(x.medianRatio), r1(x.maxRatio), x.medianSeconds.toFixed(2), x.maxSeconds.toFixed(2)];
    });
  out(table(['stage', 'n', 'median ×serial', 'max ×serial', 'median s', 'max s'], rows));
  out('');
  out(`race stage: ${res.race} (the default build policy has race detection ${DEFAULT_VERIFY_POLICY.sanitizers.race ? 'on' : 'off'});`);
  out('the original\'s one-time preparation per kernel (harness, binary, reference outputs) is not charged to the stages:');
  const preps = res.rows.filter((r) => r.originalPrepMs !== undefined).map((r) => r.originalPrepMs / 1000);
  if (preps.length) out(`median ${median(preps).toFixed(2)} s, max ${Math.max(...preps).toFixed(2)} s per kernel.`);
}
