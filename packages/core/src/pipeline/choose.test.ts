import { describe, it, expect } from 'vitest';
import { chooseVariant } from './choose.js';
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
    expect(c.reason).toBe('no candidate was verified faster than the 1.05x threshold in every pair (fastest: b at 0.95x, pairs 0.95–0.95x)');
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
  it('keeps the original when the best median wins but some pair ran slower than the original', () => {
    const noisy = cand('noisy', true, 1.3);
    noisy.verdict.speedup!.spread = [0.8, 1.9];
    expect(chooseVariant([noisy], 1.05).chosen).toBeNull();
    const steady = cand('steady', true, 1.1);
    steady.verdict.speedup!.spread = [1.02, 1.2];
    expect(chooseVariant([noisy, steady], 1.05).chosen?.label).toBe('steady');
  });
});
