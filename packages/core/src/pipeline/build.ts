// The autopar pipeline for one project: for each kernel in the spec —
// extract, key, look up, (on a miss) propose + verify + choose + store —
// then splice the chosen variants into their translation units, compile and link.
// Used by the Nx executor and by `autopar build`; knows nothing of Nx.
import { readFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { loadSpecFile, checkSpecAgainstSignature } from '../spec/load.js';
import { extractSpecKernel, readSpecSource } from '../spec/kernel-source.js';
import type { KernelSpec } from '../spec/types.js';
import type { KernelUnit } from '../kernel/types.js';
import { extractKernels } from '../kernel/extract.js';
import { spliceFunction } from '../kernel/splice.js';
import { describeGuard, guardedKernelText, guardForText, SizeGuardTextError, variantName, type GuardForText } from '../kernel/size-guard-text.js';
import { splitNamedKernel } from '../kernel/own-tu.js';
import { canonicalJson, computeKey, kernelKeyPart, proposerKeyPart, type KeyInputs } from '../kernel/key.js';
import { createHash } from 'node:crypto';
import { fingerprintToolchain } from '../toolchain/fingerprint.js';
import { TieredStore, type StoreHit } from '../store/tiered-store.js';
import type { CandidateRecord, Manifest } from '../store/types.js';
import { describeProposer, type Candidate, type CompileRecipe, type ProposeTools, type ProposerIdentity } from '../propose/types.js';
import { fewShotExamples } from './few-shot-examples.js';
import type { ModelOutput } from '../propose/model-forms.js';
import type { RecipeName } from '../propose/compiler.js';
import type { Rejection } from '../propose/model-forms.js';
import type { Verdict, VerifyPolicy } from '../verify/types.js';
import { resolvePolicy } from '../verify/policy.js';
import { quickConditionsKeyPart, type ConditionsKeyPart } from '../verify/conditions.js';
import { describeSpeedDecision, speedDecisionOf } from '../verify/benchmark-stats.js';
import { chooseVariant, manifestSpeedFields, passedScreening, screenedInconclusive, settleSpeed, speedDecision, verificationOrder } from './choose.js';
import { expandSources } from './sources.js';
import { resolveProposer, type ModelOptions, type ModelSpendReport, type ProposerChoice, type ResolvedProposer } from './proposer.js';
import { compileAndLink, type CompileUnit } from './link.js';
import { AUTOPAR_VERSION } from '../version.js';
import { writeHtmlReportBeside } from '../report/write.js';
import { checkAgainstBaseline, loadBaseline, recheckRemoteHit, RegressionGateError, type GateResult } from './shared-store.js';

export interface BuildOptions extends ModelOptions {
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
  /** Compile recipes proposed beside the proposer's candidates (propose/compiler.ts); none by default. */
  compilerRecipes?: RecipeName[];
  model: string;
  ollamaHost?: string;
  /**
   * What an Ollama model is asked for: 'function' (default: the whole rewritten function),
   * 'plan' (a JSON plan, checked for legality before it is applied) or 'both'. Part of
   * the proposer identity, so of the key.
   */
  modelOutput?: ModelOutput;
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
  // --- shared store (store/tiered-store.ts, pipeline/shared-store.ts) ---
  /** Size cap of the local store in bytes (LRU eviction); none when absent. */
  cacheMaxBytes?: number;
  /** HTTP remote in the bazel-remote layout (GET/PUT/HEAD <url>/ac/<key>, <url>/cas/<sha256>). */
  remoteCache?: { url: string; authorization?: string; caFile?: string; timeoutMs?: number; retries?: number };
  /** Never write the remote (PR builds, developer machines). */
  storeReadonly?: boolean;
  /** Link remote hits without re-checking them: only for a remote only CI can write. */
  remoteCacheTrusted?: boolean;
  /** CI mode: use the store, keep the original on a miss, never call a model, list the misses. */
  noGenerate?: boolean;
  /** main's autopar-report.json: fail when a kernel that had a verified variant there has none now. */
  regressionBaseline?: string;
  /**
   * Verdicts shared by the builds of one process (the evaluation grid): a candidate text
   * already screened or verified for the same kernel, toolchain, policy and threshold under
   * another proposer is not run again. Absent: every build verifies for itself.
   */
  verdictMemo?: Map<string, Promise<Verdict>>;
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
  /** Model answers that gave no candidate, with why. */
  rejected?: Rejection[];
  durationMs: number;
  /** The original is kept for now: a verified candidate's speed was inconclusive; a later build re-measures it. */
  speedPending?: boolean;
  /** This build re-measured the speed of candidates a stored manifest left inconclusive. */
  remeasured?: boolean;
  /** Checks that did not run for this kernel's candidates (why, and whether the user allowed it). */
  skippedChecks?: string[];
  /** For a cache hit: which store answered. */
  storeOrigin?: StoreHit['origin'];
  /** For a remote hit that was not trusted: the re-check's verdict. */
  recheck?: Verdict;
  /** Nothing was decided about this kernel in this build (miss without generating). */
  notVerifiedHere?: boolean;
  /** The original function's text, as extracted (the HTML report diffs candidates against it). */
  originalText?: string;
}

export interface BuildReport {
  schema: 'autopar-report-v1';
  project: string;
  autoparVersion: string;
  createdAt: string;
  proposerNote?: string;
  toolchain: unknown;
  threshold: number;
  /** What verification could check on this machine (also in the key): sandbox, race detector, explicit opt-outs. */
  verification: ConditionsKeyPart & { note: string };
  kernels: KernelReport[];
  artifact: string;
  splicedSources: string[];
  /** Kernels a --no-generate build found in neither store (their original is linked). */
  missed?: string[];
  /** The regression gate's findings, when a baseline was given. */
  regressionGate?: GateResult;
  /** What the model spent in this build, and its budget (absent when no model was configured). */
  modelSpend?: ModelSpendReport;
  /** Set by the evaluation grid (tools/eval.mjs): which cell of the grid this build is. */
  evalCell?: EvalCell;
}

/** One cell of the evaluation grid: the model, strategy and output form a build ran with. */
export interface EvalCell {
  model: string;
  /** The model was the scripted test server (canned answers, not a model). */
  scripted: boolean;
  strategy: string;
  form: string;
  project: string;
}

export async function buildProject(opts: BuildOptions): Promise<BuildReport> {
  const log = opts.log;
  const specPath = resolve(opts.projectRoot, opts.spec);
  const { file: specFile, dir: specDir } = await loadSpecFile(specPath);

  // Every kernel's spec is checked against its C signature before anything is proposed,
  // verified or stored: a mistake in the last kernel must not cost the first one's verification.
  const sourcePaths = expandSources(opts.projectRoot, opts.sources);
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
  // What this machine can check goes into every key and every report.
  const conditions = quickConditionsKeyPart(policy);
  const conditionsNote = describeKeyConditions(conditions);
  if (conditionsNote) log(`autopar: verification: ${conditionsNote}`);
  const baseline = opts.regressionBaseline ? await loadBaseline(opts.regressionBaseline) : undefined;
  const toolchain = await fingerprintToolchain({ cc: opts.cc, cflags: opts.cflags, ldflags: opts.ldflags });
  const store = new TieredStore({
    root: opts.cacheDir,
    local: { maxBytes: opts.cacheMaxBytes },
    remote: opts.remoteCache && { ...opts.remoteCache, readOnly: opts.storeReadonly },
    remoteTrusted: opts.remoteCacheTrusted,
    onWarning: (w: string) => log(`warning: ${w}`),
  });

  // Resolved once per build: the identity goes into every key, the proposer runs only on misses.
  const neverPropose = opts.offline || opts.noGenerate || opts.proposer === 'none';
  const found = await resolveProposer({
    choice: opts.proposer,
    model: opts.model,
    host: opts.ollamaHost,
    cacheDir: opts.cacheDir,
    // Offline builds still need the identity for their keys, but must not wait long for it.
    timeoutMs: neverPropose ? 2000 : opts.requestTimeoutMs,
    // The output form changes the prompt: it is in the identity (and the key).
    modelOutput: opts.modelOutput,
    embeddedModel: opts.embeddedModel,
    embeddedOutput: opts.embeddedOutput,
    modelsDir: opts.modelsDir,
    modelThreads: opts.modelThreads,
    modelMaxCalls: opts.modelMaxCalls,
    modelMaxSeconds: opts.modelMaxSeconds,
    strategy: opts.strategy,
    samples: opts.samples,
    strategyBudget: opts.strategyBudget,
    compilerRecipes: opts.compilerRecipes,
    cc: opts.cc,
    cflags: opts.cflags,
  });
  const resolved: ResolvedProposer = neverPropose ? { ...found, proposer: null } : found;
  if (resolved.note) log(`autopar: ${resolved.note}`);

  const reports: KernelReport[] = [];
  const chosenTexts = new Map<string, Array<{ kernel: string; text: string; recipe?: CompileRecipe; guard?: GuardForText }>>();
  for (const { kspec, sourcePath, text, unit } of kernels) {
    let report: KernelReport;
    try {
      report = await processKernel({ opts, kspec, unit, sourcePath, sourceText: text, store, resolved, toolchain, policy, conditions });
      report.originalText = unit.sourceText;
    } catch (err) {
      await store.close();
      throw err;
    }
    reports.push(report);
    const chosen = report.candidates.find((c) => c.label === report.chosen?.label);
    if (report.chosen && chosen?.functionText) {
      const list = chosenTexts.get(sourcePath) ?? [];
      const guard = guardForText(chosen.verdict.sizeGuard);
      list.push({ kernel: kspec.name, text: chosen.functionText, ...(chosen.recipe ? { recipe: chosen.recipe } : {}), ...(guard ? { guard } : {}) });
      chosenTexts.set(sourcePath, list);
    }
    log(progressLine(report, conditionsNote));
  }

  const units = sourcePaths.flatMap((path): CompileUnit[] => {
    const variants = chosenTexts.get(path);
    if (!variants) return [{ path }];
    let text = texts.get(path)!;
    const own: CompileUnit[] = [];
    // Re-extract before each splice: a splice may move the next kernel (hoisted includes).
    for (const v of variants) {
      const [unit] = extractKernels(text, path, [v.kernel]);
      // With a size guard the original stays beside the variant, for the sizes it is faster at.
      const guarded = v.guard ? guardedText(unit!, v.text, v.guard, !!v.recipe, log) : undefined;
      text = spliceFunction(text, unit!, guarded ?? v.text);
      if (!v.recipe) continue;
      // A compiler's variant: the kernel in a translation unit of its own, compiled with its
      // recipe, exactly as it was verified; the file keeps a declaration.
      const split = splitNamedKernel(text, path, guarded ? variantName(v.kernel) : v.kernel);
      text = split.restTu;
      own.push({ path: join(dirname(path), `autopar-kernel-${v.kernel}.c`), text: split.kernelTu, cc: v.recipe.cc, cflags: v.recipe.cflags });
    }
    return [{ path, text }, ...own];
  });
  await store.close(); // appends this build's counters to the store's statistics
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
    verification: { ...conditions, note: conditionsNote || 'sandbox on, race detector present, nothing allowed unverified' },
    kernels: reports,
    artifact,
    splicedSources,
    ...(resolved.spend ? { modelSpend: resolved.spend() } : {}),
  };
  if (opts.noGenerate) {
    report.missed = reports.filter((r) => r.notVerifiedHere).map((r) => r.kernel);
    log(
      report.missed.length === 0
        ? 'autopar: no-generate: every kernel was answered by the store'
        : `autopar: no-generate: ${report.missed.length} kernel(s) missed the store and keep the original: ${report.missed.join(', ')}`,
    );
  }
  if (baseline) report.regressionGate = checkAgainstBaseline(baseline, reports);
  await mkdir(opts.outputPath, { recursive: true });
  await writeFile(join(opts.outputPath, 'autopar-report.json'), JSON.stringify(report, null, 2) + '\n');
  await writeHtmlReportBeside(report, opts.outputPath, log);
  if (report.regressionGate) {
    for (const l of report.regressionGate.lost) {
      const what = l.cause === 'verdict' ? 'REGRESSION' : 'not checked (not verified in this build)';
      log(`autopar: regression gate: ${l.kernel} had ${l.baseline} in the baseline and has no variant now: ${what} — ${l.reason}`);
    }
    if (report.regressionGate.failed) throw new RegressionGateError(report.regressionGate);
  }
  return report;
}

