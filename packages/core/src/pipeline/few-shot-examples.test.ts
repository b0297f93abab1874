// Store retrieval for the few-shot strategy: a tiny store written through FsStore, with
// entries that qualify and entries that must not (rejected, compile recipe, scripted
// server, corrupt, missing blob), then storeExamples and nearestExamples over it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FsStore } from '../store/fs-store.js';
import type { CandidateRecord, Manifest } from '../store/types.js';
import type { CompileRecipe, ProposerIdentity } from '../propose/types.js';
import type { Verdict } from '../verify/types.js';
import { nearestExamples } from '../strategy/examples.js';
import { kernelFeatures } from '../strategy/kernel-features.js';
import { grammarPlanOf, storeExamples } from './few-shot-examples.js';

const sha = (s: string) => createHash('sha256').update(s).digest('hex');

const accepted = (median?: number): Verdict => ({
  accepted: true,
  kind: 'speed',
  stage: 'benchmark',
  reason: 'verified; faster',
  stages: [
    { stage: 'compile', ok: true, status: 'ran', reason: 'ok', durationMs: 1 },
    { stage: 'differential', ok: true, status: 'ran', reason: 'ok', durationMs: 1 },
    { stage: 'sanitize-race', ok: true, status: 'skipped', skipped: true, reason: 'no clang', durationMs: 0 },
    { stage: 'benchmark', ok: true, status: 'ran', reason: 'ok', durationMs: 1 },
  ],
  ...(median === undefined ? {} : { speedup: { median, spread: [median * 0.9, median * 1.1] as [number, number], pairs: 5, originalMedianMs: 10, candidateMedianMs: 10 / median } }),
});
const rejected: Verdict = { accepted: false, kind: 'correctness', stage: 'differential', reason: 'outputs differ', stages: [] };

const model: ProposerIdentity = { kind: 'ollama', model: 'qwen2.5:1.5b' };
const recipe: CompileRecipe = { name: 'gcc-autopar', cc: 'gcc', cflags: ['-O2', '-ftree-parallelize-loops=4'], transformFlags: ['-ftree-parallelize-loops=4'], raceFlags: null, version: 'gcc 12' };

// Originals as the key keeps them: token-normalized, one line.
const DOT = 'double dot ( int n , const double * x , const double * y ) { double s = 0 ; for ( int i = 0 ; i < n ; i ++ ) s += x [ i ] * y [ i ] ; return s ; }';
const DOT_PAR = 'double dot(int n, const double *x, const double *y)\n{\n  double s = 0;\n  #pragma omp parallel for reduction(+:s)\n  for (int i = 0; i < n; i++) s += x[i] * y[i];\n  return s;\n}\n';
const STENCIL = 'void blur ( int n , int m , const float * a , float * b ) { for ( int i = 1 ; i < n - 1 ; i ++ ) for ( int j = 1 ; j < m - 1 ; j ++ ) b [ i * m + j ] = ( a [ ( i - 1 ) * m + j ] + a [ ( i + 1 ) * m + j ] ) * 0.5f ; }';
const STENCIL_PAR = 'void blur(int n, int m, const float *a, float *b)\n{\n  #pragma omp parallel for\n  for (int i = 1; i < n - 1; i++) for (int j = 1; j < m - 1; j++) b[i*m+j] = (a[(i-1)*m+j] + a[(i+1)*m+j]) * 0.5f;\n}\n';

const STORED_PLAN = {
  version: 1,
  kernel: 'dot',
  loops: [{ loop: 'L1', action: 'parallel-for', reduction: [{ op: '+', vars: ['s'] }], schedule: { kind: 'static' } }],
  transforms: [],
};

let base: string;
let root: string;
let store: FsStore;
const mtime = new Map<string, number>();

/** Writes one entry through the store: the original and the chosen text in cas/, a manifest in ac/. */
async function entry(name: string, original: string, chosenText: string, record: Partial<CandidateRecord>, opts: { chosen?: boolean; ageS: number }): Promise<string> {
  const digest = await store.putBlob(chosenText);
  const keyInputs = { schema: 'test', kernel: { name, normalizedText: original }, target: 'x86_64' };
  const key = sha(JSON.stringify(keyInputs));
  const rec: CandidateRecord = { label: `${name}#1`, proposer: model, sourceDigest: digest, verdict: accepted(), ...record };
  const m: Manifest = {
    schema: 'autopar-manifest-v1',
    key,
    keyInputs,
    kernel: name,
    createdAt: '2025-01-01T00:00:00Z',
    candidates: [rec],
    chosen: opts.chosen === false ? null : digest,
    chosenLabel: opts.chosen === false ? null : rec.label,
  };
  await store.putManifest(m);
  const file = join(root, 'ac', key.slice(0, 2), key);
  const t = Date.now() / 1000 - opts.ageS;
  utimesSync(file, t, t);
  mtime.set(name, t);
  return key;
}

