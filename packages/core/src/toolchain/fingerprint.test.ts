import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { fingerprintToolchain, installHint, resolveCompiler, toolchainAvailable, type Runner } from './fingerprint.js';
import { runStep } from '../verify/run-step.js';

const hasGcc = (await resolveCompiler('gcc')) !== null;
const hasClang19 = (await resolveCompiler('clang-19')) !== null;
const hasNvcc = (await resolveCompiler('nvcc')) !== null;

/** The real runner, counting spawns. */
function countingRunner(): { run: Runner; count: () => number } {
  let spawns = 0;
  return {
    run: async (argv, input) => {
      spawns++;
      const r = await runStep(argv, { cwd: '/tmp', timeoutMs: 30_000, input });
      return { exitCode: r.exitCode, stdout: r.stdout, stderr: r.stderr };
    },
    count: () => spawns,
  };
}

describe.skipIf(!hasGcc)('fingerprintToolchain (gcc)', () => {
  it('holds the resolved path, content hash, version, machine and OpenMP version', async () => {
    const fp = await fingerprintToolchain({ cc: 'gcc', cflags: ['-O2', '-fopenmp'], ldflags: ['-fopenmp'] });
    expect(fp.family).toBe('gcc');
    expect(fp.path.startsWith('/')).toBe(true);
    expect(fp.files.map((f) => f.role)).toEqual(['driver', 'cc1']);
    for (const f of fp.files) expect(f.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(fp.version).toBe(execFileSync(fp.path, ['--version'], { encoding: 'utf8' }).split('\n')[0]);
    expect(fp.machine).toBe(execFileSync('gcc', ['-dumpmachine'], { encoding: 'utf8' }).trim());
    expect(fp.openmp).toMatch(/^\d{6}$/);
    expect(fp.cflags).toEqual(['-O2', '-fopenmp']);
  });

  it('is memoized: a second call with the same profile spawns nothing', async () => {
    const profile = { cc: 'gcc', cflags: ['-O1', `-DMEMO_TEST_${process.pid}`], ldflags: [] };
    const first = countingRunner();
    const a = await fingerprintToolchain(profile, { run: first.run });
    expect(first.count()).toBeGreaterThan(0);
    const second = countingRunner();
    const b = await fingerprintToolchain(profile, { run: second.run });
    expect(second.count()).toBe(0);
    expect(b).toBe(a);
  });

  it('expands -march=native into the flags the compiler resolves it to', async () => {
    const fp = await fingerprintToolchain({ cc: 'gcc', cflags: ['-O3', '-march=native', '-DX=1'], ldflags: [] });
    expect(fp.cflags[0]).toBe('-O3');
    expect(fp.cflags).not.toContain('-march=native');
    expect(fp.cflags.some((f) => /^-march=(?!native)/.test(f))).toBe(true);
    expect(fp.cflags[fp.cflags.length - 1]).toBe('-DX=1');
  });
});

describe.skipIf(!hasClang19)('fingerprintToolchain (clang-19)', () => {
  it('expands -march=native into -target-cpu and -target-feature flags', async () => {
    const fp = await fingerprintToolchain({ cc: 'clang-19', cflags: ['-march=native', '-O2'], ldflags: [] });
    expect(fp.family).toBe('clang');
    expect(fp.files.map((f) => f.role)).toEqual(['driver']);
    expect(fp.cflags[0]).toMatch(/^-target-cpu=\S+$/);
    expect(fp.cflags.some((f) => f.startsWith('-target-feature='))).toBe(true);
    expect(fp.cflags[fp.cflags.length - 1]).toBe('-O2');
    expect(fp.openmp).toMatch(/^\d{6}$/);
  });
});

describe('toolchainAvailable', () => {
  it('says a missing compiler is missing and how to install it', async () => {
    const r = await toolchainAvailable('clang-199');
    expect(r.ok).toBe(false);
    expect(r.reason).toBe('clang-199 not found on PATH');
    expect(r.fix).toBe('apt-get install clang-199 libomp-199-dev');
  });

  it('names the apt packages for gcc and clang', () => {
    expect(installHint('gcc')).toBe('apt-get install gcc');
    expect(installHint('clang-19')).toBe('apt-get install clang-19 libomp-19-dev');
  });

  it('gives a generic fix naming the cc option and AUTOPAR_CC for an unrecognised compiler', () => {
    expect(installHint('/opt/weird/bin/mycc')).toBe("install mycc, or set the target's `cc` option / AUTOPAR_CC to an installed compiler such as gcc");
  });

  it.skipIf(!hasGcc)('reports an installed gcc with its OpenMP version', async () => {
    const r = await toolchainAvailable('gcc');
    expect(r).toMatchObject({ ok: true });
    expect(r.reason).toMatch(/OpenMP \d+/);
  });

  it('fingerprintToolchain on a missing compiler throws with the fix', async () => {
    await expect(fingerprintToolchain({ cc: 'gcc-999', cflags: [], ldflags: [] })).rejects.toThrow(
      'compiler "gcc-999" not found on PATH; apt-get install gcc-999',
    );
  });
});

describe.skipIf(!hasNvcc)('fingerprintToolchain (nvcc, no GPU needed)', () => {
  it('records the CUDA release, the arch flags and the host compiler', async () => {
    const fp = await fingerprintToolchain({ cc: 'nvcc', cflags: ['-O3', '-arch=sm_90'], ldflags: [] });
    expect(fp.family).toBe('nvcc');
    expect(fp.version).toMatch(/release \d+\.\d+/);
    expect(fp.cflags).toEqual(['-O3', '-arch=sm_90']);
    expect(fp.host === null || fp.host?.family === 'gcc').toBe(true);
  });
});