interface KernelContext {
  opts: BuildOptions;
  kspec: KernelSpec;
  /** The kernel as extracted from sourceText (its spec already checked against it). */
  unit: KernelUnit;
  sourcePath: string;
  sourceText: string;
  store: TieredStore;
  resolved: ResolvedProposer;
  toolchain: unknown;
  policy: VerifyPolicy;
  conditions: ConditionsKeyPart;
}

/** The key's verifyPolicy field: the policy, whether implied plans are checked, and what this machine can check. */
export function verifyPolicyKeyPart(policy: VerifyPolicy, impliedPlans: boolean, conditions: ConditionsKeyPart): KeyInputs['verifyPolicy'] {
  return { ...policy, ...(impliedPlans ? { impliedPlanCheck: true } : {}), conditions };
}

/** At most this many candidates of a kernel are fully verified in one build. */
export const MAX_FULL_VERIFICATIONS = 3;


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
    // What the machine could check (sandbox, race detector) and what the user allowed to go
    // unchecked are part of the policy: a verdict made with less checking is never served to more.
    verifyPolicy: verifyPolicyKeyPart(ctx.policy, impliedPlans, ctx.conditions),
    autoparVersion: AUTOPAR_VERSION,
  } as KeyInputs;
  const { key, inputs } = computeKey(keyInputs);
  const base = {
    kernel: kspec.name,
    source: ctx.sourcePath,
    key,
    proposer: resolved.identity,
  };

  if (unit.language !== 'c') {
    // Nothing is proposed, verified or stored: no variant of it can be linked yet.
    return { ...base, outcome: 'original', reason: 'CUDA kernels are not verified yet; the original is kept', chosen: null, candidates: [], durationMs: performance.now() - started };
  }

  const found = await store.lookup(key, inputs);
  const checked = found && (await recheckIfRemote(ctx, found, key));
  if (found && checked && found.manifest.speedDecision === 'pending' && !opts.offline) {
    // Re-measuring is compile + benchmark of stored candidates: no model call, also under no-generate.
    const again = await remeasure(ctx, found.manifest, key, started);
    if (again) return { ...base, ...again };
  }
  if (found && checked) {
    const hit = found.manifest;
    const candidates = await withTexts(store, hit);
    const chosen = hit.candidates.find((c) => c.sourceDigest === hit.chosen && c.label === hit.chosenLabel) ?? null;
    const from = found.origin === 'remote' ? (checked.recheck ? 'remote, re-checked' : 'remote, trusted') : '';
    return {
      ...base,
      outcome: 'cache-hit',
      reason: chosen
        ? `cached${from && ` (${from})`}: ${chosen.label} verified`
        : hit.speedDecision === 'pending'
          ? `cached${from && ` (${from})`}: speed inconclusive, original kept for now (offline: not re-measured)`
          : `cached${from && ` (${from})`}: no verified variant; original kept`,
      speedPending: hit.speedDecision === 'pending' || undefined,
      chosen: chosen ? { label: chosen.label, proposer: chosen.proposer, speedup: chosen.verdict.speedup } : null,
      candidates,
      durationMs: performance.now() - started,
      storeOrigin: found.origin,
      ...(checked.recheck && { recheck: checked.recheck }),
    };
  }
  if (!resolved.proposer) {
    return {
      ...base,
      outcome: 'original',
      reason: opts.noGenerate
        ? 'no-generate: not in the store; original kept'
        : opts.offline
          ? 'offline: not in the store; original kept'
          : 'no proposer available; original kept',
      chosen: null,
      candidates: [],
      durationMs: performance.now() - started,
      notVerifiedHere: true,
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

  const { verifyCandidate } = await import('../verify/verify.js');
  const workRoot = await makeWorkRoot(opts, key);
  const records: CandidateReport[] = [];
  const originalCache = {};
  const verifyHere = (cand: Candidate, i: number, mode: 'screen' | 'full') =>
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
      threshold: opts.threshold,
      ...(cand.recipe ? { recipe: cand.recipe } : {}),
    });
  // One verdict per mode for the same text, plan and recipe: a strategy that screens its own
  // answers (tree-of-thoughts, ReAct) and the build's screening below never run one twice,
  // and the builds of one process that share `verdictMemo` (the evaluation grid) share them
  // too — the key is the build's key inputs without the proposer.
  const memo = opts.verdictMemo ?? new Map<string, Promise<Verdict>>();
  const memoBase = canonicalJson({ ...inputs, proposer: null, threshold: opts.threshold });
  let runs = 0;
  const verify = (cand: Candidate, mode: 'screen' | 'full'): Promise<Verdict> => {
    const id = createHash('sha256').update(`${memoBase}\u0000${mode}\u0000${cand.functionText}\u0000${JSON.stringify(cand.plan ?? null)}\u0000${JSON.stringify(cand.recipe ?? null)}`).digest('hex');
    const known = memo.get(id);
    if (known) return known;
    if (mode === 'screen') opts.log(`autopar: ${kspec.name}: screening ${cand.label}`);
    const v = verifyHere(cand, runs++, mode);
    memo.set(id, v);
    v.catch(() => memo.delete(id));
    return v;
  };
  const screen = (cand: Candidate) => verify(cand, 'screen');
  const tools: ProposeTools = {
    async screen(cand) {
      const v = await screen(cand);
      return { passed: passedScreening(v), stage: v.stage ?? 'benchmark', reason: v.reason, ...(v.speedup ? { speedup: v.speedup.median } : {}) };
    },
  };

  // Few-shot examples: the store's verified variants nearest to this kernel (a miss of a few-shot build only).
  const examples = opts.strategy === 'few-shot' ? await fewShotExamples(opts.cacheDir, unit) : undefined;
  let proposals: Candidate[];
  let rejected: Rejection[] | undefined;
  try {
    opts.log(`autopar: ${kspec.name}: changed or new, asking ${describe(resolved.identity)}`);
    const request = { unit, spec: kspec, sourceText: ctx.sourceText, sourcePath: ctx.sourcePath, facts, tools, ...(examples ? { examples } : {}) };
    // Model proposers also say why an answer gave no candidate: kept for the report.
    const detailed = (resolved.proposer as { proposeDetailed?: (r: typeof request) => Promise<{ candidates: Candidate[]; rejected: Rejection[] }> }).proposeDetailed;
    if (detailed) {
      const r = await detailed.call(resolved.proposer, request);
      proposals = r.candidates;
      rejected = r.rejected;
      for (const x of rejected) opts.log(`autopar: ${kspec.name}: ${x.label}: no candidate — ${x.reason}`);
    } else {
      proposals = await resolved.proposer.propose(request);
    }
    const modelFailure = (resolved.proposer as { lastModelFailure?: string | null }).lastModelFailure;
    if (modelFailure) opts.log(`autopar: ${kspec.name}: the model gave no candidates (${modelFailure}); the analyzer's are verified`);
  } catch (err) {
    // A proposer failure is not a verdict: nothing is stored, the next build asks again.
    await rm(workRoot, { recursive: true, force: true }).catch(() => {});
    return {
      ...base,
      outcome: 'original',
      reason: `proposer failed: ${err instanceof Error ? err.message : String(err)}; original kept`,
      chosen: null,
      candidates: [],
      durationMs: performance.now() - started,
      notVerifiedHere: true,
    };
  }

  try {
    // Screen every candidate (gates, compile, benchmark at the bench size), then fully
    // verify the fast ones, fastest first, until one is verified and still clears the
    // threshold: the full verifier runs once or twice per kernel, not once per candidate.
    const screened = [];
    for (const [i, cand] of proposals.entries()) {
      screened.push({ cand, i, verdict: await screen(cand) });
    }
    // Screening's short benchmark ranks; only a candidate it shows conclusively slower is not verified.
    const ranked = verificationOrder(
      screened
        .filter((s) => passedScreening(s.verdict) && speedDecisionOf(s.verdict.speedup!, opts.threshold) !== 'slower')
        .map((s) => ({ ...s, label: s.cand.label, recipeName: s.cand.recipe?.name, speedup: s.verdict.speedup! })),
    );
    const full = new Map<number, Verdict>();
    for (const s of ranked) {
      // Bounded: on a busy machine nothing screens as conclusively slower; the rest is verified by later builds.
      if (full.size >= MAX_FULL_VERIFICATIONS) break;
      opts.log(`autopar: ${kspec.name}: verifying ${s.cand.label} (screened at ${s.verdict.speedup!.median.toFixed(2)}x)`);
      const verdict = await verify(s.cand, 'full');
      full.set(s.i, verdict);
      if (verdict.accepted && speedDecision(verdict, opts.threshold) === 'faster') break;
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
        ...(cand.recipe ? { recipe: cand.recipe } : {}),
        ...(cand.plan !== undefined ? { plan: cand.plan, legality: cand.legality } : {}),
      });
      opts.log(`autopar: ${kspec.name}: ${cand.label}: ${verdictWord(verdict)} — ${verdict.reason}`);
    }
  } finally {
    // Scratch only (the original's build, test outputs); verdicts and texts are in the records.
    await rm(workRoot, { recursive: true, force: true }).catch(() => {});
  }
  const choice = chooseVariant(records, opts.threshold);
  const skippedChecks = skippedChecksOf(records);
  const incomplete = records.some((r) => r.verdict.kind === 'incomplete');
  const manifest: Manifest = {
    schema: 'autopar-manifest-v1',
    key,
    keyInputs: inputs,
    kernel: kspec.name,
    createdAt: new Date().toISOString(),
    // The plan stays with its record: few-shot examples show what a verified plan looked like.
    candidates: records.map(({ functionText: _t, legality: _l, ...r }) => r),
    chosen: choice.chosen?.sourceDigest ?? null,
    chosenLabel: choice.chosen?.label ?? null,
    ...manifestSpeedFields(choice),
  };
  // A check that could not run here is no verdict to keep: a machine that can run it re-verifies.
  if (incomplete) opts.log(`autopar: ${kspec.name}: not stored: a required check did not run (${skippedChecks.join('; ')})`);
  else await store.putManifest(manifest);
  return {
    ...base,
    outcome: choice.chosen ? 'generated' : 'original',
    reason: choice.reason,
    chosen: choice.chosen
      ? { label: choice.chosen.label, proposer: choice.chosen.proposer, speedup: choice.chosen.verdict.speedup }
      : null,
    candidates: records,
    ...(rejected?.length ? { rejected } : {}),
    durationMs: performance.now() - started,
    ...(choice.pending ? { speedPending: true } : {}),
    ...(skippedChecks.length ? { skippedChecks } : {}),
  };
}

