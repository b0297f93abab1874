// The autopar pipeline for one project: for each kernel in the spec —
// extract, key, look up, (on a miss) propose + verify + choose + store —
// then splice the chosen variants into their translation units, compile and link.
// Used by the Nx executor and by `autopar build`; knows nothing of Nx.
import { readFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadSpecFile, checkSpecAgainstSignature } from '../spec/load.js';
import { extractSpecKernel, readSpecSource } from '../spec/kernel-source.js';
import type { KernelSpec } from '../spec/types.js';
import type { KernelUnit } from '../kernel/types.js';
import { extractKernels } from '../kernel/extract.js';
import { spliceFunction } from '../kernel/splice.js';
import { computeKey, kernelKeyPart, proposerKeyPart, type KeyInputs } from '../kernel/key.js';
import { fingerprintToolchain } from '../toolchain/fingerprint.js';
import { FsStore } from '../store/fs-store.js';
import type { CandidateRecord, Manifest } from '../store/types.js';
import type { Candidate, ProposerIdentity } from '../propose/types.js';
import type { OllamaOutput } from '../propose/ollama.js';
import type { Verdict, VerifyPolicy } from '../verify/types.js';
import { resolvePolicy } from '../verify/policy.js';
import { chooseVariant, clearsThreshold } from './choose.js';
import { resolveProposer, type ProposerChoice, type ResolvedProposer } from './proposer.js';
import { compileAndLink } from './link.js';
import { AUTOPAR_VERSION } from '../version.js';

export interface BuildOptions {
  workspaceRoot: string;
  /** Absolute project folder (holds the spec). */
  projectRoot: string;
  projectName: string;
  /** Source files relative to projectRoot. */
  sources: string[];
  /** Spec file relative to projectRoot. */
  spec: string;
  /** Absolute output folder. */
  outputPath: string;
  artifactName: string;
  kind: 'executable' | 'static-library';
  cc: string;
  cflags: string[];
  ldflags: string[];
  proposer: ProposerChoice;
  model: string;
  ollamaHost?: string;
  /**
   * What an Ollama model is asked for: 'function' (default: the whole rewritten function),
   * 'plan' (a JSON plan, checked for legality before it is applied) or 'both'. Part of
   * the proposer identity, so of the key.
   */
  modelOutput?: OllamaOutput;
  /**
   * Also check whole-function candidates' `#pragma omp` lines as an implied plan
   * (verify stage plan-legality, before compile). Default true. Plans are always checked.
   */
  checkImpliedPlans?: boolean;
  /** Minimum median speedup for a variant to be linked. */
  threshold: number;
  /** Absolute store folder. */
  cacheDir: string;
  /** Propose nothing new: cache hits or the original. */
  offline?: boolean;
  policy?: Partial<VerifyPolicy>;
  requestTimeoutMs?: number;
  log: (line: string) => void;
  verbose?: boolean;
}

export type Outcome = 'cache-hit' | 'generated' | 'original';

/** One candidate in the report: its record, and for plan candidates the plan and its legality. */
export type CandidateReport = CandidateRecord & { functionText?: string; plan?: unknown; legality?: Candidate['legality'] };

export interface KernelReport {
  kernel: string;
  source: string;
  key: string;
  outcome: Outcome;
  /** Why this outcome, in one line. */
  reason: string;
  /** Who would propose on a miss (identity in the key). */
  proposer: ProposerIdentity;
  chosen: { label: string; proposer: ProposerIdentity; speedup: CandidateRecord['verdict']['speedup'] } | null;
  candidates: CandidateReport[];
  durationMs: number;
}

export interface BuildReport {
  schema: 'autopar-report-v1';
  project: string;
  autoparVersion: string;
  createdAt: string;
  proposerNote?: string;
  toolchain: unknown;
  threshold: number;
  kernels: KernelReport[];
  artifact: string;
  splicedSources: string[];
}

