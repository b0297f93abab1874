import { describe, it, expect } from 'vitest';
import type { KernelSpec } from '../spec/types.js';
import { REACH_SIZES, SPECIAL_VALUES_SEED, deriveEdgeSizes, deriveReachSizes, differentialSeeds, withEdgeSizes } from './edge-sizes.js';

const spec = (sizes: Partial<KernelSpec['sizes']> & { test: KernelSpec['sizes']['test'] }, extra: Partial<KernelSpec> = {}): KernelSpec => ({
  name: 'k',
  source: 'k.c',
  sizes: { bench: Object.fromEntries(Object.keys(sizes.test[0]!).map((n) => [n, 1000])), ...sizes },
  args: [{ name: 'x', kind: 'input', type: 'double', length: 'n', init: { gen: 'zero' } }],
  ...extra,
});

describe('deriveEdgeSizes', () => {
  it('adds 1, 2, chunk tails and small primes within the range of the test sizes, none twice', () => {
    const d = deriveEdgeSizes(spec({ test: [{ n: 1 }, { n: 7 }, { n: 1031 }] }), 20).map((b) => b.n);
    expect(d.sort((a, b) => a! - b!)).toEqual([2, 3, 5, 17, 33, 65, 129]);
  });

  it('never goes above the largest test value of a size (a logn testing 0..6 never gets 17)', () => {
    const d = deriveEdgeSizes(spec({ test: [{ logn: 0 }, { logn: 3 }, { logn: 6 }] }), 20).map((b) => b.logn);
    expect(Math.max(...d.map(Number))).toBeLessThanOrEqual(6);
    expect(d).toContain(5);
  });

  it('respects declared limits: min, max and multipleOf', () => {
    const d = deriveEdgeSizes(spec({ test: [{ n: 8 }, { n: 256 }], limits: { n: { min: 4, max: 100, multipleOf: 4 } } }), 20).map((b) => b.n!);
    expect(d.length).toBeGreaterThan(0);
    for (const v of d) {
      expect(v % 4).toBe(0);
      expect(v).toBeGreaterThanOrEqual(4);
      expect(v).toBeLessThanOrEqual(100);
    }
  });

  it('derives nothing with edgeSizes: false or a policy cap of 0', () => {
    expect(deriveEdgeSizes(spec({ test: [{ n: 1 }, { n: 100 }], edgeSizes: false }), 8)).toEqual([]);
    expect(deriveEdgeSizes(spec({ test: [{ n: 1 }, { n: 100 }] }), 0)).toEqual([]);
  });

  it('adds 0 for each size name only when allowed (allowZero, or a test binding with 0)', () => {
    const two = (allowZero?: boolean) => deriveEdgeSizes(spec({ test: [{ n: 1, m: 1 }, { n: 40, m: 40 }], allowZero }), 20);
    expect(two().some((b) => b.n === 0 || b.m === 0)).toBe(false);
    expect(two(true)).toEqual(expect.arrayContaining([{ n: 0, m: 1 }, { n: 1, m: 0 }]));
  });

  it('keeps a relation that holds in every test binding (k <= h) and never costs more than the largest test', () => {
    const d = deriveEdgeSizes(spec({ test: [{ h: 3, k: 1 }, { h: 40, k: 5 }] }), 20);
    for (const b of d) expect(b.k!).toBeLessThanOrEqual(b.h!);
    for (const b of d) expect((b.h! + 1) * (b.k! + 1)).toBeLessThanOrEqual(41 * 6);
  });

  it('appends derived sizes after the spec\'s own, keeping their indices', () => {
    const s = spec({ test: [{ n: 1 }, { n: 500 }] });
    const w = withEdgeSizes(s, 3);
    expect(w.sizes.test.slice(0, 2)).toEqual(s.sizes.test);
    expect(w.sizes.test).toHaveLength(2 + 3 + REACH_SIZES);
  });

  it('reaches towards the bench size with odd sizes (no tile multiple) beyond the largest test size', () => {
    const s = spec({ test: [{ n: 1 }, { n: 64 }, { n: 97 }], bench: { n: 448 } });
    const r = deriveReachSizes(s);
    expect(r).toEqual([{ n: 143 }, { n: 209 }]);
    for (const b of r) {
      expect(b.n! % 2).toBe(1);
      expect(b.n!).toBeGreaterThan(128); // a tail dropped from n >= 128 on is caught before the bench size
      expect(b.n!).toBeLessThan(448);
    }
    // names not larger at the bench size take the bench's value; limits still bind
    expect(deriveReachSizes(spec({ test: [{ n: 10, k: 7 }], bench: { n: 1000, k: 5 } }))).toEqual([{ n: 33, k: 5 }, { n: 101, k: 5 }]);
    expect(deriveReachSizes(spec({ test: [{ n: 8 }], bench: { n: 1024 }, limits: { n: { multipleOf: 8 } } })).every((b) => b.n! % 8 === 0)).toBe(true);
    expect(deriveReachSizes(spec({ test: [{ n: 8 }], bench: { n: 1024 }, edgeSizes: false }))).toEqual([]);
  });
});

describe('differentialSeeds', () => {
  it("gives the spec's seeds first, then derived ones up to the count", () => {
    const seeds = differentialSeeds(spec({ test: [{ n: 1 }] }, { seeds: [4, 9] }), 3);
    expect(seeds.slice(0, 2)).toEqual([4, 9]);
    expect(seeds).toHaveLength(3);
    expect(new Set(seeds).size).toBe(3);
    expect(differentialSeeds(spec({ test: [{ n: 1 }] }, { seeds: [4, 9] }), 3)).toEqual(seeds); // deterministic
  });

  it('adds the NaN/Inf seed when an input asks for special values', () => {
    const s = spec({ test: [{ n: 1 }] }, { args: [{ name: 'x', kind: 'input', type: 'double', length: 'n', init: { gen: 'zero' }, specialValues: true }] });
    expect(differentialSeeds(s, 3)).toEqual([1, 2, expect.any(Number), SPECIAL_VALUES_SEED]);
  });
});