/**
 * A stored manifest whose speed decision is pending: re-measure the verified candidates
 * whose speed was inconclusive (compile + benchmark only; their correctness verdicts
 * stand, made under this same key) and store the new decision. Undefined when it cannot
 * (a text is gone from the store): the cached manifest is then served as it is.
 */
async function remeasure(
  ctx: KernelContext,
  hit: Manifest,
  key: string,
  started: number,
): Promise<Omit<KernelReport, 'kernel' | 'source' | 'key' | 'proposer'> | undefined> {
  const { opts, kspec, store } = ctx;
  // Verified candidates get their benchmark again; screened-only ones (screening could not
  // decide) are fully verified now, a few per build.
  const remeasured = hit.candidates.filter((c) => c.verdict.accepted && speedDecision(c.verdict, opts.threshold) === 'inconclusive');
  const unverified = hit.candidates.filter((c) => screenedInconclusive(c.verdict, opts.threshold)).slice(0, MAX_FULL_VERIFICATIONS);
  const pending = [...remeasured, ...unverified];
  const texts = new Map<string, string>();
  for (const c of pending) {
    const blob = await store.getBlob(c.sourceDigest);
    if (!blob) return undefined;
    texts.set(c.sourceDigest, blob.toString('utf8'));
  }
  const { verifyCandidate } = await import('../verify/verify.js');
  const workRoot = await makeWorkRoot(opts, key);
  const originalCache = {};
  const records: CandidateReport[] = [];
  try {
    for (const [i, c] of hit.candidates.entries()) {
      if (!pending.includes(c)) {
        records.push({ ...c });
        continue;
      }
      const full = !c.verdict.accepted;
      opts.log(`autopar: ${kspec.name}: ${full ? 'verifying' : 're-measuring'} ${c.label} (speed was inconclusive)`);
      const verdict = await verifyCandidate({
        unit: ctx.unit,
        spec: kspec,
        sourceText: ctx.sourceText,
        sourcePath: ctx.sourcePath,
        candidateText: texts.get(c.sourceDigest)!,
        toolchain: { cc: opts.cc, cflags: opts.cflags, ldflags: opts.ldflags },
        policy: ctx.policy,
        workDir: join(workRoot, `remeasure-${i}`),
        log: opts.verbose ? opts.log : undefined,
        originalCache,
        ...(full ? { mode: 'full' as const, impliedPlan: opts.checkImpliedPlans ?? true } : { mode: 'remeasure' as const, previous: c.verdict }),
        threshold: opts.threshold,
        ...(c.recipe ? { recipe: c.recipe } : {}),
      });
      opts.log(`autopar: ${kspec.name}: ${c.label}: ${verdictWord(verdict)} — ${verdict.reason}`);
      records.push({ ...c, verdict, functionText: texts.get(c.sourceDigest) });
    }
  } finally {
    await rm(workRoot, { recursive: true, force: true }).catch(() => {});
  }
  const choice = chooseVariant(records, opts.threshold);
  const settled = settleSpeed(hit, choice);
  const pendingNow = settled.pending;
  const reason = settled.why ? `${choice.reason.replace(/; original kept for now, re-measured on the next build$/, '')}; ${settled.why}: original kept` : choice.reason;
  await store.putManifest({
    ...hit,
    createdAt: new Date().toISOString(),
    // The plan stays with its record: few-shot examples show what a verified plan looked like.
    candidates: records.map(({ functionText: _t, legality: _l, ...r }) => r),
    chosen: choice.chosen?.sourceDigest ?? null,
    chosenLabel: choice.chosen?.label ?? null,
    speedDecision: pendingNow ? 'pending' : 'final',
    speedMeasurements: settled.speedMeasurements,
    quietSpeedMeasurements: settled.quietSpeedMeasurements,
  });
  return {
    outcome: choice.chosen ? 'generated' : 'original',
    reason: `re-measured: ${reason}`,
    chosen: choice.chosen ? { label: choice.chosen.label, proposer: choice.chosen.proposer, speedup: choice.chosen.verdict.speedup } : null,
    candidates: records,
    durationMs: performance.now() - started,
    remeasured: true,
    ...(pendingNow ? { speedPending: true } : {}),
  };
}

