// The original kernel's side of verification, done once per kernel and shared by every
// candidate: the generated harness (compiled per toolchain flavor), the original's test
// binary, and its outputs and run times at every test size × seed (one thread). An
// analyzer that sends three candidates compiles and runs the original once.
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { KernelSpec } from '../spec/types.js';
import { buildTestBinary, compileObject, tail } from './build.js';
import { VerifySetupError } from './errors.js';
import { HARNESS_VERSION, describeSize, generateHarness, kernelTranslationUnit } from './harness.js';
import { readOutputFile, type OutputRecord } from './output-file.js';
import { sanitizeMemoryToolchain, type ResolvedToolchain } from './policy.js';
import { runTest } from './run-harness.js';
import type { SandboxOptions } from './sandbox.js';
import { kernelMemoryLimit } from '../spec/memory-limit.js';

/**
 * Pass the same object to verifyCandidate for every candidate of a kernel (a plain `{}` is
 * fine); the verifier fills it. `dir` is where original builds go (default: `original/`
 * in the first request's work dir).
 */
export interface OriginalCache {
  dir?: string;
  entries?: Map<string, Promise<PreparedOriginal>>;
}

export function createOriginalCache(dir?: string): OriginalCache {
  return { dir, entries: new Map() };
}

export interface OriginalTest {
  sizeIndex: number;
  seed: number;
  outFile: string;
  durationMs: number;
  outputs: OutputRecord[];
}

export interface PreparedOriginal {
  key: string;
  dir: string;
  /** Path of the generated harness.c. */
  harnessPath: string;
  /** Its text (the race stage compiles it with its own toolchain). */
  harnessSource: string;
  harnessObject: string;
  binary: string;
  /** Folders searched for the TU's quoted includes. */
  includeDirs: string[];
  /** Name the kernel TU is written under (the source's base name), for compiler messages. */
  tuFileName: string;
  tests: OriginalTest[];
  /** The harness compiled for the ASan+UBSan build (made on first use). */
  sanitizeHarnessObject(): Promise<string>;
}

export interface PrepareRequest {
  spec: KernelSpec;
  sourceText: string;
  sourcePath: string;
  toolchain: ResolvedToolchain;
  compileTimeoutMs: number;
  testTimeoutMs: number;
  seeds: number[];
  /**
   * Size indices from this one on are derived (edge) sizes: where the original fails, the
   * size was not legal for the kernel and is left out (logged) instead of failing setup.
   */
  derivedFrom?: number;
  log: (line: string) => void;
}

export function originalKey(req: PrepareRequest): string {
  const inputs = { HARNESS_VERSION, spec: req.spec, sourceText: req.sourceText, sourcePath: req.sourcePath, toolchain: req.toolchain, seeds: req.seeds, derivedFrom: req.derivedFrom };
  return createHash('sha256').update(JSON.stringify(inputs)).digest('hex');
}

/** The prepared original for a request, made once per cache and key (concurrent callers share it). */
export function prepareOriginal(cache: OriginalCache, defaultDir: string, req: PrepareRequest): Promise<PreparedOriginal> {
  cache.dir ??= defaultDir;
  cache.entries ??= new Map();
  const key = originalKey(req);
  let entry = cache.entries.get(key);
  if (!entry) {
    entry = build(join(cache.dir, `${req.spec.name}-${key.slice(0, 12)}`), key, req);
    cache.entries.set(key, entry);
    // A failed preparation is not cached: the next candidate retries (and fails the same way, loudly).
    entry.catch(() => cache.entries?.delete(key));
  }
  return entry;
}

async function build(dir: string, key: string, req: PrepareRequest): Promise<PreparedOriginal> {
  const started = performance.now();
  await mkdir(dir, { recursive: true });
  const sandbox: SandboxOptions = { workDir: dir, readOnly: [dirname(req.sourcePath)], memoryBytes: kernelMemoryLimit(req.spec) };
  const compileOpts = { cwd: dir, timeoutMs: req.compileTimeoutMs, sandbox };

  const harnessPath = join(dir, 'harness.c');
  const harnessSource = generateHarness(req.spec);
  await writeFile(harnessPath, harnessSource);
  const harnessObject = join(dir, 'harness.o');
  const h = await compileObject(req.toolchain, harnessPath, harnessObject, compileOpts);
  if (!h.ok) throw new VerifySetupError(`the generated harness for ${req.spec.name} does not compile: ${h.reason}`, h.log);

  const tuFileName = basename(req.sourcePath);
  const tu = join(dir, tuFileName);
  await writeFile(tu, kernelTranslationUnit(req.sourceText, req.spec, tuFileName));
  const includeDirs = [dirname(req.sourcePath)];
  const binary = join(dir, 'original');
  const b = await buildTestBinary(req.toolchain, { kernelTu: tu, harnessObject, output: binary, includeDirs }, compileOpts);
  if (!b.ok) throw new VerifySetupError(`the original ${req.spec.name} does not build with its harness: ${b.reason}`, b.log);

  const tests: OriginalTest[] = [];
  const dropped: string[] = [];
  for (const [sizeIndex, size] of req.spec.sizes.test.entries()) {
    const derived = req.derivedFrom !== undefined && sizeIndex >= req.derivedFrom;
    const atSize: OriginalTest[] = [];
    // Derived sizes run with the first seed only: they are many, and what they probe is the shape.
    for (const seed of derived ? req.seeds.slice(0, 1) : req.seeds) {
      const outFile = join(dir, `out-s${sizeIndex}-seed${seed}.bin`);
      const r = await runTest(binary, sizeIndex, seed, outFile, {
        cwd: dir,
        threads: 1,
        // A derived size is never costlier than the largest test size; a hang there means illegal.
        timeoutMs: derived ? Math.min(req.testTimeoutMs, 10_000) : req.testTimeoutMs,
        sandbox,
      });
      if (!r.ok && derived) {
        dropped.push(`${describeSize(size)} (${r.problem})`);
        atSize.length = 0;
        break;
      }
      if (!r.ok) {
        throw new VerifySetupError(
          `the original ${req.spec.name} fails its own test at size ${describeSize(size)}, seed ${seed}: ${r.problem}; fix the spec or the kernel`,
          tail(r.stderr),
        );
      }
      atSize.push({ sizeIndex, seed, outFile, durationMs: r.durationMs, outputs: await readOutputFile(outFile) });
    }
    tests.push(...atSize);
  }
  if (dropped.length) req.log(`original ${req.spec.name}: derived test sizes left out because the original fails there: ${dropped.join('; ')}`);
  req.log(`original ${req.spec.name}: built and ran ${tests.length} tests in ${Math.round(performance.now() - started)} ms`);

  let sanitizeObject: Promise<string> | undefined;
  const sanitizeHarnessObject = () => {
    sanitizeObject ??= (async () => {
      const object = join(dir, 'harness-asan.o');
      const r = await compileObject(sanitizeMemoryToolchain(req.toolchain), harnessPath, object, compileOpts);
      if (!r.ok) throw new VerifySetupError(`the harness does not build with sanitizers: ${r.reason}`, r.log);
      return object;
    })();
    return sanitizeObject;
  };

  return { key, dir, harnessPath, harnessSource, harnessObject, binary, includeDirs, tuFileName, tests, sanitizeHarnessObject };
}
