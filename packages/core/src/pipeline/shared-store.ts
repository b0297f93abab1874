// What a build does with a shared (remote) store beyond plain lookups:
// - re-checks a remote hit before linking it (unless the remote is trusted),
// - the regression gate: a kernel that had a verified variant in a baseline report (main's
//   build) and has none now fails the build.
// The store itself (store/) knows nothing of verification; this is where the two meet.
import { readFile } from 'node:fs/promises';
import type { KernelSpec } from '../spec/types.js';
import type { KernelUnit } from '../kernel/types.js';
import type { Manifest } from '../store/types.js';
import type { CompileRecipe } from '../propose/types.js';
import type { Verdict, VerifyPolicy } from '../verify/types.js';

export interface RecheckRequest {
  manifest: Manifest;
  /** Text of the chosen variant (already checked against its digest by the store). */
  chosenText: string;
  unit: KernelUnit;
  spec: KernelSpec;
  sourceText: string;
  sourcePath: string;
  toolchain: { cc: string; cflags: string[]; ldflags: string[] };
  policy: VerifyPolicy;
  impliedPlan: boolean;
  workDir: string;
  log?: (line: string) => void;
  /** The chosen variant's compile recipe, when it is a compiler's variant. */
  recipe?: CompileRecipe;
}

/**
 * Re-checks a variant another machine verified: static gate, plan legality, compile, the
 * differential test on every test size, seed and thread count, and the output comparison
 * at the bench size — all in the sandbox, through the verifier's own entry point. The
 * sanitizers and the timing are the writer's: they are expensive, and a speedup measured on
 * this (possibly busy) machine says nothing new about correctness. One benchmark pair runs
 * because the bench-size output comparison lives in that stage; its timing is not used, and
 * the size guard stays the writer's (stored with its verdict).
 */
export async function recheckRemoteHit(req: RecheckRequest): Promise<Verdict> {
  const { verifyCandidate } = await import('../verify/verify.js');
  return verifyCandidate({
    unit: req.unit,
    spec: req.spec,
    sourceText: req.sourceText,
    sourcePath: req.sourcePath,
    candidateText: req.chosenText,
    toolchain: req.toolchain,
    ...(req.recipe ? { recipe: req.recipe } : {}),
    policy: { ...req.policy, sanitizers: { memory: false, race: false }, benchPairs: 1, warmupRuns: 0, sizeGuard: false },
    workDir: req.workDir,
    log: req.log,
    impliedPlan: req.impliedPlan,
    mode: 'full',
  });
}

// ---- regression gate ------------------------------------------------------------

export interface LostVariant {
  kernel: string;
  /** The variant the baseline linked. */
  baseline: string;
  /** Why this build has none: a verdict (counts for the gate) or a no-generate miss (listed, does not fail). */
  cause: 'verdict' | 'not-verified-here';
  reason: string;
}

export interface GateResult {
  baseline: string;
  lost: LostVariant[];
  /** True when some kernel lost its variant by a verdict: the build fails. */
  failed: boolean;
}

interface ReportLike {
  schema?: unknown;
  kernels?: Array<{ kernel?: unknown; chosen?: { label?: unknown } | null }>;
}

/**
 * How "had a verified variant on main" is known: main's build writes autopar-report.json
 * next to its artifact; CI keeps it (artifact upload, or a file in the repository) and a PR
 * build passes it as `regressionBaseline`. A kernel whose baseline entry has a chosen
 * variant and whose entry in this build has none has lost it.
 *
 * Lost by a verdict (this build looked the kernel up, or proposed and verified, and linked
 * the original) fails the gate. Lost because a --no-generate build missed the store (the
 * kernel was edited, so nothing verified exists for the new text) is listed but does not
 * fail: nothing slower was measured, the next main build generates and verifies it.
 */
export async function regressionGate(baselinePath: string, kernels: GateKernel[]): Promise<GateResult> {
  return checkAgainstBaseline(await loadBaseline(baselinePath), kernels);
}

export interface Baseline {
  path: string;
  /** Kernel name → the label of the variant the baseline linked. */
  linked: Map<string, string>;
}

type GateKernel = { kernel: string; outcome: string; reason: string; chosen: { label: string } | null; notVerifiedHere?: boolean };

/** Reads and checks a baseline report (a build loads it first: a bad file must not cost a build). */
export async function loadBaseline(baselinePath: string): Promise<Baseline> {
  let parsed: ReportLike;
  try {
    parsed = JSON.parse(await readFile(baselinePath, 'utf8')) as ReportLike;
  } catch (err) {
    throw new RegressionBaselineError(
      `regressionBaseline ${baselinePath}: cannot read it as JSON (${(err as Error).message}); pass the autopar-report.json of main's build`,
    );
  }
  if (parsed.schema !== 'autopar-report-v1' || !Array.isArray(parsed.kernels)) {
    throw new RegressionBaselineError(
      `regressionBaseline ${baselinePath}: field "schema" is not "autopar-report-v1" or "kernels" is missing; pass the autopar-report.json of main's build`,
    );
  }
  const linked = new Map<string, string>();
  for (const b of parsed.kernels) {
    if (typeof b.kernel === 'string' && b.chosen && typeof b.chosen.label === 'string') linked.set(b.kernel, b.chosen.label);
  }
  return { path: baselinePath, linked };
}

export function checkAgainstBaseline(baseline: Baseline, kernels: GateKernel[]): GateResult {
  const now = new Map(kernels.map((k) => [k.kernel, k]));
  const lost: LostVariant[] = [];
  for (const [kernel, label] of baseline.linked) {
    const k = now.get(kernel);
    if (!k || k.chosen) continue; // removed from the spec, or still has a variant
    lost.push({ kernel, baseline: label, cause: k.notVerifiedHere ? 'not-verified-here' : 'verdict', reason: k.reason });
  }
  return { baseline: baseline.path, lost, failed: lost.some((l) => l.cause === 'verdict') };
}

export class RegressionBaselineError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RegressionBaselineError';
  }
}

/** Thrown after the artifact and report are written, so CI keeps both and still fails. */
export class RegressionGateError extends Error {
  constructor(readonly gate: GateResult) {
    const names = gate.lost.filter((l) => l.cause === 'verdict').map((l) => `${l.kernel} (had ${l.baseline}; now: ${l.reason})`);
    super(`regression gate: ${names.length} kernel(s) lost the verified variant they had in ${gate.baseline}: ${names.join('; ')}`);
    this.name = 'RegressionGateError';
  }
}