function verdictWord(v: Verdict): string {
  switch (v.kind) {
    case 'speed':
      return `verified (speed: ${v.speed?.decision ?? 'not measured'})`;
    case 'incomplete':
      return 'NOT VERIFIED (a required check did not run)';
    case 'screening':
      return 'screened only';
    default:
      return v.accepted ? 'verified' : 'rejected';
  }
}

/** Every check that did not run for these candidates, once each, with why and whether it was allowed. */
function skippedChecksOf(records: CandidateRecord[]): string[] {
  const out = new Set<string>();
  for (const r of records) {
    for (const s of r.verdict.skipped ?? []) out.add(`${s.stage} skipped${s.allowed ? ' (allowed)' : ''}: ${s.reason}`);
  }
  return [...out];
}

/** The conditions that weaken verification, as one line (empty when nothing does). */
function describeKeyConditions(c: ConditionsKeyPart): string {
  const parts: string[] = [];
  if (c.sandbox === 'off') parts.push('sandbox OFF (AUTOPAR_SANDBOX=off): candidate code runs without bubblewrap');
  else if (c.sandbox !== 'bubblewrap') parts.push('sandbox unavailable (bwrap not found): candidate code runs without bubblewrap');
  if (c.raceDetector === 'missing') parts.push('race detector missing (clang-19 + Archer): candidates cannot be verified without AUTOPAR_ALLOW_UNVERIFIED=race');
  if (c.allowUnverified.length) parts.push(`allowed unverified by AUTOPAR_ALLOW_UNVERIFIED: ${c.allowUnverified.join(', ')}`);
  return parts.join('; ');
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
  if (!passedScreening(screen)) return screen;
  const s = screen.speedup!;
  const d = speedDecisionOf(s, threshold);
  const why = d === 'slower'
    ? `${s.median.toFixed(2)}x at screening, conclusively below the ${threshold}x threshold`
    : d === 'inconclusive'
      ? `screening could not decide (${describeSpeedDecision(s, threshold)}); a later build verifies it unless one is linked`
      : 'another candidate was verified faster first';
  return { ...screen, accepted: false, kind: 'screening', stage: 'benchmark', reason: `screened only, not verified: ${why}` };
}

