// End-to-end verification of small fixture kernels (fixtures/): each test sends one
// candidate through verifyCandidate and checks the verdict's stage and reason.
import { describe, it, expect, afterAll } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { extractKernels } from '../kernel/extract.js';
import { loadSpecFile } from '../spec/load.js';
import type { KernelSpec } from '../spec/types.js';
import type { KernelUnit } from '../kernel/types.js';
import { benchmarkOriginal, createOriginalCache, verifyCandidate, type OriginalCache, type VerifyRequest } from './verify.js';
import { formatVerdict } from '../cli/verify-command.js';

const workRoot = mkdtempSync(join(tmpdir(), 'autopar-verify-test-'));
afterAll(() => rmSync(workRoot, { recursive: true, force: true }));

interface Fixture {
  spec: KernelSpec;
  unit: KernelUnit;
  sourceText: string;
  sourcePath: string;
  cache: OriginalCache;
}

const fixtures = new Map<string, Promise<Fixture>>();
function fixture(name: string): Promise<Fixture> {
  let f = fixtures.get(name);
  if (!f) {
    f = (async () => {
      const { file, dir } = await loadSpecFile(join(import.meta.dirname, 'fixtures', name, 'autopar.spec.json'));
      const spec = file.kernels[0]!;
      const sourcePath = join(dir, spec.source);
      const sourceText = readFileSync(sourcePath, 'utf8');
      const [unit] = extractKernels(sourceText, sourcePath, [spec.name]);
      // One cache per kernel, shared by all its tests: the original is built and run once.
      return { spec, unit: unit!, sourceText, sourcePath, cache: createOriginalCache(join(workRoot, `original-${name}`)) };
    })();
    fixtures.set(name, f);
  }
  return f;
}

// Small and quick: 3 benchmark pairs, 3 s floor for test runs.
// Fixed-size benchmark (benchMaxPairs = benchPairs): these tests are about verdicts, not sampling.
const policy = { benchPairs: 3, benchMaxPairs: 3, timeouts: { compileMs: 60_000, testMs: 3_000, benchFactor: 20 } };

async function verify(name: string, candidateText: string, extra: Partial<VerifyRequest> = {}) {
  const f = await fixture(name);
  return verifyCandidate({
    unit: f.unit,
    spec: f.spec,
    sourceText: f.sourceText,
    sourcePath: f.sourcePath,
    candidateText,
    policy,
    workDir: join(workRoot, name),
    originalCache: f.cache,
    ...extra,
  });
}

/** Verifies against an inline kernel and spec (no sanitizers, 1 bench pair: these test the differential stage). */
async function verifyInline(name: string, source: string, spec: KernelSpec, candidateText: string, extra: Partial<VerifyRequest> = {}) {
  const dir = join(workRoot, `inline-${name}`);
  mkdirSync(dir, { recursive: true });
  const sourcePath = join(dir, spec.source);
  writeFileSync(sourcePath, source);
  const [unit] = extractKernels(source, sourcePath, [spec.name]);
  return verifyCandidate({
    unit: unit!,
    spec,
    sourceText: source,
    sourcePath,
    candidateText,
    policy: { ...policy, benchPairs: 1, benchMaxPairs: 1, sanitizers: { memory: false, race: false } },
    workDir: dir,
    ...extra,
  });
}

const DOT = 'double dot(int n, const double *x, const double *y)\n{\n    double s = 0.0;\n    for (int i = 0; i < n; i++)\n        s += x[i] * y[i];\n    return s;\n}\n';
const dotSpec = (extra: Partial<KernelSpec> = {}, xExtra: object = {}): KernelSpec => ({
  name: 'dot',
  source: 'dot.c',
  sizes: { test: [{ n: 1 }, { n: 200000 }], bench: { n: 200000 }, edgeSizes: false },
  args: [
    { name: 'n', kind: 'scalar', type: 'int', value: 'n' },
    { name: 'x', kind: 'input', type: 'double', length: 'n', init: { gen: 'uniform', min: 0, max: 1 }, ...xExtra },
    { name: 'y', kind: 'input', type: 'double', length: 'n', init: { gen: 'uniform', min: 0, max: 1 } },
  ],
  returns: { type: 'double', tolerance: { rel: 1e-9 } },
  seeds: [1],
  ...extra,
});

