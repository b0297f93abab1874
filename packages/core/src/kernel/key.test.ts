import { describe, expect, it } from 'vitest';
import type { KernelSpec } from '../spec/types.js';
import type { ToolchainFingerprint } from '../toolchain/fingerprint.js';
import { extractKernels } from './extract.js';
import { KEY_SCHEMA, canonicalJson, computeKey, describeKeyFields, kernelKeyPart, proposerKeyPart, type KeyInputs } from './key.js';

const BASE = `#include <math.h>
#define SQUARE(v) ((v) * (v))
typedef double real;
static real bias = 0.5;

/* scales one value */
static real scale(real v) { return SQUARE(v) + bias; }
static real unused_helper(real v) { return v * 3; }

void kernel(int n, const real *a, real *out) {
  // main loop
  for (int i = 0; i < n; i++) {
    out[i] = scale(a[i]) + 1.0;
  }
}
`;

const SPEC: KernelSpec = {
  name: 'kernel',
  source: 'kernel.c',
  sizes: { test: [{ n: 1 }, { n: 17 }], bench: { n: 1 << 20 } },
  args: [],
};

const TOOLCHAIN: ToolchainFingerprint = {
  cc: 'gcc',
  family: 'gcc',
  path: '/usr/bin/gcc',
  files: [{ role: 'driver', path: '/usr/bin/gcc', sha256: 'ab'.repeat(32) }],
  version: 'gcc 12.2.0',
  machine: 'x86_64-linux-gnu',
  cflags: ['-O2'],
  ldflags: [],
  openmp: '201511',
};

function keyOf(source: string): string {
  const [unit] = extractKernels(source, 'kernel.c', ['kernel']);
  const inputs: KeyInputs = {
    schema: KEY_SCHEMA,
    kernel: kernelKeyPart(unit!),
    spec: SPEC,
    target: { cflags: ['-O2', '-fopenmp'], ldflags: ['-fopenmp'], kind: 'cpu' },
    toolchain: TOOLCHAIN,
    proposer: proposerKeyPart({ kind: 'analyzer', version: '1', host: 'ignored', model: undefined }),
    verifyPolicy: {
      version: 1,
      threadCounts: [1, 2, 3],
      benchPairs: 5,
      warmupRuns: 1,
      sanitizers: { memory: true, race: false },
      timeouts: { compileMs: 60_000, testMs: 30_000, benchFactor: 4 },
    },
    autoparVersion: '0.1.0',
  };
  return computeKey(inputs).key;
}

const baseKey = keyOf(BASE);

describe('computeKey over extracted kernels', () => {
  it('is a sha256 hex string', () => {
    expect(baseKey).toMatch(/^[0-9a-f]{64}$/);
  });

  it('keeps the key on a comment-only edit', () => {
    expect(keyOf(BASE.replace('// main loop', '// the main loop, commented differently').replace('/* scales one value */', ''))).toBe(baseKey);
  });

  it('keeps the key on whitespace and reformatting', () => {
    const reformatted = BASE.replace(
      /void kernel[\s\S]*$/,
      'void kernel(int n,\n            const real *a,\n            real *out)\n{\n\tfor (int i=0;i<n;i++) {out[i]=scale(a[i])+1.0;}\n}\n',
    );
    expect(keyOf(reformatted)).toBe(baseKey);
  });

  it('changes the key when an operator changes', () => {
    expect(keyOf(BASE.replace('scale(a[i]) + 1.0', 'scale(a[i]) - 1.0'))).not.toBe(baseKey);
  });

  it('changes the key when a static helper the kernel calls changes', () => {
    expect(keyOf(BASE.replace('SQUARE(v) + bias', 'SQUARE(v) * bias'))).not.toBe(baseKey);
  });

  it('keeps the key when a helper the kernel does not call changes', () => {
    expect(keyOf(BASE.replace('return v * 3;', 'return v * 4;'))).toBe(baseKey);
  });

  it('changes the key when a macro it uses (through its helper) changes', () => {
    expect(keyOf(BASE.replace('((v) * (v))', '((v) + (v))'))).not.toBe(baseKey);
  });

  it('changes the key when a typedef in its signature changes', () => {
    expect(keyOf(BASE.replace('typedef double real;', 'typedef float real;'))).not.toBe(baseKey);
  });

  it('changes the key when a global it reads gets another initializer', () => {
    expect(keyOf(BASE.replace('bias = 0.5;', 'bias = 0.25;'))).not.toBe(baseKey);
  });

  it('drops the proposer host and absent fields from the key', () => {
    expect(proposerKeyPart({ kind: 'ollama', model: 'qwen2.5:1.5b', host: 'http://a:11434', options: undefined })).toEqual({
      kind: 'ollama',
      model: 'qwen2.5:1.5b',
    });
  });

  it('documents every key field', () => {
    const text = describeKeyFields();
    for (const field of ['schema', 'kernel', 'spec', 'target', 'toolchain', 'proposer', 'verifyPolicy', 'autoparVersion']) {
      expect(text).toMatch(new RegExp(`^${field}: `, 'm'));
    }
  });
});

describe('canonicalJson', () => {
  it('does not depend on key order, at any depth', () => {
    const a = { b: 1, a: { y: [1, { q: true, p: null }], x: 'x' } };
    const b = { a: { x: 'x', y: [1, { p: null, q: true }] }, b: 1 };
    expect(canonicalJson(a)).toBe(canonicalJson(b));
    expect(canonicalJson(a)).toBe('{"a":{"x":"x","y":[1,{"p":null,"q":true}]},"b":1}');
  });

  it('prints numbers stably (-0 as 0, shortest round-trip form)', () => {
    expect(canonicalJson([-0, 0.1 + 0.2, 1e21, 5])).toBe('[0,0.30000000000000004,1e+21,5]');
  });

  it('rejects undefined, functions, NaN, non-plain objects and cycles loudly, naming the path', () => {
    expect(() => canonicalJson({ a: { b: undefined } })).toThrow('$.a.b is undefined');
    expect(() => canonicalJson({ f: () => 1 })).toThrow('$.f is function');
    expect(() => canonicalJson({ n: [NaN] })).toThrow('$.n[0] is NaN');
    expect(() => canonicalJson({ d: new Date(0) })).toThrow('$.d is a Date');
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => canonicalJson(cyclic)).toThrow('refers back to itself');
  });
});

describe('canonicalJson lean and careful paths agree', () => {
  it('gives the sorted, whitespace-free JSON for nested values, -0, unicode and empty members', () => {
    const v = { b: [1, -0, 2.5e-7, 'x"y'], a: { 'é': true, '': null, z: [] }, c: {} };
    expect(canonicalJson(v)).toBe('{"a":{"":null,"z":[],"é":true},"b":[1,0,2.5e-7,"x\\"y"],"c":{}}');
  });

  it('still names the place of a value JSON cannot hold, deep inside', () => {
    expect(() => canonicalJson({ a: [{ b: Number.NaN }] })).toThrow(/\$\.a\[0\]\.b is NaN/);
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = { back: cyclic };
    expect(() => canonicalJson(cyclic)).toThrow(/refers back to itself/);
  });
});
