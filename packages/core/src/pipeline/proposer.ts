// Which proposer a build uses, and its identity for the key.
//
// `auto` (the default) asks the Ollama server first; when no server answers, it uses
// the embedded model (node-llama-cpp) when that model is installed, else the built-in
// analyzer. `embedded` runs the embedded model only. `portfolio` runs the analyzer and
// a model (Ollama when reachable, else the embedded model) for every kernel; the
// verifier keeps the fastest verified candidate. A model budget (calls, seconds) per
// build stops asking the model once spent; what was spent goes into the report.
// When the server is down, the last
// identity (model digest) seen from it is remembered in the cache folder, so a
// CI job without a model server still finds the variants a developer's build
// verified — lookups never need the model, only misses do.
import { mkdir, readFile, writeFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { ProposerUnavailable, type Candidate, type ProposeRequest, type Proposer, type ProposerIdentity } from '../propose/types.js';
import type { ModelOutput } from '../propose/model-forms.js';
import type { RecipeName } from '../propose/compiler.js';
import { DEFAULT_STRATEGY_OPTIONS, type StrategyName, type StrategyOptions } from '../strategy/names.js';

export type ProposerChoice = 'auto' | 'ollama' | 'embedded' | 'portfolio' | 'analyzer' | 'none';
export const PROPOSER_CHOICES: ProposerChoice[] = ['auto', 'ollama', 'embedded', 'portfolio', 'analyzer', 'none'];

/** What the model(s) of a build spent, with the budget it had. */
export interface ModelSpendReport {
  calls: number;
  seconds: number;
  inputTokens: number;
  outputTokens: number;
  /** Seconds spent loading an embedded model. */
  loadSeconds?: number;
  budget: { calls: number | null; seconds: number | null };
  /** Kernels that were not sent to the model because the budget was spent. */
  refusedForBudget: number;
}

export interface ResolvedProposer {
  /** null when no proposer can run now: lookups still work, misses keep the original. */
  proposer: Proposer | null;
  /** Identity used in the key; `{kind:'none'}` when nothing is configured. */
  identity: ProposerIdentity;
  /** One line for the user when the configured proposer is not reachable. */
  note?: string;
  /** What the model spent so far in this build (absent when no model runs). */
  spend?: () => ModelSpendReport;
}

/** The embedded model and the model budget: one definition for target options, build options and resolution. */
export interface ModelOptions {
  /** Embedded model (proposer embedded/auto/portfolio): catalog name, GGUF path, Ollama store name or hf: URI. */
  embeddedModel?: string;
  /** What the embedded model is asked for (default 'menu'). */
  embeddedOutput?: ModelOutput;
  /** Models folder (default env AUTOPAR_MODELS_DIR, else the user cache folder). */
  modelsDir?: string;
  /** llama.cpp threads for the embedded model (default 1 while other work runs, else all cores). */
  modelThreads?: number;
  /** Reasoning strategy of the model (default zero-shot): strategy/names.ts. */
  strategy?: StrategyName;
  /** Self-consistency: answers drawn per request at different seeds; the verifier picks (default 1). */
  samples?: number;
  /** Model calls per kernel for tree-of-thoughts and ReAct (default 5 and 6). */
  strategyBudget?: number;
  /** Model budget per build: at most this many model calls / seconds (absent: no limit). */
  modelMaxCalls?: number;
  modelMaxSeconds?: number;
}

export interface ResolveOptions extends ModelOptions {
  choice: ProposerChoice;
  model: string;
  host?: string;
  cacheDir: string;
  timeoutMs?: number;
  /** Output form of an Ollama model ('function' when absent). */
  modelOutput?: ModelOutput;
  /** Compile recipes proposed beside the chosen proposer (none when absent). */
  compilerRecipes?: readonly RecipeName[];
  /** The build's compiler and flags (recipes carry -D/-I/-std flags over; gcc's recipe uses cc). */
  cc?: string;
  cflags?: string[];
}

export async function resolveProposer(opts: ResolveOptions): Promise<ResolvedProposer> {
  const base = await resolveChosen(opts);
  if (opts.choice === 'none' || !opts.compilerRecipes?.length) return base;
  return withRecipes(base, opts);
}

/**
 * The chosen proposer with compilers beside it: its candidates and one per usable compile
 * recipe, all verified alike. Recipes this machine cannot run are named in the note (and
 * are not in the identity: a machine with clang gets other keys than one without).
 */
async function withRecipes(base: ResolvedProposer, opts: ResolveOptions): Promise<ResolvedProposer> {
  const { availableRecipes, CompilerRecipeProposer, RecipePortfolio } = await import('../propose/compiler.js');
  const { recipes, unavailable } = await availableRecipes(opts.compilerRecipes!, { cc: opts.cc ?? 'gcc', cflags: opts.cflags ?? [] });
  const skipped = unavailable.length ? `compile recipes skipped: ${unavailable.join('; ')}` : undefined;
  const note = [base.note, skipped].filter(Boolean).join('; ') || undefined;
  if (recipes.length === 0) return { ...base, note };
  const compiler = new CompilerRecipeProposer(recipes);
  const portfolio = new RecipePortfolio(base.proposer, compiler, base.identity, await compiler.identify());
  return { ...base, proposer: portfolio, identity: await portfolio.identify(), note };
}

async function resolveChosen(opts: ResolveOptions): Promise<ResolvedProposer> {
  if (opts.choice === 'none') return { proposer: null, identity: { kind: 'none' } };
  if (opts.choice === 'analyzer') return analyzer();
  if (opts.choice === 'embedded') {
    try {
      return withBudget(await embedded(opts), opts);
    } catch (err) {
      if (!(err instanceof ProposerUnavailable)) throw err;
      // The identity cannot be known without the file: nothing is looked up, nothing proposed.
      return { proposer: null, identity: { kind: 'embedded', model: opts.embeddedModel, modelDigest: 'unknown' }, note: `${err.message} — changed kernels keep their original code` };
    }
  }
  if (opts.choice === 'auto' || opts.choice === 'portfolio') {
    const model = await firstModel(opts);
    const a = await analyzer();
    if (opts.choice === 'auto') {
      if (model.resolved) return withBudget(model.resolved, opts);
      return { ...a, note: `${model.why.join('; ')} — using the built-in analyzer` };
    }
    if (!model.resolved) return { ...a, note: `portfolio: no model (${model.why.join('; ')}) — the built-in analyzer proposes alone` };
    const budgeted = withBudget(model.resolved, opts);
    const { PortfolioProposer } = await import('../propose/portfolio.js');
    const portfolio = new PortfolioProposer(a.proposer!, budgeted.proposer!, { analyzer: a.identity, model: budgeted.identity });
    return { proposer: portfolio, identity: await portfolio.identify(), spend: budgeted.spend };
  }

  const { OllamaProposer, identityForOutput } = await import('../propose/ollama.js');
  const ollama = new OllamaProposer({ model: opts.model, host: opts.host, timeoutMs: opts.timeoutMs, output: opts.modelOutput, strategy: strategyOptions(opts) });
  const rememberedAt = join(opts.cacheDir, 'proposers', idFile(opts.host ?? defaultHost(), opts.model));
  try {
    const identity = await ollama.identify();
    await remember(rememberedAt, identity);
    return { proposer: ollama, identity };
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    // Explicit ollama: keep looking up what this model verified before, propose nothing new.
    const known = await recall(rememberedAt);
    return {
      proposer: null,
      // The output form changes the prompt: it is in the identity also when recalled.
      identity: known ? identityForOutput(known, opts.modelOutput ?? 'function', strategyOptions(opts)) : { kind: 'ollama', model: opts.model, modelDigest: 'unknown' },
      note: `${why} — cached variants are used, changed kernels keep their original code`,
    };
  }
}

/** Ollama when it answers, else the embedded model when it is installed; with why not, otherwise. */
async function firstModel(opts: ResolveOptions): Promise<{ resolved: ResolvedProposer | null; why: string[] }> {
  const why: string[] = [];
  const { OllamaProposer } = await import('../propose/ollama.js');
  const ollama = new OllamaProposer({ model: opts.model, host: opts.host, timeoutMs: opts.timeoutMs, output: opts.modelOutput, strategy: strategyOptions(opts) });
  try {
    const identity = await ollama.identify();
    await remember(join(opts.cacheDir, 'proposers', idFile(opts.host ?? defaultHost(), opts.model)), identity);
    return { resolved: { proposer: ollama, identity }, why };
  } catch (err) {
    why.push(err instanceof Error ? err.message : String(err));
  }
  try {
    return { resolved: await embedded(opts), why };
  } catch (err) {
    if (!(err instanceof ProposerUnavailable)) throw err;
    why.push(`no embedded model: ${err.message}`);
  }
  return { resolved: null, why };
}

export function strategyOptions(opts: ModelOptions): StrategyOptions {
  return {
    strategy: opts.strategy ?? DEFAULT_STRATEGY_OPTIONS.strategy,
    samples: opts.samples ?? DEFAULT_STRATEGY_OPTIONS.samples,
    budget: opts.strategyBudget ?? DEFAULT_STRATEGY_OPTIONS.budget,
  };
}

async function embedded(opts: ResolveOptions): Promise<ResolvedProposer> {
  const { EmbeddedProposer, DEFAULT_EMBEDDED_MODEL } = await import('../propose/embedded.js');
  const proposer = new EmbeddedProposer({
    model: opts.embeddedModel ?? DEFAULT_EMBEDDED_MODEL,
    modelsDir: opts.modelsDir,
    threads: opts.modelThreads,
    output: opts.embeddedOutput ?? 'menu',
    timeoutMs: opts.timeoutMs,
    strategy: strategyOptions(opts),
  });
  return { proposer, identity: await proposer.identify() };
}

interface Spending {
  spent: { calls: number; seconds: number; inputTokens: number; outputTokens: number; loadSeconds?: number };
}

/**
 * Wraps a model proposer with the build's budget: once the calls or seconds are spent,
 * further kernels are refused (ProposerUnavailable: the kernel keeps its original code
 * and nothing is stored, so a later build asks again).
 */
function withBudget(r: ResolvedProposer, opts: ResolveOptions): ResolvedProposer {
  const inner = r.proposer as (Proposer & Partial<Spending>) | null;
  if (!inner) return r;
  const calls = opts.modelMaxCalls ?? null;
  const seconds = opts.modelMaxSeconds ?? null;
  let refused = 0;
  const spent = () => inner.spent ?? { calls: 0, seconds: 0, inputTokens: 0, outputTokens: 0 };
  const budgeted: Proposer = {
    identify: () => inner.identify(),
    async propose(req: ProposeRequest): Promise<Candidate[]> {
      const s = spent();
      if ((calls !== null && s.calls >= calls) || (seconds !== null && s.seconds >= seconds)) {
        refused++;
        throw new ProposerUnavailable(`model budget spent (${s.calls} calls, ${s.seconds.toFixed(1)} s of ${calls ?? '∞'} calls, ${seconds ?? '∞'} s)`);
      }
      return inner.propose(req);
    },
  };
  // Keep the detailed form (rejected answers) reachable for the report.
  const detailed = (inner as { proposeDetailed?: (q: ProposeRequest) => Promise<unknown> }).proposeDetailed;
  if (detailed) {
    (budgeted as { proposeDetailed?: unknown }).proposeDetailed = async (req: ProposeRequest) => {
      const s = spent();
      if ((calls !== null && s.calls >= calls) || (seconds !== null && s.seconds >= seconds)) {
        refused++;
        throw new ProposerUnavailable(`model budget spent (${s.calls} calls, ${s.seconds.toFixed(1)} s of ${calls ?? '∞'} calls, ${seconds ?? '∞'} s)`);
      }
      return detailed.call(inner, req);
    };
  }
  return {
    ...r,
    proposer: budgeted,
    spend: () => {
      const s = spent();
      return {
        calls: s.calls,
        seconds: Math.round(s.seconds * 1000) / 1000,
        inputTokens: s.inputTokens,
        outputTokens: s.outputTokens,
        ...(s.loadSeconds !== undefined ? { loadSeconds: Math.round(s.loadSeconds * 1000) / 1000 } : {}),
        budget: { calls, seconds },
        refusedForBudget: refused,
      };
    },
  };
}

async function analyzer(): Promise<ResolvedProposer> {
  const { AnalyzerProposer } = await import('../propose/analyzer.js');
  const proposer = new AnalyzerProposer();
  return { proposer, identity: await proposer.identify() };
}

export function defaultHost(): string {
  return process.env.OLLAMA_HOST ?? 'http://127.0.0.1:11434';
}

function idFile(host: string, model: string): string {
  return createHash('sha256').update(`${host}\0${model}`).digest('hex').slice(0, 32) + '.json';
}

async function remember(path: string, identity: ProposerIdentity): Promise<void> {
  try {
    await mkdir(join(path, '..'), { recursive: true });
    const tmp = `${path}.${process.pid}.tmp`;
    await writeFile(tmp, JSON.stringify(identity));
    await rename(tmp, path);
  } catch {
    /* remembering is an optimisation for offline lookups; never fail a build on it */
  }
}

async function recall(path: string): Promise<ProposerIdentity | null> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as ProposerIdentity;
  } catch {
    return null;
  }
}
