// The sandbox memory cap: parsing, where it comes from (spec, AUTOPAR_MEMORY_LIMIT, default),
// the key, the spec error for a bad value, and a kernel whose bench size needs more than a
// small cap (stopped by the cgroup where cgroups work here).
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_MEMORY_LIMIT_BYTES, MemoryLimitError, kernelMemoryLimit, memoryLimitFromEnv, parseMemoryLimit } from './memory-limit.js';
import { SpecError, validateSpec } from './load.js';
import type { KernelSpec } from './types.js';
import { quickConditionsKeyPart } from '../verify/conditions.js';
import { resolvePolicy, resolveToolchain } from '../verify/policy.js';
import { detectSandbox, runCandidateStep } from '../verify/sandbox.js';
import { prepareOriginal } from '../verify/original-cache.js';

const caps = await detectSandbox();
const hasCgroup = caps.cgroup.ok && process.env.AUTOPAR_CGROUP !== 'off';
const root = mkdtempSync(join(tmpdir(), 'autopar-memory-limit-test-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const G = 1024 ** 3;
const M = 1024 ** 2;

describe('parseMemoryLimit', () => {
  it('reads sizes in powers of 1024 and plain byte counts', () => {
    expect(parseMemoryLimit('4G', 'f')).toBe(4 * G);
    expect(parseMemoryLimit('4GiB', 'f')).toBe(4 * G);
    expect(parseMemoryLimit('512m', 'f')).toBe(512 * M);
    expect(parseMemoryLimit('1.5G', 'f')).toBe(1.5 * G);
    expect(parseMemoryLimit(' 16M ', 'f')).toBe(16 * M);
    expect(parseMemoryLimit(String(64 * M), 'f')).toBe(64 * M);
    expect(parseMemoryLimit(64 * M, 'f')).toBe(64 * M);
  });

  it('rejects what is not a size, and sizes too small to run a step, naming the field', () => {
    expect(() => parseMemoryLimit('4 gigs', 'AUTOPAR_MEMORY_LIMIT')).toThrow(/^AUTOPAR_MEMORY_LIMIT: "4 gigs" is not a memory size; use a size such as "512M"/);
    expect(() => parseMemoryLimit('-1G', 'x')).toThrow(MemoryLimitError);
    expect(() => parseMemoryLimit('1M', 'x')).toThrow(/"1M" is too small for a test step/);
    expect(() => parseMemoryLimit(1000, 'x')).toThrow(/too small/);
  });
});

describe('where the cap comes from', () => {
  it('spec memoryLimit, else AUTOPAR_MEMORY_LIMIT, else 2 GiB', () => {
    expect(DEFAULT_MEMORY_LIMIT_BYTES).toBe(2 * G);
    expect(kernelMemoryLimit({}, {})).toBe(2 * G);
    expect(kernelMemoryLimit({}, { AUTOPAR_MEMORY_LIMIT: '6G' })).toBe(6 * G);
    expect(kernelMemoryLimit({ memoryLimit: '3G' }, { AUTOPAR_MEMORY_LIMIT: '6G' })).toBe(3 * G);
    expect(memoryLimitFromEnv({ AUTOPAR_MEMORY_LIMIT: '' })).toBeUndefined();
    expect(() => memoryLimitFromEnv({ AUTOPAR_MEMORY_LIMIT: 'lots' })).toThrow(/^AUTOPAR_MEMORY_LIMIT: "lots" is not a memory size/);
  });

  it('is part of the key when AUTOPAR_MEMORY_LIMIT sets it, and leaves the key as it was when unset', () => {
    const policy = resolvePolicy(undefined);
    const env = { PATH: process.env.PATH };
    const plain = quickConditionsKeyPart(policy, env);
    expect('memoryLimit' in plain).toBe(false);
    const raised = quickConditionsKeyPart(policy, { ...env, AUTOPAR_MEMORY_LIMIT: '8G' });
    expect(raised.memoryLimit).toBe(8 * G);
    expect(JSON.stringify(raised)).not.toBe(JSON.stringify(plain));
    expect(() => quickConditionsKeyPart(policy, { ...env, AUTOPAR_MEMORY_LIMIT: '8X' })).toThrow(/AUTOPAR_MEMORY_LIMIT: "8X"/);
  });
});

const fill: KernelSpec = {
  name: 'fill',
  source: 'fill.c',
  // 12M doubles = 96 MiB for a, plus 96 MiB for its pristine copy (the harness keeps one).
  sizes: { test: [{ n: 12 * 1024 * 1024 }], bench: { n: 12 * 1024 * 1024 }, edgeSizes: false },
  args: [
    { name: 'n', kind: 'scalar', type: 'long', value: 'n' },
    { name: 'a', kind: 'input', type: 'double', length: 'n', init: { gen: 'const', value: 1 } },
    { name: 'sum', kind: 'output', type: 'double', length: '1' },
  ],
  seeds: [1],
};

describe('spec memoryLimit', () => {
  it('names the field of a bad value and says what to write', () => {
    for (const bad of ['4X', '2K', 0]) {
      try {
        validateSpec({ version: 1, kernels: [{ ...fill, memoryLimit: bad }] }, 'spec.json');
        throw new Error('expected a SpecError');
      } catch (e) {
        expect(e).toBeInstanceOf(SpecError);
        expect((e as SpecError).field).toBe('kernels[0].memoryLimit');
        expect((e as Error).message).toMatch(/^spec\.json: kernels\[0\]\.memoryLimit: .*(is not a memory size|too small|must be)/);
      }
    }
    expect(validateSpec({ version: 1, kernels: [{ ...fill, memoryLimit: '4G' }] }, 'spec.json').kernels[0]!.memoryLimit).toBe('4G');
  });

  it.skipIf(!hasCgroup)('steps of a kernel run under its memoryLimit, else AUTOPAR_MEMORY_LIMIT (cgroups only)', async () => {
    const r = await runCandidateStep(['true'], { cwd: root, timeoutMs: 10_000, sandbox: { workDir: root, memoryBytes: 3 * G } });
    expect(r.sandbox.active.join('; ')).toMatch(/memory 3072 MiB/);
    const before = process.env.AUTOPAR_MEMORY_LIMIT;
    process.env.AUTOPAR_MEMORY_LIMIT = '5G';
    try {
      const e = await runCandidateStep(['true'], { cwd: root, timeoutMs: 10_000, sandbox: { workDir: root } });
      expect(e.sandbox.active.join('; ')).toMatch(/memory 5120 MiB/);
    } finally {
      if (before === undefined) delete process.env.AUTOPAR_MEMORY_LIMIT;
      else process.env.AUTOPAR_MEMORY_LIMIT = before;
    }
  });

  it.skipIf(!hasCgroup)('a kernel needing ~200 MiB is stopped under memoryLimit "64M" and runs under the default', async () => {
    const source = 'void fill(long n, const double *a, double *sum) { double s = 0; for (long i = 0; i < n; i++) s += a[i]; *sum = s; }\n';
    const prepare = (name: string, spec: KernelSpec) => {
      const sourcePath = join(root, `${name}.c`);
      writeFileSync(sourcePath, source);
      const checked = validateSpec({ version: 1, kernels: [spec] }, `${name}.spec.json`).kernels[0]!;
      return prepareOriginal({}, join(root, name), {
        spec: checked,
        sourceText: source,
        sourcePath,
        toolchain: resolveToolchain(undefined),
        compileTimeoutMs: 60_000,
        testTimeoutMs: 60_000,
        seeds: [1],
        log: () => {},
      });
    };
    await expect(prepare('fill-small', { ...fill, memoryLimit: '64M' })).rejects.toThrow(/stopped by the sandbox's memory limit/);
    const ok = await prepare('fill-default', fill);
    expect(ok.tests).toHaveLength(1);
  });
});
