import { describe, it, expect } from 'vitest';
import { chooseVariant, manifestSpeedFields, settleSpeed, verificationOrder } from './choose.js';
import { samplePairs, speedupStats, type PairSample } from '../verify/benchmark-stats.js';
import type { CandidateRecord } from '../store/types.js';

function cand(label: string, accepted: boolean, median?: number): CandidateRecord {
  return {
    label,
    proposer: { kind: 'test' },
    sourceDigest: label,
    verdict: {
      accepted,
      stage: accepted ? 'benchmark' : 'differential',
      reason: accepted ? 'ok' : 'mismatch',
      stages: [],
      speedup:
        median === undefined
          ? undefined
          : { median, spread: [median, median], pairs: 5, originalMedianMs: 1, candidateMedianMs: 1 / median },
    },
  };
}

describe('chooseVariant', () => {
  it('keeps the original when nothing was proposed', () => {
    expect(chooseVariant([], 1.05).chosen).toBeNull();
  });
  it('never picks a rejected candidate, however fast', () => {
    const c = chooseVariant([cand('fast-wrong', false, 9), cand('slow-right', true, 1.2)], 1.05);
    expect(c.chosen?.label).toBe('slow-right');
  });
  it('names the fastest candidate when none was verified fast enough', () => {
    const c = chooseVariant([cand('a', false, 0.7), cand('b', false, 0.95), cand('c', false)], 1.05);
    expect(c.chosen).toBeNull();
    expect(c.reason).toBe('no candidate was verified faster than the 1.05x threshold (fastest: b at 0.95x, pairs 0.95–0.95x)');
    expect(c.pending).toBe(false);
  });
  it('picks the fastest verified', () => {
    const c = chooseVariant([cand('a', true, 1.3), cand('b', true, 1.9), cand('c', true, 1.1)], 1.05);
    expect(c.chosen?.label).toBe('b');
  });
  it('keeps the original when the best is under the threshold', () => {
    const c = chooseVariant([cand('a', true, 1.02)], 1.05);
    expect(c.chosen).toBeNull();
    expect(c.reason).toContain('1.05x threshold');
    expect(c.reason).toContain('fastest: a at 1.02x');
  });
  it('keeps the original for now when the best interval straddles the threshold: pending, not final', () => {
    const noisy = cand('noisy', true, 1.3);
    noisy.verdict.speedup!.ci = { level: 0.95, low: 0.8, high: 1.9 };
    const c = chooseVariant([noisy], 1.05);
    expect(c.chosen).toBeNull();
    expect(c.pending).toBe(true);
    expect(c.reason).toBe('speed inconclusive: noisy verified at 1.30x, interval 0.80–1.90x, against the 1.05x threshold; original kept for now, re-measured on the next build');
  });
  it('links a candidate whose interval clears the threshold over a faster-median one that does not', () => {
    const noisy = cand('noisy', true, 1.3);
    noisy.verdict.speedup!.ci = { level: 0.95, low: 0.8, high: 1.9 };
    const steady = cand('steady', true, 1.1);
    steady.verdict.speedup!.ci = { level: 0.95, low: 1.06, high: 1.2 };
    const c = chooseVariant([noisy, steady], 1.05);
    expect(c.chosen?.label).toBe('steady');
    expect(c.pending).toBe(false);
  });
  it('a conclusively slower candidate is final: not pending', () => {
    const slow = cand('slow', true, 0.9);
    slow.verdict.speedup!.ci = { level: 0.95, low: 0.85, high: 0.97 };
    expect(chooseVariant([slow], 1.05)).toMatchObject({ chosen: null, pending: false });
  });
  it('a screening verdict (not accepted) is never linked, however fast', () => {
    const screened = cand('screened', false, 3);
    screened.verdict.kind = 'screening';
    expect(chooseVariant([screened], 1.05)).toMatchObject({ chosen: null, pending: false });
  });
  it('slower on a busy machine is not final: inconclusive, pending (also for a screened-only candidate)', () => {
    const busy = { othersRunnable: 2, cores: 2, busy: true };
    const v = cand('v', true, 0.3);
    v.verdict.speedup!.ci = { level: 0.95, low: 0.2, high: 0.4 };
    expect(chooseVariant([v], 1.05)).toMatchObject({ chosen: null, pending: false });
    v.verdict.speedup!.load = busy;
    const c = chooseVariant([v], 1.05);
    expect(c).toMatchObject({ chosen: null, pending: true, pendingBusy: true });
    expect(c.reason).toMatch(/on a busy machine/);
    expect(manifestSpeedFields(c)).toEqual({ speedDecision: 'pending', speedMeasurements: 1, quietSpeedMeasurements: 0 });
    const s = cand('s', false, 0.3);
    s.verdict.kind = 'screening';
    s.verdict.speedup!.load = busy;
    expect(chooseVariant([s], 1.05)).toMatchObject({ chosen: null, pending: true });
    // Faster on a busy machine is faster.
    const f = cand('f', true, 1.5);
    f.verdict.speedup!.load = busy;
    expect(chooseVariant([f], 1.05).chosen?.label).toBe('f');
  });
});