/** The spec minus prose: a reworded description must not cost a regeneration. */
function specForKey(kspec: KernelSpec): Omit<KernelSpec, 'description'> {
  const { description: _description, ...rest } = kspec;
  return rest;
}

/**
 * A local hit, or a remote hit that is trusted or passes the re-check, is used (and a
 * remote one is copied into the local store); null: the hit is refused and treated as a miss.
 */
async function recheckIfRemote(ctx: KernelContext, found: StoreHit, key: string): Promise<{ recheck?: Verdict } | null> {
  const { opts, store } = ctx;
  if (found.origin === 'local') return {};
  const m = found.manifest;
  if (m.chosen === null || store.remoteTrusted) {
    // Keeping the original needs no check; a trusted remote is CI's own verdict.
    await store.adopt(found);
    return {};
  }
  const chosenText = (await store.getBlob(m.chosen))?.toString('utf8');
  const workRoot = await makeWorkRoot(opts, key);
  let verdict: Verdict;
  try {
    opts.log(`autopar: ${ctx.kspec.name}: remote hit ${m.chosenLabel ?? m.chosen}; re-checking before linking`);
    verdict = await recheckRemoteHit({
      manifest: m,
      chosenText: chosenText ?? '',
      unit: ctx.unit,
      spec: ctx.kspec,
      sourceText: ctx.sourceText,
      sourcePath: ctx.sourcePath,
      toolchain: { cc: opts.cc, cflags: opts.cflags, ldflags: opts.ldflags },
      policy: ctx.policy,
      impliedPlan: opts.checkImpliedPlans ?? true,
      workDir: workRoot,
      log: opts.verbose ? opts.log : undefined,
      recipe: m.candidates.find((c) => c.sourceDigest === m.chosen && c.label === m.chosenLabel)?.recipe,
    });
  } catch (err) {
    // The re-check could not run (no compiler, sandbox setup): a check that did not run is not a pass.
    verdict = { accepted: false, stage: 'compile', reason: `re-check could not run: ${(err as Error).message}`, stages: [] };
  } finally {
    await rm(workRoot, { recursive: true, force: true }).catch(() => {});
  }
  if (!verdict.accepted) {
    store.rejected(found);
    opts.log(`warning: ${ctx.kspec.name}: the remote's variant ${m.chosenLabel ?? m.chosen} failed the re-check (${verdict.stage}: ${verdict.reason}); treated as a miss`);
    return null;
  }
  await store.adopt(found);
  return { recheck: verdict };
}

