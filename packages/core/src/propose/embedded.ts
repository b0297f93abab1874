// Embedded proposer: a GGUF model run in-process by node-llama-cpp (llama.cpp, CPU
// prebuilt binaries only: no server, no compile, no GPU build).
//
// - The model is loaded once per process and shared by every kernel of a build (and by
//   later builds in the same process): loading costs seconds, an answer costs seconds.
// - The model's own chat template (the GGUF's tokenizer.chat_template, run as Jinja)
//   formats the conversation; a GGUF without one falls back to node-llama-cpp's choice
//   (which follows from the file, whose sha256 is in the key).
// - Sampling is fixed (seed, temperature, top_p) and in the identity together with the
//   GGUF's sha256, so in every cache key; the thread count is not (it changes speed).
// - Each answer gets a token limit per output form and a wall-clock timeout. One context per
//   proposer, sized to the largest prompt so far, is kept between its calls (and dropped when
//   idle): llama.cpp then evaluates only what a prompt does not share with the last one.
// Output forms are the same as Ollama's (model-forms.ts); plan and menu answers are
// constrained by a grammar made from the kernel's JSON schema.
import { availableParallelism, loadavg } from 'node:os';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Llama, LlamaModel, ChatWrapper, LlamaContext, LlamaContextSequence } from 'node-llama-cpp';
import { locateModel, ModelNotFound, type LocatedModel } from '../models/resolve.js';
import { identityForModelOutput, MODEL_OUTPUTS, proposeInForm, type ChatRequest, type ModelOutput, type ProposalResult } from './model-forms.js';
import { ProposerUnavailable } from './types.js';
import type { Candidate, ProposeRequest, Proposer, ProposerIdentity } from './types.js';
import { STRATEGY, TEMPLATE_VERSION } from '../strategy/zero-shot.js';
import { DEFAULT_STRATEGY_OPTIONS, type StrategyOptions } from '../strategy/names.js';

export interface EmbeddedSampling {
  seed: number;
  temperature: number;
  topP: number;
}

export const DEFAULT_EMBEDDED_SAMPLING: EmbeddedSampling = { seed: 42, temperature: 0.2, topP: 0.9 };
export const DEFAULT_EMBEDDED_MODEL = 'smollm2-135m';
/** A kept context is dropped after this long without a call. */
const IDLE_CONTEXT_MS = 20_000;

export interface EmbeddedProposerOptions {
  /** Model reference: GGUF path, Ollama store name, hf: URI or catalog name (models/resolve.ts). */
  model: string;
  modelsDir?: string;
  /** llama.cpp threads; default defaultThreads(). Not in the identity. */
  threads?: number;
  /** Limit for one answer, ms. Default 180 000. */
  timeoutMs?: number;
  output?: ModelOutput;
  sampling?: Partial<EmbeddedSampling>;
  /** Reasoning strategy, samples and budget (strategy/names.ts). Default zero-shot, one sample. In the identity. */
  strategy?: StrategyOptions;
  /** How long the kept context survives without a call, ms. Default 20 000. */
  idleContextMs?: number;
}

/** What the engine spent, for the model budget and the report. */
export interface EmbeddedSpend {
  calls: number;
  seconds: number;
  inputTokens: number;
  outputTokens: number;
  /** Seconds to load the model (0 when it was already loaded in this process). */
  loadSeconds: number;
}

/** One thread while other work runs (measured: two llama.cpp threads were slower then), else all cores. */
export function defaultThreads(): number {
  const cores = availableParallelism();
  return loadavg()[0]! >= 1 ? 1 : cores;
}

/**
 * The installed node-llama-cpp version (it decides how llama.cpp computes: in the
 * identity). Read from its package.json next to its entry point: the package's
 * `exports` do not expose package.json itself.
 */