beforeAll(async () => {
  base = mkdtempSync(join(tmpdir(), 'autopar-fewshot-'));
  root = join(base, 'cache');
  store = new FsStore(root);
  await entry('dot', DOT, DOT_PAR, { verdict: accepted(3.2), plan: STORED_PLAN }, { ageS: 100 });
  await entry('blur', STENCIL, STENCIL_PAR, { verdict: accepted(1.8) }, { ageS: 50 });
  await entry('bad', 'void bad ( int n , double * a ) { for ( int i = 1 ; i < n ; i ++ ) a [ i ] = a [ i - 1 ] ; }', 'void bad(int n, double *a) { /* racy */ }', { verdict: rejected }, { ageS: 10 });
  await entry('bad-not-chosen', 'void nc ( int n ) { }', 'void nc(int n) { }', { verdict: rejected }, { chosen: false, ageS: 11 });
  await entry('polly', 'void scale ( int n , double * a ) { for ( int i = 0 ; i < n ; i ++ ) a [ i ] *= 2 ; }', 'void scale(int n, double *a) { for (int i = 0; i < n; i++) a[i] *= 2; }', { recipe }, { ageS: 20 });
  await entry('canned', 'void sc ( int n , double * a ) { for ( int i = 0 ; i < n ; i ++ ) a [ i ] = 0 ; }', 'void sc(int n, double *a) {\n#pragma omp parallel for\nfor (int i = 0; i < n; i++) a[i] = 0; }', { proposer: { kind: 'portfolio', members: [model, { kind: 'ollama', model: 'x', scripted: true }] } }, { ageS: 30 });
  const noBlob = await entry('lost', 'void lost ( int n , double * a ) { for ( int i = 0 ; i < n ; i ++ ) a [ i ] = 1 ; }', 'void lost(int n, double *a) { /* blob removed */ }', {}, { ageS: 40 });
  // The blob of 'lost' goes missing; a corrupt manifest and a stray file sit in ac/ too.
  const lostDigest = sha('void lost(int n, double *a) { /* blob removed */ }');
  rmSync(join(root, 'cas', lostDigest.slice(0, 2), lostDigest));
  expect(noBlob).toMatch(/^[0-9a-f]{64}$/);
  const corruptKey = sha('corrupt');
  mkdirSync(join(root, 'ac', corruptKey.slice(0, 2)), { recursive: true });
  writeFileSync(join(root, 'ac', corruptKey.slice(0, 2), corruptKey), 'autopar-ac-v2 0000 12\n{"not":"ok"}');
  writeFileSync(join(root, 'ac', 'README'), 'not a manifest');
});
afterAll(() => rmSync(base, { recursive: true, force: true }));