async function withTexts(store: TieredStore, m: Manifest): Promise<Array<CandidateRecord & { functionText?: string }>> {
  const out: Array<CandidateRecord & { functionText?: string }> = [];
  for (const c of m.candidates) {
    // Only the chosen text is needed to link; the others stay in the store.
    const text = c.sourceDigest === m.chosen ? (await store.getBlob(c.sourceDigest))?.toString('utf8') : undefined;
    out.push({ ...c, functionText: text });
  }
  return out;
}

function describe(id: ProposerIdentity): string {
  return describeProposer(id);
}

function progressLine(r: KernelReport, conditionsNote: string): string {
  const ms = `${Math.round(r.durationMs)} ms`;
  // What was not checked is said on the line itself, not only in the JSON report.
  const notes = [...(r.skippedChecks ?? []), ...(conditionsNote ? [conditionsNote] : [])];
  const tail = notes.length ? ` [${notes.join('; ')}]` : '';
  if (r.chosen) {
    const s = r.chosen.speedup ? ` ${r.chosen.speedup.median.toFixed(2)}x` : '';
    const guard = describeGuard(r.candidates.find((c) => c.label === r.chosen!.label)?.verdict.sizeGuard);
    return `autopar: ${r.kernel}: ${r.outcome} → ${r.chosen.label} (${describe(r.chosen.proposer)})${s}${guard ? `, ${guard}` : ''} [${ms}]${tail}`;
  }
  return `autopar: ${r.kernel}: ${r.outcome} → original (${r.reason}) [${ms}]${tail}`;
}

/** The dispatch text, or undefined (with a warning) when the kernel cannot be wrapped: the variant is then linked alone, as verified. */
function guardedText(unit: KernelUnit, variantText: string, guard: GuardForText, variantExtern: boolean, log: (line: string) => void): string | undefined {
  try {
    return guardedKernelText(unit, variantText, guard, { variantExtern });
  } catch (err) {
    if (!(err instanceof SizeGuardTextError)) throw err;
    log(`warning: autopar: ${err.message}; the variant is linked without its size guard (as it was verified)`);
    return undefined;
  }
}

