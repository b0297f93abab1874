// tools/drb-race.mjs on the DataRaceBench sample in test/fixtures/drb (six cases, license
// included): every race found, no false report, the skip rules and the scoring.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { detectRaceDetector } from '../packages/core/src/verify/race.js';
// @ts-ignore — plain ESM tool (no type declarations)
import { listCases, parseArgs, score } from './drb-race.mjs';

const ROOT = resolve(import.meta.dirname, '..');
const SAMPLE = join(ROOT, 'test/fixtures/drb');
const detector = await detectRaceDetector();
const tmp = mkdtempSync(join(tmpdir(), 'autopar-drb-test-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('drb-race', () => {
  it('lists the C cases with their ground truth and refuses a folder without micro-benchmarks/', () => {
    const { cases, skipped } = listCases(SAMPLE);
    expect(cases.map((c: { name: string; label: string }) => `${c.name}:${c.label}`)).toEqual([
      'DRB001-antidep1-orig-yes.c:race',
      'DRB021-reductionmissing-orig-yes.c:race',
      'DRB024-simdtruedep-orig-yes.c:race',
      'DRB045-doall1-orig-no.c:no-race',
      'DRB059-lastprivate-orig-no.c:no-race',
      'DRB090-static-local-orig-yes.c:race',
    ]);
    expect(skipped).toEqual([]);
    // --case keeps the names containing any of its comma-separated parts.
    expect(listCases(SAMPLE, 'DRB001,doall1').cases.map((c: { name: string }) => c.name)).toEqual(['DRB001-antidep1-orig-yes.c', 'DRB045-doall1-orig-no.c']);
    expect(() => listCases(join(SAMPLE, 'micro-benchmarks'))).toThrow(/no micro-benchmarks\/ folder/);
  });

  it('scores recall and precision over the cases that were built', () => {
    const s = score([
      { label: 'race', outcome: 'race' },
      { label: 'race', outcome: 'clean' },
      { label: 'no-race', outcome: 'race' },
      { label: 'no-race', outcome: 'timeout' },
      { label: 'race', outcome: 'build-failed' },
    ]);
    expect(s).toMatchObject({ tp: 1, fn: 1, fp: 1, tn: 1, recall: 0.5, precision: 0.5 });
  });

  it('says what is wrong with its arguments', () => {
    expect(() => parseArgs([])).toThrow(/usage/);
    expect(() => parseArgs(['x', '--workers', '0'])).toThrow(/--workers must be a positive integer/);
    expect(() => parseArgs(['x', '--bogus'])).toThrow(/unknown option --bogus/);
  });

  it.skipIf(!detector.ok)('finds every race of the sample (one only statically, one only at -O0) and reports none on the race-free cases', () => {
    const out = join(tmp, 'drb.json');
    const text = execFileSync(process.execPath, [join(ROOT, 'tools/drb-race.mjs'), SAMPLE, '--workers', '1', '--json', out], { encoding: 'utf8', timeout: 280_000 });
    expect(text).toMatch(/recall 1\.000 {2}precision 1\.000/);
    const r = JSON.parse(readFileSync(out, 'utf8'));
    const by = (name: string) => r.results.find((x: { name: string }) => x.name === name);
    expect(by('DRB024-simdtruedep-orig-yes.c')).toMatchObject({ outcome: 'race', by: 'static' });
    expect(by('DRB090-static-local-orig-yes.c')).toMatchObject({ outcome: 'race', by: 'tsan', reason: expect.stringMatching(/-O0 build/) });
    expect(by('DRB045-doall1-orig-no.c').outcome).toBe('clean');
  }, 300_000);
});
