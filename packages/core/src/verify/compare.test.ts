import { describe, it, expect } from 'vitest';
import type { ElemType, KernelSpec } from '../spec/types.js';
import { compareOutputs, mustBeDeterministic, ulpDistance } from './compare.js';
import { elemSize } from './elem-types.js';
import type { OutputRecord } from './output-file.js';

function record(name: string, type: ElemType, values: number[]): OutputRecord {
  const size = elemSize(type);
  const bytes = Buffer.alloc(values.length * size);
  values.forEach((v, i) => {
    if (type === 'double') bytes.writeDoubleLE(v, i * size);
    else if (type === 'float') bytes.writeFloatLE(v, i * size);
    else if (type === 'int') bytes.writeInt32LE(v, i * size);
    else throw new Error(type);
  });
  return { name, type, elemSize: size, count: values.length, bytes };
}

const spec = (extra: Partial<KernelSpec> = {}): KernelSpec => ({
  name: 'k',
  source: 'k.c',
  sizes: { test: [{ n: 13 }], bench: { n: 100 } },
  args: [
    { name: 'n', kind: 'scalar', type: 'int', value: 'n' },
    { name: 'C', kind: 'output', type: 'double', length: 'n' },
    { name: 'idx', kind: 'output', type: 'int', length: 'n' },
  ],
  ...extra,
});
const ctx = { size: { n: 13 }, seed: 2, threads: 3 };

describe('compareOutputs', () => {
  it('reports the first mismatch with buffer, index, values and context', () => {
    const exp = [record('C', 'double', [0, 1, 1.25, 3])];
    const act = [record('C', 'double', [0, 1, 1.5, 3])];
    const r = compareOutputs(exp, act, spec(), ctx);
    expect(r.ok).toBe(false);
    expect(r.message).toBe('buffer C[2]: expected 1.25 got 1.5 (size n=13, seed 2, threads 3)');
  });

  it('counts further mismatches', () => {
    const r = compareOutputs([record('C', 'double', [1, 2, 3])], [record('C', 'double', [9, 2, 9])], spec(), ctx);
    expect(r.message).toMatch(/; 2 of 3 elements of C differ \(first at 0, 2\)$/);
  });

  it('passes values within the relative tolerance and fails outside it', () => {
    const s = spec({ tolerance: { rel: 1e-6 } });
    expect(compareOutputs([record('C', 'double', [1])], [record('C', 'double', [1 + 1e-7])], s, ctx).ok).toBe(true);
    expect(compareOutputs([record('C', 'double', [1])], [record('C', 'double', [1 + 1e-5])], s, ctx).ok).toBe(false);
  });

  it('uses ulp distance for floats', () => {
    const s = spec({ tolerance: { ulp: 1 } });
    const next = 1 + 2 ** -52;
    expect(compareOutputs([record('C', 'double', [1])], [record('C', 'double', [next])], s, ctx).ok).toBe(true);
    expect(compareOutputs([record('C', 'double', [1])], [record('C', 'double', [next + 2 ** -52])], s, ctx).ok).toBe(false);
    expect(ulpDistance(-0, 0, false)).toBe(0);
    expect(ulpDistance(-Number.MIN_VALUE, Number.MIN_VALUE, false)).toBe(2);
  });

  it('treats NaN as equal only to NaN at the same position', () => {
    expect(compareOutputs([record('C', 'double', [NaN, 1])], [record('C', 'double', [NaN, 1])], spec(), ctx).ok).toBe(true);
    const r = compareOutputs([record('C', 'double', [NaN, 1])], [record('C', 'double', [1, NaN])], spec(), ctx);
    expect(r.message).toMatch(/^buffer C\[0\]: expected NaN got 1 /);
  });

  it('compares integers exactly unless the buffer gives a bound', () => {
    const loose = spec({ tolerance: { abs: 5 } }); // kernel-level tolerance is for floating outputs only
    expect(compareOutputs([record('idx', 'int', [1, 2])], [record('idx', 'int', [1, 3])], loose, ctx).message).toMatch(/^buffer idx\[1\]: expected 2 got 3/);
    const own = spec();
    (own.args[2] as { tolerance?: object }).tolerance = { abs: 1 };
    expect(compareOutputs([record('idx', 'int', [1, 2])], [record('idx', 'int', [1, 3])], own, ctx).ok).toBe(true);
  });

  it('compares a return value with the returns tolerance', () => {
    const s = spec({ returns: { type: 'double', tolerance: { rel: 1e-3 } } });
    expect(compareOutputs([record('return', 'double', [100])], [record('return', 'double', [100.05])], s, ctx).ok).toBe(true);
    expect(compareOutputs([record('return', 'double', [100])], [record('return', 'double', [101])], s, ctx).message).toBe(
      'return value: expected 100 got 101 (size n=13, seed 2, threads 3)',
    );
  });

  it('accepts a reordered sum within the reduction bound 2·γ(N)·S and rejects a dropped term', () => {
    const s = spec({ tolerance: { ulp: 0 } });
    (s.args[1] as { reduction?: object }).reduction = { terms: 'n', magnitude: 1 };
    // n = 13 terms of |t| <= 1: bound 2 * (13u / (1 - 13u)) * 13 ≈ 3.8e-14
    expect(compareOutputs([record('C', 'double', [2])], [record('C', 'double', [2 + 3e-14])], s, ctx).ok).toBe(true);
    expect(compareOutputs([record('C', 'double', [2])], [record('C', 'double', [2 + 1e-12])], s, ctx).ok).toBe(false);
  });

  it('scales the reduction bound with the size and, without magnitude, with the values', () => {
    const s = spec({ tolerance: { ulp: 0 } });
    (s.args[1] as { reduction?: object }).reduction = { terms: 'n*1000' };
    const big = { ...ctx, size: { n: 1000 } };
    expect(compareOutputs([record('C', 'double', [100])], [record('C', 'double', [100 + 1e-8])], s, big).ok).toBe(true);
    expect(compareOutputs([record('C', 'double', [100])], [record('C', 'double', [100 + 1e-8])], s, ctx).ok).toBe(false);
  });

  it('requires determinism of integer outputs by default, of floating ones only when the spec says so', () => {
    expect(mustBeDeterministic(spec(), 'idx', 'int')).toBe(true);
    expect(mustBeDeterministic(spec(), 'C', 'double')).toBe(false);
    expect(mustBeDeterministic(spec({ deterministic: true }), 'C', 'double')).toBe(true);
  });

  it('reports a buffer of the wrong length', () => {
    const r = compareOutputs([record('C', 'double', [1, 2])], [record('C', 'double', [1])], spec(), ctx);
    expect(r.message).toMatch(/^buffer C: candidate wrote 1 double elements, the original 2 double/);
  });
});