export async function buildProject(opts: BuildOptions): Promise<BuildReport> {
  const log = opts.log;
  const specPath = resolve(opts.projectRoot, opts.spec);
  const { file: specFile, dir: specDir } = await loadSpecFile(specPath);

  // Every kernel's spec is checked against its C signature before anything is proposed,
  // verified or stored: a mistake in the last kernel must not cost the first one's verification.
  const sourcePaths = opts.sources.map((s) => resolve(opts.projectRoot, s));
  const texts = new Map<string, string>();
  for (const p of sourcePaths) texts.set(p, await readFile(p, 'utf8'));
  const kernels: Array<{ kspec: KernelSpec; sourcePath: string; text: string; unit: KernelUnit }> = [];
  for (const [index, kspec] of specFile.kernels.entries()) {
    const sourcePath = resolve(specDir, kspec.source);
    let text = texts.get(sourcePath);
    if (text === undefined) {
      // A kernel source that is not in `sources` is still verified against; it is not linked.
      // A typo in `source` is a spec error naming the file and the field.
      text = await readSpecSource(specPath, sourcePath, kspec, index);
      texts.set(sourcePath, text);
      log(`warning: ${kspec.source} (kernel ${kspec.name}) is not among the target's sources; it is not linked`);
    }
    const unit = extractSpecKernel(specPath, text, sourcePath, kspec, index);
    checkSpecAgainstSignature(kspec, unit, specPath);
    kernels.push({ kspec, sourcePath, text, unit });
  }

  const policy: VerifyPolicy = resolvePolicy(opts.policy);
  const toolchain = await fingerprintToolchain({ cc: opts.cc, cflags: opts.cflags, ldflags: opts.ldflags });
  const store = new FsStore(opts.cacheDir, { onWarning: (w: string) => log(`warning: ${w}`) });

  // Resolved once per build: the identity goes into every key, the proposer runs only on misses.
  const neverPropose = opts.offline || opts.proposer === 'none';
  const found = await resolveProposer({
    choice: opts.proposer,
    model: opts.model,
    host: opts.ollamaHost,
    cacheDir: opts.cacheDir,
    // Offline builds still need the identity for their keys, but must not wait long for it.
    timeoutMs: neverPropose ? 2000 : opts.requestTimeoutMs,
  });
  let resolved: ResolvedProposer = neverPropose ? { ...found, proposer: null } : found;
  if (opts.modelOutput && opts.modelOutput !== 'function' && resolved.identity.kind === 'ollama') {
    // The output form changes the prompt: it is in the identity (and the key), also when
    // the identity was recalled for an offline lookup.
    const { OllamaProposer, identityForOutput } = await import('../propose/ollama.js');
    const proposer = resolved.proposer instanceof OllamaProposer ? resolved.proposer.withOptions({ output: opts.modelOutput }) : resolved.proposer;
    resolved = { ...resolved, proposer, identity: identityForOutput(resolved.identity, opts.modelOutput) };
  }
  if (resolved.note) log(`autopar: ${resolved.note}`);

  const reports: KernelReport[] = [];
  const chosenTexts = new Map<string, Array<{ kernel: string; text: string }>>();
  for (const { kspec, sourcePath, text, unit } of kernels) {
    const report = await processKernel({ opts, kspec, unit, sourcePath, sourceText: text, store, resolved, toolchain, policy });
    reports.push(report);
    const chosen = report.candidates.find((c) => c.label === report.chosen?.label);
    if (report.chosen && chosen?.functionText) {
      const list = chosenTexts.get(sourcePath) ?? [];
      list.push({ kernel: kspec.name, text: chosen.functionText });
      chosenTexts.set(sourcePath, list);
    }
    log(progressLine(report));
  }

  const units = sourcePaths.map((path) => {
    const variants = chosenTexts.get(path);
    if (!variants) return { path };
    let text = texts.get(path)!;
    // Re-extract before each splice: a splice may move the next kernel (hoisted includes).
    for (const v of variants) {
      const [unit] = extractKernels(text, path, [v.kernel]);
      text = spliceFunction(text, unit!, v.text);
    }
    return { path, text };
  });
  const { artifact, splicedSources } = await compileAndLink({
    units,
    outDir: opts.outputPath,
    artifactName: opts.artifactName,
    kind: opts.kind,
    cc: opts.cc,
    cflags: opts.cflags,
    ldflags: opts.ldflags,
    log: opts.verbose ? log : undefined,
  });

  const report: BuildReport = {
    schema: 'autopar-report-v1',
    project: opts.projectName,
    autoparVersion: AUTOPAR_VERSION,
    createdAt: new Date().toISOString(),
    proposerNote: resolved.note,
    toolchain,
    threshold: opts.threshold,
    kernels: reports,
    artifact,
    splicedSources,
  };
  await mkdir(opts.outputPath, { recursive: true });
  await writeFile(join(opts.outputPath, 'autopar-report.json'), JSON.stringify(report, null, 2) + '\n');
  return report;
}

interface KernelContext {
  opts: BuildOptions;
  kspec: KernelSpec;
  /** The kernel as extracted from sourceText (its spec already checked against it). */
  unit: KernelUnit;
  sourcePath: string;
  sourceText: string;
  store: FsStore;
  resolved: ResolvedProposer;
  toolchain: unknown;
  policy: VerifyPolicy;
}