const saxpy = (body: string, head = 'void saxpy(int n, float a, const float *x, float *y)') => `#include <omp.h>\n${head}\n{\n${body}\n}\n`;

describe('verifyCandidate', () => {
  it('accepts a correct OpenMP saxpy and reports its speedup', async () => {
    const v = await verify('saxpy', saxpy('    #pragma omp parallel for\n    for (int i = 0; i < n; i++)\n        y[i] = a * x[i] + y[i];'));
    expect(v.reason).toMatch(/^verified; (faster|not faster|inconclusive)/);
    expect(v.accepted).toBe(true);
    expect(v.kind).toBe('speed');
    expect(v.stages.every((s) => s.status === 'ran')).toBe(true);
    // the second differential record: team shapes, repeated calls, settings, stack headroom (robustness.ts)
    expect(v.stages.map((s) => s.stage)).toEqual(['static-gate', 'compile', 'differential', 'differential', 'sanitize-memory', 'sanitize-race', 'benchmark']);
    expect(v.speedup!.pairs).toBe(3);
    expect(v.speedup!.median).toBeGreaterThan(0);
    expect(v.speedup!.spread[0]).toBeLessThanOrEqual(v.speedup!.spread[1]);
  });

  it('rejects an off-by-one tail in differential, naming the buffer and element', async () => {
    const v = await verify('saxpy', saxpy('    #pragma omp parallel for\n    for (int i = 0; i < n - 1; i++)\n        y[i] = a * x[i] + y[i];'));
    expect(v.accepted).toBe(false);
    expect(v.stage).toBe('differential');
    expect(v.reason).toMatch(/^buffer y\[0\]: expected \S+ got \S+ \(size n=1, seed 1, threads 1\)/);
  });

  it('rejects a write past the end of a buffer (guard zone)', async () => {
    const v = await verify('saxpy', saxpy('    for (int i = 0; i <= n; i++)\n        y[i] = a * x[i] + y[i];'));
    expect(v.accepted).toBe(false);
    expect(v.stage).toBe('differential');
    expect(v.reason).toMatch(/guard zone violated: buffer y was written past its end.*\(size n=0, seed 1, threads 1\)/);
  });

  it('rejects an infinite loop by timeout within bounded time', async () => {
    const started = performance.now();
    const v = await verify('saxpy', saxpy('    volatile int spin = 1;\n    while (spin) { }\n    (void)n; (void)a; (void)x; (void)y;'));
    expect(v.accepted).toBe(false);
    expect(v.stage).toBe('differential');
    // The limit is the 3 s floor, or 20× the original's own run when a loaded machine made that slower.
    const m = /^timed out after (\d+) ms in differential \(size n=0, seed 1, threads 1\)/.exec(v.reason);
    expect(m, v.reason).not.toBeNull();
    expect(Number(m![1])).toBeGreaterThanOrEqual(3000);
    expect(performance.now() - started).toBeLessThan(15_000 + 3 * (Number(m![1]) - 3000));
  });

  it('rejects a call to system() in the static gate, before compiling', async () => {
    const v = await verify('saxpy', saxpy('    system("touch /tmp/autopar-pwned");\n    for (int i = 0; i < n; i++) y[i] = a * x[i] + y[i];'));
    expect(v.accepted).toBe(false);
    expect(v.stage).toBe('static-gate');
    expect(v.reason).toBe("calls forbidden function 'system' at line 4");
    expect(v.stages).toHaveLength(1);
  });

  it('rejects a candidate with a different signature', async () => {
    const v = await verify('saxpy', saxpy('    for (int i = 0; i < n; i++) y[i] = a * x[i] + y[i];', 'void saxpy(long n, float a, const float *x, float *y)'));
    expect(v.accepted).toBe(false);
    expect(v.stage).toBe('static-gate');
    expect(v.reason).toMatch(/signature differs: parameter 'n' has type 'long' instead of 'int'/);
  });

  it("puts the compiler's error message in the reason", async () => {
    const v = await verify('saxpy', saxpy('    for (int i = 0; i < n; i++) y[i] = a * x[i] + undeclared_thing;'));
    expect(v.accepted).toBe(false);
    expect(v.stage).toBe('compile');
    expect(v.reason).toMatch(/^compile failed: saxpy\.c:\d+:\d+: error: .undeclared_thing. undeclared/);
  });

  it('rejects a reduction that races on a shared sum (differential at threads > 1)', async () => {
    const v = await verify(
      'dot',
      'double dot(int n, const double *x, const double *y)\n{\n    double s = 0.0;\n    #pragma omp parallel for\n    for (int i = 0; i < n; i++)\n        s += x[i] * y[i];\n    return s;\n}\n',
    );
    expect(v.accepted).toBe(false);
    expect(v.stage).toBe('differential');
    expect(v.reason).toMatch(/^return value: expected \S+ got \S+ \(size n=\d+, seed \d+, threads [23](, call [234] of 4)?\)/);
  });

  it('accepts an OpenMP reduction for a dot product returning double (rel tolerance)', async () => {
    const v = await verify(
      'dot',
      'double dot(int n, const double *x, const double *y)\n{\n    double s = 0.0;\n    #pragma omp parallel for reduction(+:s)\n    for (int i = 0; i < n; i++)\n        s += x[i] * y[i];\n    return s;\n}\n',
    );
    expect(v.reason).toMatch(/^verified/);
    expect(v.accepted).toBe(true);
  });

  it('accepts a row-parallel CSR spmv on csr_graph inputs', async () => {
    const v = await verify(
      'spmv',
      `void spmv(int nrows, const int *rowptr, const int *cols, const double *vals, const double *x, double *y)
{
    #pragma omp parallel for schedule(dynamic, 64)
    for (int i = 0; i < nrows; i++) {
        double s = 0.0;
        for (int k = rowptr[i]; k < rowptr[i + 1]; k++)
            s += vals[k] * x[cols[k]];
        y[i] = s;
    }
}
`,
    );
    expect(v.reason).toMatch(/^verified/);
    expect(v.accepted).toBe(true);
  });

  it('rejects an out-of-bounds read with AddressSanitizer', async () => {
    // Reads x[n] (past the end, inside the guard zone): outputs stay right, only ASan sees it.
    const v = await verify('saxpy', saxpy('    float unused = n > 0 ? x[n] : 0.0f;\n    (void)unused;\n    volatile float sink = unused; (void)sink;\n    for (int i = 0; i < n; i++) y[i] = a * x[i] + y[i];'));
    expect(v.accepted).toBe(false);
    expect(v.stage).toBe('sanitize-memory');
    expect(v.reason).toMatch(/^AddressSanitizer: READ of size 4 past the end of buffer x \(byte 0 after its 1 elements\) at saxpy.c:\d+ in saxpy in sanitize-memory \(size n=1, seed 1, threads 2\)/);
  });

  it('calls the race stage hook after sanitize-memory when the policy asks for race detection', async () => {
    let seen: { harness: string; tuExists: boolean; sizes: number } | undefined;
    const v = await verify('saxpy', saxpy('    #pragma omp parallel for\n    for (int i = 0; i < n; i++)\n        y[i] = a * x[i] + y[i];'), {
      policy: { ...policy, sanitizers: { memory: false, race: true } },
      raceStage: async (ctx) => {
        seen = { harness: ctx.harnessSource, tuExists: existsSync(ctx.candidateTu), sizes: ctx.spec.sizes.test.length };
        return { stage: 'sanitize-race', ok: false, reason: 'data race on y (stub)', durationMs: 1 };
      },
    });
    expect(seen?.harness).toMatch(/void autopar_entry\(void \*\*ap_args\);/);
    expect(seen?.tuExists).toBe(true);
    expect(v.stages.map((s) => `${s.stage}:${s.status}`)).toEqual(['static-gate:ran', 'compile:ran', 'differential:ran', 'differential:ran', 'sanitize-memory:skipped', 'sanitize-race:failed']);
    expect(v).toMatchObject({ accepted: false, kind: 'correctness', stage: 'sanitize-race', reason: 'data race on y (stub)' });
  });

  it('rejects a tail bug that shows only at a derived size (n=33, not among the spec sizes)', async () => {
    const v = await verify(
      'saxpy',
      saxpy('    int m = (n > 32 && n < 64) ? n - 1 : n;\n    #pragma omp parallel for\n    for (int i = 0; i < m; i++)\n        y[i] = a * x[i] + y[i];'),
      { policy: { ...policy, sanitizers: { memory: false, race: false } } },
    );
    expect(v).toMatchObject({ accepted: false, stage: 'differential' });
    expect(v.reason).toMatch(/^buffer y\[32\]: expected \S+ got \S+ \(size n=33, seed 1, threads 1\)/);
  });

  it('rejects output that differs between calls at one thread count when the spec requires determinism', async () => {
    // Within the tolerance, but the last bits change with the clock on every call.
    // A clock read that steers a result is refused by the static gate unless the original
    // itself reads the clock (what the original calls is trusted): this original does.
    const original = `#include <omp.h>\n${DOT.replace('    return s;', '    (void)omp_get_wtime();\n    return s;')}`;
    const candidate = `#include <omp.h>\n#include <math.h>\n${DOT.replace('    return s;', '    return s * (1.0 + fmod(omp_get_wtime() * 1e6, 1.0) * 1e-12);')}`;
    const v = await verifyInline('dot-det', original, dotSpec({ deterministic: true }), candidate);
    expect(v).toMatchObject({ accepted: false, stage: 'differential' });
    expect(v.reason).toMatch(/^nondeterministic output: return value differs between call 1 and call [234] of 4 at the same thread count \(size n=\d+, seed 1, threads [23]\); the spec requires bit-identical results$/);
  });

  it('tests NaN/Inf inputs when the spec allows them, and rejects a variant that skips NaN', async () => {
    const candidate = DOT.replace('        s += x[i] * y[i];', '        if (x[i] == x[i]) s += x[i] * y[i];');
    const v = await verifyInline('dot-nan', DOT, dotSpec({}, { specialValues: true }), candidate);
    expect(v).toMatchObject({ accepted: false, stage: 'differential' });
    expect(v.reason).toMatch(/^return value: expected NaN got \S+ \(size n=1, seed 6209953 \(NaN\/Inf inputs\), threads 1\)/);
  });

  it('leaves out a derived size at which the original itself fails, and says so in the log', async () => {
    const source = DOT.replace('    double s = 0.0;', '    double s = 0.0;\n    if (n == 17) __builtin_trap();');
    const lines: string[] = [];
    const spec = dotSpec({ sizes: { test: [{ n: 1 }, { n: 1000 }], bench: { n: 200000 } } });
    const v = await verifyInline('dot-illegal-17', source, spec, DOT, { log: (l) => lines.push(l) });
    expect(v.reason).toMatch(/^verified/);
    expect(lines.join('\n')).toMatch(/derived test sizes left out because the original fails there: n=17 \(/);
  });

  it('times another whole TU against the original (benchmarkOriginal)', async () => {
    const f = await fixture('saxpy');
    const r = await benchmarkOriginal({
      spec: f.spec,
      sourceText: f.sourceText,
      sourcePath: f.sourcePath,
      contenderText: f.sourceText.replace('for (int i', '#pragma omp parallel for\n    for (int i'),
      policy: { benchPairs: 2 },
      workDir: join(workRoot, 'bench-original'),
      originalCache: f.cache,
    });
    expect(r.ok).toBe(true);
    expect(r.outputsMatch).toBe(true);
    expect(r.speedup!.pairs).toBe(2);
  });
});

/** Runs fn with some environment variables set, restoring them after. */
async function withEnv<T>(vars: Record<string, string>, fn: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  Object.assign(process.env, vars);
  try {
    return await fn();
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

describe('a check that did not run is never a pass', () => {
  const good = saxpy('    #pragma omp parallel for\n    for (int i = 0; i < n; i++)\n        y[i] = a * x[i] + y[i];');
  // The default race stage (clang + TSan + Archer) with a compiler that does not exist here.
  const noDetector = { AUTOPAR_RACE_CC: 'clang-autopar-missing' };
  const raceOnly = { policy: { ...policy, sanitizers: { memory: false, race: true } } };

  it('race detector missing → the candidate is not accepted, and the verdict says why', async () => {
    const v = await withEnv(noDetector, () => verify('saxpy', good, raceOnly));
    expect(v.accepted).toBe(false);
    expect(v.kind).toBe('incomplete');
    expect(v.stage).toBe('sanitize-race');
    expect(v.reason).toMatch(/^not verified: sanitize-race did not run \(race detection skipped: clang-autopar-missing not found.*\); a check that did not run is not a pass \(AUTOPAR_ALLOW_UNVERIFIED=race accepts without it, and says so\)$/);
    expect(v.stages.find((s) => s.stage === 'sanitize-race')?.status).toBe('skipped');
    // Nothing is timed for a candidate that cannot be accepted.
    expect(v.stages.map((s) => s.stage)).not.toContain('benchmark');
    expect(v.conditions?.raceDetector).toMatch(/^missing \(clang-autopar-missing not found\)/);
    const text = formatVerdict(v);
    expect(text).toMatch(/^SKIP  sanitize-race/m);
    expect(text).toMatch(/^NOTE  race detector: missing/m);
    expect(text).toMatch(/^NOT VERIFIED at sanitize-race: /m);
  });

  it('with AUTOPAR_ALLOW_UNVERIFIED=race it is accepted, and the verdict and its report say what was not checked', async () => {
    const v = await withEnv({ ...noDetector, AUTOPAR_ALLOW_UNVERIFIED: 'race' }, () => verify('saxpy', good, raceOnly));
    expect(v.accepted).toBe(true);
    expect(v.kind).toBe('speed');
    expect(v.reason).toMatch(/^verified; NOT checked: sanitize-memory \(not asked for by the policy\), sanitize-race \(allowed by AUTOPAR_ALLOW_UNVERIFIED\); /);
    expect(v.conditions?.allowUnverified).toEqual(['sanitize-race']);
    expect(v.skipped).toEqual([
      { stage: 'sanitize-memory', reason: 'the verification policy does not ask for it (sanitizers.memory false)', allowed: true },
      { stage: 'sanitize-race', reason: expect.stringMatching(/^race detection skipped: clang-autopar-missing not found/), allowed: true },
    ]);
    const text = formatVerdict(v);
    expect(text).toMatch(/^NOTE  sanitize-race did not run \(race detection skipped: .*\): allowed/m);
    expect(text).toMatch(/^ACCEPTED at benchmark: verified; NOT checked/m);
  });

  it('AUTOPAR_SANDBOX=off: the verdict and its report say so', async () => {
    const v = await withEnv({ AUTOPAR_SANDBOX: 'off' }, () => verify('saxpy', good, { policy: { ...policy, sanitizers: { memory: false, race: false } } }));
    expect(v.accepted).toBe(true);
    expect(v.conditions?.sandbox).toMatch(/^off \(AUTOPAR_SANDBOX=off\)/);
    expect(formatVerdict(v)).toMatch(/^NOTE  sandbox: off \(AUTOPAR_SANDBOX=off\)/m);
  });

  it('a screening verdict is never called verified nor accepted', async () => {
    const v = await verify('saxpy', good, { mode: 'screen' });
    expect(v).toMatchObject({ accepted: false, kind: 'screening', stage: 'benchmark' });
    expect(v.reason).toMatch(/^screened only \(not verified\): /);
    expect(v.reason).not.toMatch(/\bverified;/);
    expect(v.stages.map((s) => s.stage)).toEqual(['static-gate', 'compile', 'benchmark']);
  });

  it('AUTOPAR_VERIFY_SKIP_BENCH-style check-only: bench-size outputs compared, speed not measured', async () => {
    const v = await verify('saxpy', good, { benchmark: 'check-only', policy: { ...policy, sanitizers: { memory: false, race: false } } });
    expect(v).toMatchObject({ accepted: true, kind: 'speed', speed: { decision: 'not-measured' } });
    expect(v.speedup).toBeUndefined();
    expect(v.reason).toMatch(/bench-size outputs match; timing skipped/);
  });

  it('re-measuring keeps the stored correctness stages and replaces only the benchmark', async () => {
    const first = await verify('saxpy', good, { policy: { ...policy, sanitizers: { memory: false, race: false } } });
    const again = await verify('saxpy', good, { mode: 'remeasure', previous: first, policy: { ...policy, sanitizers: { memory: false, race: false } } });
    expect(again.accepted).toBe(true);
    expect(again.stages.map((s) => s.stage)).toEqual(first.stages.map((s) => s.stage));
    expect(again.stages.find((s) => s.stage === 'differential')).toEqual(first.stages.find((s) => s.stage === 'differential'));
    expect(again.stages.at(-1)!.reason).toMatch(/^re-measured: bench-size outputs match; /);
  });
});
