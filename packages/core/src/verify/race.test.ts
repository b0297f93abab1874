// Race stage on small hand-written harness + kernel pairs (race/fixtures/).
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { detectRaceDetector, raceStage, raceStageForVerifier, type RaceStageInput } from './race.js';
import { parseTsanReport, describeTsanReport } from './race/tsan-report.js';

const fixtures = join(dirname(fileURLToPath(import.meta.url)), 'race/fixtures');
const detector = await detectRaceDetector();
const workDirs: string[] = [];
afterAll(() => workDirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function input(harness: string, kernel: string, extra: Partial<RaceStageInput> = {}): RaceStageInput {
  const workDir = mkdtempSync(join(tmpdir(), 'autopar-race-test-'));
  workDirs.push(workDir);
  return {
    harnessC: join(fixtures, harness),
    kernelTU: join(fixtures, kernel),
    workDir,
    sizeIndices: [2, 3],
    seeds: [1],
    threadCounts: [2, 3, 4],
    reps: 2,
    timeoutMs: 30_000,
    ...extra,
  };
}

describe('raceStage', () => {
  it('detects the race detector on this machine (clang-19 + libarcher)', () => {
    // This machine is set up for it; elsewhere the skip tests below still hold.
    expect(detector.ok, detector.reason).toBe(true);
  });

  it.skipIf(!detector.ok)('rejects a sum without reduction, naming the racing location', async () => {
    const r = await raceStage(input('harness_sum.c', 'sum_racy.c'));
    expect(r.ok).toBe(false);
    expect(r.stage).toBe('sanitize-race');
    expect(r.reason).toMatch(/^data race: /);
    expect(r.reason).toMatch(/sum_racy\.c:\d+/);
    expect(r.reason).toContain('2 threads');
    expect(r.log).toContain('WARNING: ThreadSanitizer: data race');
  });

  it.skipIf(!detector.ok)('passes the same sum with reduction(+:s)', async () => {
    const r = await raceStage(input('harness_sum.c', 'sum_reduction.c'));
    // -O1 and -O0 builds × (2, 3, 4 and 8 threads) × 2 sizes × 2 runs
    expect(r.reason).toMatch(/^no race reported in 32 TSan\+Archer runs \(2\/3\/4\/8 threads; -O1 and -O0 builds\)/);
    expect(r.ok).toBe(true);
    expect(r.runs).toBe(32);
  });

  it.skipIf(!detector.ok)('catches a race that needs 3+ threads, and not with 2', async () => {
    const twoOnly = await raceStage(input('harness_array.c', 'slots_mod2.c', { threadCounts: [2], oversubscribedThreads: [] }));
    expect(twoOnly.ok, twoOnly.reason).toBe(true);
    const r = await raceStage(input('harness_array.c', 'slots_mod2.c'));
    expect(r.ok).toBe(false);
    expect(r.reason).toMatch(/slots_mod2\.c:\d+/);
    expect(r.reason).toMatch(/\[(3|4) threads/);
  });

  it.skipIf(!detector.ok)('catches a race between neighbouring iterations of an unscheduled loop (chunk-1 schedule of the -O0 build)', async () => {
    const r = await raceStage(input('harness_array.c', 'pairs_unscheduled.c', { sizeIndices: [2], threadCounts: [2, 4], oversubscribedThreads: [] }));
    expect(r.ok).toBe(false);
    expect(r.reason).toMatch(/pairs_unscheduled\.c:9/);
    // The -O1 build (default contiguous blocks) cannot show it; the -O0 build's chunks of one do, on the first run.
    expect(r.reason).toContain('2 threads');
    expect(r.reason).toContain('-O0 build');
    expect(r.reason).toContain('run 1]');
  });

  it.skipIf(!detector.ok)('catches a temporary that should be private', async () => {
    const r = await raceStage(input('harness_array.c', 'scale_shared_tmp.c'));
    expect(r.ok).toBe(false);
    expect(r.reason).toMatch(/scale_shared_tmp\.c:\d+/);
  });

  it.skipIf(!detector.ok)('passes the same loop with private(tmp)', async () => {
    const r = await raceStage(input('harness_array.c', 'scale_private_tmp.c', { reps: 1 }));
    expect(r.ok, r.reason).toBe(true);
  });

  it.skipIf(!detector.ok)('rejects a kernel that does not build, without a verdict of "no race"', async () => {
    const r = await raceStage(input('harness_sum.c', 'scale_private_tmp.c'));
    expect(r.ok).toBe(false);
    expect(r.reason).toMatch(/race build .* failed/);
  });

  it.skipIf(!detector.ok)('adapts the verifier hook context (harness text, every test size)', async () => {
    const workDir = mkdtempSync(join(tmpdir(), 'autopar-race-test-'));
    workDirs.push(workDir);
    const ctx = {
      candidateTu: join(fixtures, 'sum_racy.c'),
      harnessSource: readFileSync(join(fixtures, 'harness_sum.c'), 'utf8'),
      includeDirs: [],
      workDir,
      seeds: [3],
      testTimeoutMs: () => 3000,
      spec: { sizes: { test: [{}, {}, {}, {}] } },
    };
    const r = await raceStageForVerifier(ctx);
    expect(r.ok).toBe(false);
    expect(r.reason).toMatch(/sum_racy\.c:\d+/);
  });

  it('says it skipped when no race detector is installed, never a silent pass', async () => {
    const r = await raceStage(input('harness_sum.c', 'sum_racy.c', { cc: 'clang-autopar-missing' }));
    expect(r.skipped).toBe(true);
    // Whatever `ok` says, a skipped stage is no pass: the verifier records it as 'skipped' and
    // does not accept the candidate without AUTOPAR_ALLOW_UNVERIFIED=race (verify.test.ts).
    expect(r.reason).toMatch(/^race detection skipped: clang-autopar-missing not found/);
    const strict = await raceStage(input('harness_sum.c', 'sum_racy.c', { cc: 'clang-autopar-missing', onMissing: 'reject' }));
    expect(strict.ok).toBe(false);
    expect(strict.skipped).toBe(true);
  });

  it('says it skipped when Archer is missing', async () => {
    const d = await detectRaceDetector('clang-19', '/nonexistent/libarcher.so');
    expect(d.ok).toBe(false);
    expect(d.reason).toContain('Archer');
  });
});

describe('parseTsanReport', () => {
  it('names both racing accesses with file:line', () => {
    const stderr = `==================
WARNING: ThreadSanitizer: data race (pid=2)
  Read of size 8 at 0x7fff7935ce48 by thread T3:
    #0 main.omp_outlined /w/r.c (r+0xe4730) (BuildId: 8c)
    #1 __kmp_invoke_microtask <null> (libomp.so.5+0xe0678)
    #2 main /w/r.c:4:1 (r+0xe460e)

  Previous write of size 8 at 0x7fff7935ce48 by main thread:
    #0 main.omp_outlined_debug__ /w/r.c:5:26 (r+0xe4770)

SUMMARY: ThreadSanitizer: data race /w/r.c in main.omp_outlined
==================`;
    const report = parseTsanReport(stderr)!;
    expect(report.kind).toBe('data race');
    expect(describeTsanReport(report)).toBe(
      'data race: Read of size 8 at r.c (no line) in main.omp_outlined (thread T3) vs Previous write of size 8 at r.c:5 in main.omp_outlined_debug__ (main thread)',
    );
  });

  it('finds nothing in clean output', () => {
    expect(parseTsanReport('499500\n')).toBeUndefined();
  });
});

describe('candidateLines', () => {
  it("maps TSan's lines in the spliced translation unit to the candidate's own lines, and leaves other lines alone", async () => {
    const { candidateLines } = await import('./race.js');
    const candidate = '/* header */\n#include <omp.h>\n\nvoid k(int n, int *a)\n{\n#pragma omp parallel for\n    for (int i = 0; i < n; i++) a[0] += i;\n}\n';
    // The user's file: two helper lines before the kernel; the candidate spliced in without its leading comment and include.
    const tu = '#define main autopar_user_main\n#line 1 "k.c"\n#include <omp.h>\nstatic int helper;\n' + candidate.slice(candidate.indexOf('void')) + '\n#line 1 "autopar-trampoline.c"\n';
    // k.c:6 is the racy line `a[0] += i` (row 7 of the TU); in the candidate it is line 7.
    expect(candidateLines('data race: Write of size 4 at k.c:6 in k (thread T1) vs Previous write of size 4 at k.c:6 in k (main thread) [2 threads]', tu, candidate, 'k', 'k.c'))
      .toBe('data race: Write of size 4 at candidate line 7 (k.c:6) in k (thread T1) vs Previous write of size 4 at candidate line 7 (k.c:6) in k (main thread) [2 threads]');
    expect(candidateLines('data race at k.c:2 [2 threads]', tu, candidate, 'k', 'k.c')).toBe('data race at k.c:2 [2 threads]');
  });
});