function engineVersion(): string {
  try {
    let dir = dirname(fileURLToPath(import.meta.resolve('node-llama-cpp')));
    for (let i = 0; i < 4 && !existsSync(join(dir, 'package.json')); i++) dir = dirname(dir);
    return (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

interface Engine {
  llama: Llama;
  model: LlamaModel;
  wrapper: ChatWrapper;
  chatTemplate: 'gguf' | 'node-llama-cpp';
  trainContext: number;
  loadSeconds: number;
}

/** Loaded models of this process, by file path: one load per model, shared by every build. */
const engines = new Map<string, Promise<Engine>>();

async function loadEngine(path: string): Promise<Engine> {
  let nlc: typeof import('node-llama-cpp');
  try {
    nlc = await import('node-llama-cpp');
  } catch (err) {
    throw new ProposerUnavailable(`the embedded engine (node-llama-cpp) is not installed (${(err as Error).message.split('\n')[0]}); run \`npm ci\``);
  }
  const started = performance.now();
  let llama: Llama;
  try {
    // CPU prebuilt binaries only: never compile llama.cpp, never download a build.
    llama = await nlc.getLlama({ gpu: false, build: 'never', usePrebuiltBinaries: true, progressLogs: false, logLevel: nlc.LlamaLogLevel.error });
  } catch (err) {
    throw new ProposerUnavailable(
      `node-llama-cpp has no usable prebuilt CPU binary here (${(err as Error).message.split('\n')[0]}); ` +
        'check that @node-llama-cpp/linux-x64 (or your platform\'s package) is installed (`npm ci`)',
    );
  }
  let model: LlamaModel;
  try {
    model = await llama.loadModel({ modelPath: path });
  } catch (err) {
    throw new ProposerUnavailable(`cannot load the GGUF ${path} (${(err as Error).message.split('\n')[0]})`);
  }
  const template = model.fileInfo.metadata?.tokenizer?.chat_template;
  const wrapper =
    typeof template === 'string' && template.trim()
      ? new nlc.JinjaTemplateChatWrapper({ template })
      : nlc.resolveChatWrapper(model);
  return {
    llama,
    model,
    wrapper,
    chatTemplate: typeof template === 'string' && template.trim() ? 'gguf' : 'node-llama-cpp',
    trainContext: model.trainContextSize,
    loadSeconds: (performance.now() - started) / 1000,
  };
}

export class EmbeddedProposer implements Proposer {
  readonly output: ModelOutput;
  private readonly options: EmbeddedProposerOptions;
  private readonly sampling: EmbeddedSampling;
  readonly threads: number;
  private readonly timeoutMs: number;
  private located: LocatedModel | null = null;
  private identity: ProposerIdentity | null = null;
  readonly spent: EmbeddedSpend = { calls: 0, seconds: 0, inputTokens: 0, outputTokens: 0, loadSeconds: 0 };
  private live: { context: LlamaContext; sequence: LlamaContextSequence; size: number } | null = null;
  private idleTimer: NodeJS.Timeout | null = null;

  constructor(options: EmbeddedProposerOptions) {
    this.options = options;
    this.output = options.output ?? 'function';
    if (!MODEL_OUTPUTS.includes(this.output)) throw new Error(`embedded output must be one of ${MODEL_OUTPUTS.join(', ')}, not '${String(this.output)}'`);
    this.sampling = { ...DEFAULT_EMBEDDED_SAMPLING, ...options.sampling };
    this.threads = options.threads ?? defaultThreads();
    if (!Number.isInteger(this.threads) || this.threads < 1) throw new Error(`embedded model threads must be a positive integer, got ${String(options.threads)}`);
    this.timeoutMs = options.timeoutMs ?? 180_000;
  }

  /** Finds the GGUF and hashes it; the model is not loaded here (lookups never need it). */
  async identify(): Promise<ProposerIdentity> {
    if (this.identity) return this.identity;
    try {
      this.located = await locateModel(this.options.model, { modelsDir: this.options.modelsDir });
    } catch (err) {
      if (err instanceof ModelNotFound) throw new ProposerUnavailable(err.message);
      throw err;
    }
    const base: ProposerIdentity = {
      kind: 'embedded',
      model: this.options.model,
      modelDigest: `sha256:${this.located.sha256}`,
      host: this.located.path,
      strategy: STRATEGY,
      templateVersion: TEMPLATE_VERSION,
      options: { ...this.sampling, engine: `node-llama-cpp@${engineVersion()}` },
    };
    this.identity = identityForModelOutput(base, this.output, this.options.strategy ?? DEFAULT_STRATEGY_OPTIONS);
    return this.identity;
  }

  /** The same proposer with another output form (shares the loaded model). */
  withOutput(output: ModelOutput): EmbeddedProposer {
    return new EmbeddedProposer({ ...this.options, threads: this.threads, output });
  }

  async propose(req: ProposeRequest): Promise<Candidate[]> {
    return (await this.proposeDetailed(req)).candidates;
  }

  async proposeDetailed(req: ProposeRequest): Promise<ProposalResult> {
    const identity = await this.identify();
    return proposeInForm(req, this.output, identity, (c) => this.chat(c), this.options.strategy ?? DEFAULT_STRATEGY_OPTIONS);
  }

  private async engine(): Promise<Engine> {
    const path = this.located!.path;
    let loading = engines.get(path);
    const fresh = !loading;
    if (!loading) {
      loading = loadEngine(path);
      engines.set(path, loading);
      loading.catch(() => engines.delete(path)); // a failed load is retried by the next build
    }
    const e = await loading;
    if (fresh) this.spent.loadSeconds += e.loadSeconds;
    return e;
  }

  /** One answer: a context sized to this prompt, the grammar when a schema is given, a timeout. */
  async chat(c: ChatRequest): Promise<string> {
    const started = performance.now();
    this.spent.calls++;
    const e = await this.engine();
    const { LlamaChatSession } = await import('node-llama-cpp');
    const history = c.history ?? [];
    const promptText = [c.system, ...history.map((t) => t.content), c.user].join('\n');
    const promptTokens = e.model.tokenize(promptText).length + 64 * (1 + history.length); // + the template's own tokens
    const live = await this.liveContext(e, promptTokens + c.maxTokens);
    const timer = new AbortController();
    const timeout = setTimeout(() => timer.abort(), this.timeoutMs);
    const signal = c.signal ? AbortSignal.any([timer.signal, c.signal]) : timer.signal;
    let failed = false;
    const session = new LlamaChatSession({ contextSequence: live.sequence, chatWrapper: e.wrapper, systemPrompt: c.system, autoDisposeSequence: false });
    try {
      if (history.length) {
        // Earlier turns of a multi-turn strategy, as the model's chat template writes them.
        session.setChatHistory([
          { type: 'system', text: c.system },
          ...history.map((t) => (t.role === 'user' ? { type: 'user' as const, text: t.content } : { type: 'model' as const, response: [t.content] })),
        ]);
      }
      const grammar = c.gbnf
        ? await e.llama.createGrammar({ grammar: c.gbnf })
        : c.schema
          ? await e.llama.createGrammarForJsonSchema(c.schema as Parameters<Llama['createGrammarForJsonSchema']>[0])
          : undefined;
      const before = live.sequence.tokenMeter.getState();
      const text = await session.prompt(c.user, {
        grammar,
        maxTokens: c.maxTokens,
        temperature: c.sampling?.temperature ?? this.sampling.temperature,
        topP: this.sampling.topP,
        seed: c.sampling?.seed ?? this.sampling.seed,
        signal,
      });
      const after = live.sequence.tokenMeter.getState();
      // Only what was evaluated: a prefix the sequence already held (the same prompt for
      // another branch, the first turn under the second) costs nothing and counts nothing.
      this.spent.inputTokens += after.usedInputTokens - before.usedInputTokens;
      this.spent.outputTokens += after.usedOutputTokens - before.usedOutputTokens;
      return text;
    } catch (err) {
      failed = true;
      if (timer.signal.aborted) throw new Error(`embedded model ${this.options.model} gave no answer within ${this.timeoutMs} ms`);
      throw err;
    } finally {
      clearTimeout(timeout);
      session.dispose({ disposeSequence: false });
      // After a failure the sequence's state is not trusted: the next call starts afresh.
      if (failed) await this.dropContext();
      else this.scheduleIdleDrop();
      this.spent.seconds += (performance.now() - started) / 1000;
    }
  }

  /**
   * One context for this proposer's calls, kept between them: llama.cpp reuses the evaluated
   * prefix a new prompt shares with the last one (tree-of-thoughts branches share the whole
   * prompt, a second turn its first, ReAct steps all earlier steps). Grown when a prompt needs
   * more room; dropped after a short idle time so a finished build holds no memory.
   */
  private async liveContext(e: Engine, tokens: number): Promise<{ sequence: LlamaContextSequence; size: number }> {
    const size = Math.min(e.trainContext, Math.ceil(tokens / 1024) * 1024);
    // In use again: the idle drop scheduled after the last call must not fire during this one.
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    if (this.live && this.live.size >= size) return this.live;
    await this.dropContext();
    const context = await e.model.createContext({ contextSize: size, threads: this.threads });
    this.live = { context, sequence: context.getSequence(), size };
    return this.live;
  }

  private async dropContext(): Promise<void> {
    const live = this.live;
    this.live = null;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    if (live) await live.context.dispose();
  }

  private scheduleIdleDrop(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => void this.dropContext(), this.options.idleContextMs ?? IDLE_CONTEXT_MS);
    this.idleTimer.unref();
  }

}