describe('storeExamples', () => {
  it('returns only accepted, chosen, non-recipe, non-scripted entries, newest first, with features, speedup and plan', async () => {
    const got = await storeExamples(root);
    expect(got.map((e) => e.original)).toEqual([STENCIL, DOT]);
    const [blur, dot] = got as [(typeof got)[0], (typeof got)[0]];
    expect(dot).toMatchObject({ source: 'store', parallel: DOT_PAR, speedup: 3.2 });
    expect(dot.features).toEqual(kernelFeatures(DOT));
    expect(dot.features).toMatchObject({ forLoops: 1, scalarAccumulation: true });
    expect(dot.grammarPlan).toEqual({
      loops: [{ loop: 'L1', action: 'parallel-for', private: [], reduction: [{ op: '+', var: 's' }], collapse: 1, schedule: 'static' }],
      transforms: [],
    });
    expect(dot.note).toMatch(/compile, differential/);
    expect(dot.note).not.toMatch(/sanitize-race/); // skipped, not passed
    expect(dot.note).toMatch(/3\.20x/);
    expect(blur.grammarPlan).toBeUndefined();
    expect(blur.features).toMatchObject({ maxLoopDepth: 2, multiDimIndexing: true });
    expect(blur.speedup).toBe(1.8);
  });

  it('leaves out the kernel being asked about', async () => {
    expect((await storeExamples(root, { exclude: DOT })).map((e) => e.original)).toEqual([STENCIL]);
  });

  it('reads at most `limit` manifests, newest first', async () => {
    // Newest first: the corrupt file (written last), rejected, not chosen, recipe, scripted,
    // missing blob, blur (age 50), dot (age 100).
    expect(await storeExamples(root, { limit: 6 })).toEqual([]);
    expect((await storeExamples(root, { limit: 7 })).map((e) => e.original)).toEqual([STENCIL]);
    expect(await storeExamples(root, { limit: 0 })).toEqual([]);
  });

  it('a missing store gives [] and an empty one too', async () => {
    expect(await storeExamples(join(base, 'nowhere'))).toEqual([]);
    mkdirSync(join(base, 'empty', 'ac'), { recursive: true });
    expect(await storeExamples(join(base, 'empty'))).toEqual([]);
  });

  it('nearestExamples picks the nearer store example for a reduction and for a 2-D loop', async () => {
    const pool = await storeExamples(root);
    const sumsq = kernelFeatures('double ss(int n, const double *v) { double t = 0; for (int i = 0; i < n; i++) t += v[i] * v[i]; return t; }');
    expect(nearestExamples(sumsq, pool, 1)[0]!.original).toBe(DOT);
    const grid = kernelFeatures('void g(int n, int m, double *p, double *q) { for (int i = 0; i < n; i++) for (int j = 0; j < m; j++) q[i*m+j] = 2 * p[i*m+j]; }');
    expect(nearestExamples(grid, pool, 1)[0]!.original).toBe(STENCIL);
  });
});

describe('grammarPlanOf', () => {
  it('converts a plan to the grammar form: every field present, reductions one variable each', () => {
    expect(
      grammarPlanOf({
        version: 1,
        kernel: 'k',
        loops: [
          { loop: 'L1', action: 'parallel-for', private: ['j', 't'], collapse: 2, reduction: [{ op: '+', vars: ['a', 'b'] }, { op: 'max', vars: ['m'] }] },
          { loop: 'L2', action: 'none' },
        ],
        transforms: [{ kind: 'restrict-params' }, { kind: 'tile', loop: 'L1.1', size: 32 }],
      }),
    ).toEqual({
      loops: [
        { loop: 'L1', action: 'parallel-for', private: ['j', 't'], reduction: [{ op: '+', var: 'a' }, { op: '+', var: 'b' }, { op: 'max', var: 'm' }], collapse: 2, schedule: 'default' },
        { loop: 'L2', action: 'none', private: [], reduction: [], collapse: 1, schedule: 'default' },
      ],
      transforms: [{ kind: 'restrict-params' }, { kind: 'tile', loop: 'L1.1', size: 32 }],
    });
    expect(grammarPlanOf({ version: 1, kernel: 'k', loops: [] })).toEqual({ loops: [], transforms: [] });
  });

  it('is undefined for what is not a plan or what the grammar form cannot say', () => {
    for (const bad of [
      undefined,
      null,
      'plan',
      [],
      { loops: 'L1' },
      { loops: [{ loop: 'L1', action: 'unroll' }] },
      { loops: [{ loop: 'L1', action: 'parallel-for', lastprivate: ['x'] }] },
      { loops: [{ loop: 'L1', action: 'parallel-for', atomic: ['h'] }] },
      { loops: [{ loop: 'L1', action: 'parallel-for', select: { op: 'max', value: 'v', index: 'k' } }] },
      { loops: [{ loop: 'L1', action: 'parallel-for', schedule: { kind: 'dynamic', chunk: 8 } }] },
      { loops: [{ loop: 'L1:point', action: 'simd' }] },
      { loops: [{ loop: 'L1', action: 'simd' }], transforms: [{ kind: 'tile', loop: 'L1', size: 48 }] },
      { loops: [{ loop: 'L1', action: 'simd', reduction: [{ op: '+', var: 's' }] }] },
    ]) {
      expect(grammarPlanOf(bad), JSON.stringify(bad)).toBeUndefined();
    }
  });
});