async function processKernel(ctx: KernelContext): Promise<KernelReport> {
  const started = performance.now();
  const { opts, kspec, store, resolved } = ctx;
  const unit = ctx.unit;
  // Default on (as in resolveBuildOptions) for callers that build BuildOptions by hand.
  const impliedPlans = opts.checkImpliedPlans ?? true;
  const keyInputs: KeyInputs = {
    schema: 'autopar-key-v1',
    kernel: kernelKeyPart(unit),
    spec: specForKey(kspec),
    target: { cflags: opts.cflags, ldflags: opts.ldflags, kind: opts.kind, threshold: opts.threshold },
    toolchain: ctx.toolchain,
    proposer: proposerKeyPart(resolved.identity),
    // Checking implied plans can only reject more: a verdict made with it is not one made without it.
    verifyPolicy: impliedPlans ? { ...ctx.policy, impliedPlanCheck: true } : ctx.policy,
    autoparVersion: AUTOPAR_VERSION,
  } as KeyInputs;
  const { key, inputs } = computeKey(keyInputs);
  const base = {
    kernel: kspec.name,
    source: ctx.sourcePath,
    key,
    proposer: resolved.identity,
  };

  const hit = await store.getManifest(key, inputs);
  if (hit) {
    const candidates = await withTexts(store, hit);
    const chosen = hit.candidates.find((c) => c.sourceDigest === hit.chosen && c.label === hit.chosenLabel) ?? null;
    return {
      ...base,
      outcome: 'cache-hit',
      reason: chosen ? `cached: ${chosen.label} verified` : 'cached: no verified variant; original kept',
      chosen: chosen ? { label: chosen.label, proposer: chosen.proposer, speedup: chosen.verdict.speedup } : null,
      candidates,
      durationMs: performance.now() - started,
    };
  }
  if (!resolved.proposer) {
    return {
      ...base,
      outcome: 'original',
      reason: opts.offline ? 'offline: not in the store; original kept' : 'no proposer available; original kept',
      chosen: null,
      candidates: [],
      durationMs: performance.now() - started,
    };
  }

  // The analyzer's summary for the prompt: only on a miss, never on the lookup path.
  let facts: string | undefined;
  try {
    const { kernelFacts } = await import('../analysis/index.js');
    facts = kernelFacts(unit, kspec);
  } catch (err) {
    opts.log(`warning: ${kspec.name}: no analyzer facts for the prompt (${err instanceof Error ? err.message : String(err)})`);
  }

  let proposals: Candidate[];
  try {
    opts.log(`autopar: ${kspec.name}: changed or new, asking ${describe(resolved.identity)}`);
    proposals = await resolved.proposer.propose({
      unit,
      spec: kspec,
      sourceText: ctx.sourceText,
      sourcePath: ctx.sourcePath,
      facts,
    });
  } catch (err) {
    // A proposer failure is not a verdict: nothing is stored, the next build asks again.
    return {
      ...base,
      outcome: 'original',
      reason: `proposer failed: ${err instanceof Error ? err.message : String(err)}; original kept`,
      chosen: null,
      candidates: [],
      durationMs: performance.now() - started,
    };
  }

  const { verifyCandidate } = await import('../verify/verify.js');
  const workRoot = await makeWorkRoot(opts, key);
  const records: CandidateReport[] = [];
  const originalCache = {};
  const verify = (cand: Candidate, i: number, mode: 'screen' | 'full') =>
    verifyCandidate({
      unit,
      spec: kspec,
      sourceText: ctx.sourceText,
      sourcePath: ctx.sourcePath,
      candidateText: cand.functionText,
      toolchain: { cc: opts.cc, cflags: opts.cflags, ldflags: opts.ldflags },
      policy: ctx.policy,
      workDir: join(workRoot, `${mode}-${i}`),
      log: opts.verbose ? opts.log : undefined,
      originalCache,
      // Plans are checked before anything compiles (verify/plan-legality.ts).
      plan: cand.plan,
      impliedPlan: impliedPlans,
      mode,
    });
  try {
    // Screen every candidate (gates, compile, benchmark at the bench size), then fully
    // verify the fast ones, fastest first, until one is verified and still clears the
    // threshold: the full verifier runs once or twice per kernel, not once per candidate.
    const screened = [];
    for (const [i, cand] of proposals.entries()) {
      opts.log(`autopar: ${kspec.name}: screening ${cand.label}`);
      screened.push({ cand, i, verdict: await verify(cand, i, 'screen') });
    }
    const ranked = screened
      .filter((s) => s.verdict.accepted && (s.verdict.speedup?.median ?? 0) >= opts.threshold)
      .sort((a, b) => b.verdict.speedup!.median - a.verdict.speedup!.median);
    const full = new Map<number, Verdict>();
    for (const s of ranked) {
      opts.log(`autopar: ${kspec.name}: verifying ${s.cand.label} (screened at ${s.verdict.speedup!.median.toFixed(2)}x)`);
      const verdict = await verify(s.cand, s.i, 'full');
      full.set(s.i, verdict);
      if (verdict.accepted && clearsThreshold(verdict.speedup, opts.threshold)) break;
    }
    for (const { cand, i, verdict: screen } of screened) {
      const verdict = full.get(i) ?? notFullyVerified(screen, opts.threshold);
      // A plan rejected before it was applied has no text: its blob is the plan itself.
      const blob = cand.functionText || (cand.plan !== undefined ? JSON.stringify(cand.plan, null, 2) + '\n' : '');
      const sourceDigest = await store.putBlob(blob);
      records.push({
        label: cand.label,
        proposer: cand.proposer,
        sourceDigest,
        verdict,
        functionText: cand.functionText,
        ...(cand.plan !== undefined ? { plan: cand.plan, legality: cand.legality } : {}),
      });
      opts.log(`autopar: ${kspec.name}: ${cand.label}: ${verdict.accepted ? 'verified' : 'rejected'} — ${verdict.reason}`);
    }
  } finally {
    // Scratch only (the original's build, test outputs); verdicts and texts are in the records.
    await rm(workRoot, { recursive: true, force: true }).catch(() => {});
  }
  const choice = chooseVariant(records, opts.threshold);
  const manifest: Manifest = {
    schema: 'autopar-manifest-v1',
    key,
    keyInputs: inputs,
    kernel: kspec.name,
    createdAt: new Date().toISOString(),
    candidates: records.map(({ functionText: _t, plan: _p, legality: _l, ...r }) => r),
    chosen: choice.chosen?.sourceDigest ?? null,
    chosenLabel: choice.chosen?.label ?? null,
  };
  await store.putManifest(manifest);
  return {
    ...base,
    outcome: choice.chosen ? 'generated' : 'original',
    reason: choice.reason,
    chosen: choice.chosen
      ? { label: choice.chosen.label, proposer: choice.chosen.proposer, speedup: choice.chosen.verdict.speedup }
      : null,
    candidates: records,
    durationMs: performance.now() - started,
  };
}