describe('speed decisions from synthetic timing series, as a build stores them', () => {
  /** A verified candidate whose benchmark saw this series (a = original ms, b = candidate ms). */
  async function measured(label: string, series: PairSample[]): Promise<CandidateRecord> {
    let i = 0;
    const r = await samplePairs(async () => series[i++] ?? { failed: true }, { minPairs: 5, maxPairs: series.length, budgetMs: Infinity, targetWidth: 0, threshold: 1.05 });
    const c = cand(label, true);
    c.verdict.speedup = speedupStats(r.samples, r.stoppedBecause);
    return c;
  }
  const quietFast = Array.from({ length: 30 }, (_, i) => ({ a: 10 + (i % 3) * 0.05, b: 5 + (i % 2) * 0.05 }));
  const quietSlow = Array.from({ length: 30 }, (_, i) => ({ a: 10 + (i % 3) * 0.05, b: 12 + (i % 2) * 0.05 }));
  // Loaded: pair ratios spread evenly over 0.8–1.3x in shuffled order (median at the threshold).
  const noisyEven = Array.from({ length: 30 }, (_, i) => ({ a: 10, b: 10 / (0.8 + (0.5 * ((i * 7) % 30)) / 29) }));

  it('quiet and faster → linked, final', async () => {
    const c = chooseVariant([await measured('fast', quietFast)], 1.05);
    expect(c.chosen?.label).toBe('fast');
    expect(manifestSpeedFields(c)).toEqual({ speedDecision: 'final' });
  });
  it('quiet and slower → original, final', async () => {
    const c = chooseVariant([await measured('slow', quietSlow)], 1.05);
    expect(c).toMatchObject({ chosen: null, pending: false });
    expect(manifestSpeedFields(c)).toEqual({ speedDecision: 'final' });
  });
  it('noisy around the threshold → original for now, stored as pending (not final)', async () => {
    const c = chooseVariant([await measured('noisy', noisyEven)], 1.05);
    expect(c).toMatchObject({ chosen: null, pending: true });
    expect(manifestSpeedFields(c)).toEqual({ speedDecision: 'pending', speedMeasurements: 1, quietSpeedMeasurements: 1 });
  });
});

