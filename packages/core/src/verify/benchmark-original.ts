// Times another whole translation unit (e.g. a kernel project's hand-written reference
// variant) against the original kernel with the same harness and the same ABAB protocol
// as verifyCandidate's benchmark stage. Also says whether the outputs agree at the bench size.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { KernelSpec } from '../spec/types.js';
import { kernelMemoryLimit } from '../spec/memory-limit.js';
import { benchSandbox, benchmarkBinaries } from './benchmark.js';
import { buildTestBinary } from './build.js';
import { compareOutputs } from './compare.js';
import { VerifySetupError } from './errors.js';
import { benchSeed, describeSize, kernelTranslationUnit } from './harness.js';
import { prepareOriginal, type OriginalCache } from './original-cache.js';
import { readOutputFile } from './output-file.js';
import { resolvePolicy, resolveToolchain, type Toolchain } from './policy.js';
import type { SpeedupStats, VerifyPolicy } from './types.js';

export interface BenchmarkOriginalRequest {
  spec: KernelSpec;
  /** The original TU and its path. */
  sourceText: string;
  sourcePath: string;
  /** A complete TU that defines the kernel with the same signature. */
  contenderText: string;
  /** Its path, for quoted includes and messages (default: the original's path). */
  contenderPath?: string;
  toolchain?: Toolchain;
  policy?: Partial<VerifyPolicy>;
  workDir: string;
  log?: (line: string) => void;
  originalCache?: OriginalCache;
}

export interface BenchmarkOriginalResult {
  ok: boolean;
  /** The speedup line, or why the contender could not be built or run. */
  reason: string;
  speedup?: SpeedupStats;
  /** Whether the contender's outputs at the bench size match the original's within tolerance. */
  outputsMatch?: boolean;
  outputMismatch?: string;
  log: string;
}

export async function benchmarkOriginal(req: BenchmarkOriginalRequest): Promise<BenchmarkOriginalResult> {
  const policy = resolvePolicy(req.policy);
  const toolchain = resolveToolchain(req.toolchain);
  const log = req.log ?? (() => {});
  await mkdir(req.workDir, { recursive: true });
  const original = await prepareOriginal(req.originalCache ?? {}, join(req.workDir, 'original'), {
    spec: req.spec,
    sourceText: req.sourceText,
    sourcePath: req.sourcePath,
    toolchain,
    compileTimeoutMs: policy.timeouts.compileMs,
    testTimeoutMs: Math.max(60_000, policy.timeouts.testMs),
    seeds: req.spec.seeds ?? [1, 2],
    log,
  });
  const dir = await mkdtemp(join(req.workDir, `bench-${req.spec.name}-`));
  try {
    const contenderPath = req.contenderPath ?? req.sourcePath;
    const tuName = basename(contenderPath);
    const tu = join(dir, tuName);
    await writeFile(tu, kernelTranslationUnit(req.contenderText, req.spec, tuName));
    const includeDirs = [...new Set([dirname(contenderPath), ...original.includeDirs])];
    const sandbox = benchSandbox({ workDir: dir, readOnly: [original.dir, ...includeDirs], memoryBytes: kernelMemoryLimit(req.spec) });
    const binary = join(dir, 'contender');
    const b = await buildTestBinary(
      toolchain,
      { kernelTu: tu, harnessObject: original.harnessObject, output: binary, includeDirs },
      { cwd: dir, timeoutMs: policy.timeouts.compileMs, sandbox },
    );
    if (!b.ok) return { ok: false, reason: `contender does not build: ${b.reason}`, log: b.log };
    const originalOut = join(dir, 'bench-original.bin');
    const contenderOut = join(dir, 'bench-contender.bin');
    const r = await benchmarkBinaries(
      { label: 'original', binary: original.binary, cwd: dir, sandbox, outFile: originalOut },
      { label: 'contender', binary, cwd: dir, sandbox, outFile: contenderOut },
      { pairs: Math.max(1, policy.benchPairs), warmupCalls: policy.warmupRuns, benchFactor: policy.timeouts.benchFactor, log },
    );
    if (!r.ok && r.failedSide === 'baseline') throw new VerifySetupError(`the original fails at the bench size: ${r.reason}`, r.log);
    if (!r.ok) return { ok: false, reason: r.reason, log: r.log };
    const cmp = compareOutputs(await readOutputFile(originalOut), await readOutputFile(contenderOut), req.spec, {
      size: req.spec.sizes.bench,
      seed: benchSeed(req.spec),
      label: `bench size ${describeSize(req.spec.sizes.bench)}`,
    });
    return { ok: true, reason: r.reason, speedup: r.stats, outputsMatch: cmp.ok, outputMismatch: cmp.ok ? undefined : cmp.message, log: r.log };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