/**
 * A scratch folder for one kernel's verification in this build. Unique per build, so two
 * builds of one key at once (CI jobs sharing a cache) never build or run in each other's
 * files. In the cache folder when it is writable, else in the system temp folder: an
 * unwritable cache costs caching, not the build.
 */
async function makeWorkRoot(opts: BuildOptions, key: string): Promise<string> {
  const prefix = `${key.slice(0, 16)}-`;
  try {
    const parent = join(opts.cacheDir, 'work');
    await mkdir(parent, { recursive: true });
    return await mkdtemp(join(parent, prefix));
  } catch (err) {
    const dir = await mkdtemp(join(tmpdir(), `autopar-work-${prefix}`));
    opts.log(`warning: cannot use ${join(opts.cacheDir, 'work')} for verification (${(err as Error).message}); using ${dir}`);
    return dir;
  }
}

/**
 * The verdict of a candidate that screening did not send to full verification: rejected
 * at screening, or passed it but slower than the threshold or than the one linked.
 */
function notFullyVerified(screen: Verdict, threshold: number): Verdict {
  if (!screen.accepted) return screen;
  const s = screen.speedup?.median ?? 0;
  const why = s < threshold ? `${s.toFixed(2)}x at screening, below the ${threshold}x threshold` : 'a faster candidate was verified';
  return { ...screen, accepted: false, stage: 'benchmark', reason: `not fully verified: ${why}` };
}

/** The spec minus prose: a reworded description must not cost a regeneration. */
function specForKey(kspec: KernelSpec): Omit<KernelSpec, 'description'> {
  const { description: _description, ...rest } = kspec;
  return rest;
}

async function withTexts(store: FsStore, m: Manifest): Promise<Array<CandidateRecord & { functionText?: string }>> {
  const out: Array<CandidateRecord & { functionText?: string }> = [];
  for (const c of m.candidates) {
    // Only the chosen text is needed to link; the others stay in the store.
    const text = c.sourceDigest === m.chosen ? (await store.getBlob(c.sourceDigest))?.toString('utf8') : undefined;
    out.push({ ...c, functionText: text });
  }
  return out;
}

function describe(id: ProposerIdentity): string {
  return id.model ? `${id.kind} ${id.model}` : id.kind;
}

function progressLine(r: KernelReport): string {
  const ms = `${Math.round(r.durationMs)} ms`;
  if (r.chosen) {
    const s = r.chosen.speedup ? ` ${r.chosen.speedup.median.toFixed(2)}x` : '';
    return `autopar: ${r.kernel}: ${r.outcome} → ${r.chosen.label} (${describe(r.chosen.proposer)})${s} [${ms}]`;
  }
  return `autopar: ${r.kernel}: ${r.outcome} → original (${r.reason}) [${ms}]`;
}

