// The benchmark's decision on synthetic timing series: no process is timed, so nothing
// here depends on how busy the machine is. Noise comes from a seeded generator.
import { describe, expect, it } from 'vitest';
import { decideSpeed, machineLoad, medianInterval, samplePairs, speedDecisionOf, speedupStats, type PairSample } from './benchmark-stats.js';

/** Deterministic uniform [0, 1) (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A machine: the original takes 10 ms a call, the contender 10 / speedup; each run is
 * slowed by load: `noise` = relative jitter, and with probability `burst` another process
 * takes a core for that run (time × 1.5–3), hitting either side.
 */
function machine(speedup: number, noise: number, burst: number, seed: number) {
  const r = rng(seed);
  const run = (ms: number) => {
    let t = ms * (1 + noise * r());
    if (r() < burst) t *= 1.5 + 1.5 * r();
    return t;
  };
  return async (): Promise<PairSample> => ({ a: run(10), b: run(10 / speedup) });
}

const opts = { minPairs: 5, maxPairs: 30, budgetMs: Infinity, targetWidth: 0.02, threshold: 1.05 };

async function decide(speedup: number, noise: number, burst: number, seed: number) {
  const r = await samplePairs(machine(speedup, noise, burst, seed), opts);
  const s = speedupStats(r.samples, r.stoppedBecause);
  return { decision: decideSpeed(s.ci!, opts.threshold), pairs: s.pairs, s, stoppedBecause: r.stoppedBecause };
}

describe('medianInterval', () => {
  it('is [min, max] for 5 samples (93.75% coverage) and narrows with more', () => {
    expect(medianInterval([5, 1, 4, 2, 3])).toEqual({ low: 1, high: 5, level: 0.9375 });
    const xs = Array.from({ length: 30 }, (_, i) => i + 1);
    const ci = medianInterval(xs);
    // n = 30 at 95%: ranks 10 and 21 (P(B ≤ 9) = 0.0214).
    expect([ci.low, ci.high]).toEqual([10, 21]);
    expect(ci.level).toBeGreaterThanOrEqual(0.95);
  });
  it('ignores how far an outlier is (a busy spell does not widen it)', () => {
    const calm = medianInterval([1, 1.1, 1.2, 1.3, 1.4, 1.5, 1.6, 1.7, 1.8, 1.9]);
    const spike = medianInterval([0.01, 1.1, 1.2, 1.3, 1.4, 1.5, 1.6, 1.7, 1.8, 50]);
    expect(spike.low).toBe(calm.low);
    expect(spike.high).toBe(calm.high);
  });
});

describe('benchmark decision on synthetic series', () => {
  it('quiet and faster → faster (link), deciding after the first pairs', async () => {
    const r = await decide(1.8, 0.02, 0, 1);
    expect(r.decision).toBe('faster');
    expect(r.pairs).toBe(5);
    expect(r.stoppedBecause).toMatch(/^decided after 5 pairs/);
  });
  it('quiet and slower → slower (original kept, final)', async () => {
    expect((await decide(0.7, 0.02, 0, 2)).decision).toBe('slower');
  });
  it('quiet and just below the threshold → slower once the interval is narrow', async () => {
    expect((await decide(1.0, 0.01, 0, 3)).decision).toBe('slower');
  });
  it('busy, truly 1.8x faster → still faster: more pairs, the interval ignores the bursts', async () => {
    const r = await decide(1.8, 0.1, 0.3, 4);
    expect(r.decision).toBe('faster');
    expect(r.s.noise!.high / r.s.noise!.low).toBeGreaterThan(1.1); // the noise was measured
  });
  it('busy, 1.06x (at the threshold) → inconclusive after the pair limit, never a link', async () => {
    const r = await decide(1.06, 0.3, 0.4, 5);
    expect(r.decision).toBe('inconclusive');
    expect(r.pairs).toBe(30);
    expect(r.stoppedBecause).toBe('pair limit (30) reached');
  });
  it('busy, truly slower → slower or inconclusive, never faster, over many machines', async () => {
    for (let seed = 10; seed < 40; seed++) expect((await decide(0.8, 0.3, 0.4, seed)).decision).not.toBe('faster');
  });
  it('busy, truly faster by 1.5x → never slower, over many machines', async () => {
    for (let seed = 40; seed < 70; seed++) expect((await decide(1.5, 0.3, 0.4, seed)).decision).not.toBe('slower');
  });
  it('stops once the time budget is spent', async () => {
    let t = 0;
    const measure = machine(1.06, 0.3, 0.4, 6);
    const r = await samplePairs(async () => ((t += 1000), measure()), { ...opts, budgetMs: 8000, now: () => t });
    expect(r.samples.length).toBe(8); // 1 s a pair: the budget is spent after the 8th
    expect(r.stoppedBecause).toBe('time budget (8 s) spent after 8 pairs');
  });
  it('a failed run ends sampling and says so', async () => {
    let n = 0;
    const r = await samplePairs(async () => (++n === 3 ? { failed: true as const } : { a: 10, b: 5 }), opts);
    expect(r).toMatchObject({ failed: true, stoppedBecause: 'a run failed' });
    expect(r.samples.length).toBe(2);
  });
});

describe('machine load', () => {
  it('is busy when other runnable threads hold a quarter of the cores (at least one)', () => {
    expect(machineLoad([2, 2, 3, 2], 2)).toEqual({ othersRunnable: 2, cores: 2, busy: true });
    expect(machineLoad([0, 0, 1, 0], 2)).toEqual({ othersRunnable: 0, cores: 2, busy: false });
    expect(machineLoad([3, 4, 3], 64)!.busy).toBe(false);
    expect(machineLoad([])).toBeUndefined();
  });
  it('turns "slower" measured on a busy machine into inconclusive, and leaves "faster" alone', () => {
    const slow = speedupStats(Array.from({ length: 5 }, () => ({ a: 10, b: 40 })), undefined, { othersRunnable: 2, cores: 2, busy: true });
    expect(decideSpeed(slow.ci!, 1.05)).toBe('slower');
    expect(speedDecisionOf(slow, 1.05)).toBe('inconclusive');
    expect(speedDecisionOf({ ...slow, load: { othersRunnable: 0, cores: 2, busy: false } }, 1.05)).toBe('slower');
    const fast = speedupStats(Array.from({ length: 5 }, () => ({ a: 10, b: 4 })), undefined, { othersRunnable: 2, cores: 2, busy: true });
    expect(speedDecisionOf(fast, 1.05)).toBe('faster');
  });
});