describe('settling an inconclusive speed', () => {
  const pending = (busy: boolean) => ({ chosen: null, reason: 'speed inconclusive', pending: true, pendingBusy: busy });
  const decided = { chosen: null, reason: 'slower', pending: false };

  it('a busy first measurement is stored with no quiet measurement', () => {
    expect(manifestSpeedFields(pending(true))).toEqual({ speedDecision: 'pending', speedMeasurements: 1, quietSpeedMeasurements: 0 });
  });

  it('busy re-measurements keep the decision open; quiet ones settle it after 3', () => {
    let m = manifestSpeedFields(pending(true));
    for (let i = 0; i < 5; i++) {
      const s = settleSpeed(m, pending(true));
      expect(s.pending).toBe(true);
      m = s;
    }
    expect(m).toMatchObject({ speedMeasurements: 6, quietSpeedMeasurements: 0 });
    const q1 = settleSpeed(m, pending(false));
    expect(q1).toMatchObject({ pending: true, quietSpeedMeasurements: 1 });
    const q2 = settleSpeed({ speedMeasurements: 2, quietSpeedMeasurements: 2 }, pending(false));
    expect(q2).toMatchObject({ pending: false, quietSpeedMeasurements: 3 });
    expect(q2.why).toMatch(/after 3 measurements on a quiet machine/);
  });

  it('an always-busy machine settles after 8 measurements of any kind', () => {
    const s = settleSpeed({ speedMeasurements: 7, quietSpeedMeasurements: 0 }, pending(true));
    expect(s).toMatchObject({ pending: false, speedMeasurements: 8 });
    expect(s.why).toMatch(/after 8 measurements \(8 on a busy machine\)/);
  });

  it('a decision ends the measurements whatever the counts', () => {
    expect(settleSpeed({ speedMeasurements: 1, quietSpeedMeasurements: 0 }, decided)).toMatchObject({ pending: false });
    expect(settleSpeed({ speedMeasurements: 1, quietSpeedMeasurements: 0 }, decided).why).toBeUndefined();
  });

  it('records from before quiet counting treat earlier measurements as quiet', () => {
    expect(settleSpeed({ speedMeasurements: 2 }, pending(false))).toMatchObject({ pending: false, quietSpeedMeasurements: 3 });
  });
});

describe('verificationOrder', () => {
  const screened = (label: string, median: number, low: number, high: number, recipeName?: string) => ({
    label,
    ...(recipeName ? { recipeName } : {}),
    speedup: { median, spread: [low, high] as [number, number], pairs: 5, originalMedianMs: 1, candidateMedianMs: 1 / median, ci: { level: 0.94, low, high } },
  });
  it('ranks by screening median', () => {
    const order = verificationOrder([screened('analyzer:outer', 2, 1.9, 2.1), screened('analyzer:simd', 3, 2.8, 3.2), screened('recipe:clang-O3', 1.2, 1.1, 1.3, 'clang-O3')]);
    expect(order.map((s) => s.label)).toEqual(['analyzer:simd', 'analyzer:outer', 'recipe:clang-O3']);
  });
  it('puts an aligned twin before its base when screening cannot tell them apart, ahead of what ranked between them', () => {
    const order = verificationOrder([
      screened('analyzer:accumulate', 8.6, 7.0, 9.5),
      screened('analyzer:outer', 8.0, 7.5, 8.4),
      screened('analyzer:accumulate+aligned-loops', 7.9, 6.5, 8.8, 'aligned-loops'),
      screened('analyzer:outer+aligned-loops', 6.0, 5.8, 6.2, 'aligned-loops'),
    ]);
    // outer's twin is measurably slower than outer (6.2 < 7.5): it keeps its place.
    expect(order.map((s) => s.label)).toEqual(['analyzer:accumulate+aligned-loops', 'analyzer:accumulate', 'analyzer:outer', 'analyzer:outer+aligned-loops']);
  });
  it('a twin already ahead, or a label that only looks like a twin, is left where it is', () => {
    const order = verificationOrder([
      screened('analyzer:hoist', 2.0, 1.8, 2.2),
      screened('analyzer:hoist+aligned-loops', 2.4, 2.2, 2.6, 'aligned-loops'),
      screened('model#1+aligned-loops', 1.5, 1.0, 3.0),
      screened('model#1', 1.9, 1.6, 2.1),
    ]);
    expect(order.map((s) => s.label)).toEqual(['analyzer:hoist+aligned-loops', 'analyzer:hoist', 'model#1', 'model#1+aligned-loops']);
  });
});
