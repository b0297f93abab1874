// Ollama proposer: asks a local model for a rewritten kernel through the `ollama` client.
//
// Failure policy: anything wrong with the server (down, slow, 5xx, model missing)
// becomes ProposerUnavailable with a message a user can act on; the caller then keeps
// the original kernel or uses the built-in analyzer. An answer that contains no
// usable function is not an error: it yields no candidate, with the reason recorded.
//
// Output forms (option `output`, part of the identity and so of the key): see
// model-forms.ts ('function', 'plan', 'menu', 'both'). 'function' stays the default so
// that existing caches and one-request-per-kernel budgets are unchanged.
//
// Identity: the digest comes from /api/tags. What the server says about itself is kept
// too: the scripted test server (tools/scripted-ollama) lists its models with family
// "scripted", and such an identity says so (`scripted: true`), in the key and in every
// report, so its canned answers never pass for a model's.
import { Ollama } from 'ollama';
import type { ChatResponse, ListResponse, Message } from 'ollama';
import { ProposerUnavailable } from './types.js';
import type { Candidate, ProposeRequest, Proposer, ProposerIdentity } from './types.js';
import { STRATEGY, TEMPLATE_VERSION } from '../strategy/zero-shot.js';
import { identityForModelOutput, MODEL_OUTPUTS, proposeInForm, type ChatRequest, type ModelOutput, type ProposalResult } from './model-forms.js';
import { DEFAULT_STRATEGY_OPTIONS, type StrategyOptions } from '../strategy/names.js';

export type { ProposalResult, Rejection } from './model-forms.js';

/** What the model is asked to write: see model-forms.ts. */
export type OllamaOutput = ModelOutput;
export const DEFAULT_OLLAMA_OUTPUT: OllamaOutput = 'function';

export const DEFAULT_OLLAMA_HOST = 'http://127.0.0.1:11434';

/** Sampling options sent with every request; recorded in the identity, so in the key. */
export interface OllamaSampling {
  seed: number;
  temperature: number;
  num_ctx: number;
  /** Upper bound on answer tokens: a runaway answer must not hold a build. */
  num_predict: number;
}

export const DEFAULT_SAMPLING: OllamaSampling = { seed: 42, temperature: 0.2, num_ctx: 8192, num_predict: 2048 };

export interface OllamaProposerOptions {
  model: string;
  /** Server URL; else env OLLAMA_HOST; else http://127.0.0.1:11434. */
  host?: string;
  /** Whole-request limit for a generation (headers and body), ms. Default 120 000. */
  timeoutMs?: number;
  /**
   * Limit for the metadata calls (tags, show), ms. Default min(5 000, timeoutMs). These
   * answer at once on a live server, so this is in effect the connect timeout.
   */
  metadataTimeoutMs?: number;
  /** Extra attempts after a 5xx or a dropped connection. Default 1. Timeouts are not retried. */
  retries?: number;
  /** Stream the answer (NDJSON) or ask for one JSON reply. Default true. Does not change the output. */
  stream?: boolean;
  sampling?: Partial<OllamaSampling>;
  /** Whole function, JSON plan, menu pick, or function and plan. Default 'function'. In the identity. */
  output?: OllamaOutput;
  /** Reasoning strategy, samples and budget (strategy/names.ts). Default zero-shot, one sample. In the identity. */
  strategy?: StrategyOptions;
}

/** What a proposer spent so far (for the model budget and the report). */
export interface ModelSpend {
  calls: number;
  seconds: number;
  inputTokens: number;
  outputTokens: number;
}

/** The URL the `ollama` client will use for `host` (it accepts "host:port" and ":port"). */
export function resolveOllamaHost(host?: string): string {
  const h = (host ?? process.env.OLLAMA_HOST ?? '').trim();
  if (!h) return DEFAULT_OLLAMA_HOST;
  if (h.startsWith(':')) return `http://127.0.0.1${h}`;
  const withScheme = h.includes('://') ? h : `http://${h}`;
  const url = new URL(withScheme);
  if (!url.port && !h.includes('://')) url.port = '11434';
  return url.toString().replace(/\/+$/, '');
}

class TimeoutError extends Error {
  constructor(readonly ms: number) {
    super(`timed out after ${ms} ms`);
    this.name = 'TimeoutError';
  }
}

/** Walks `cause` chains: fetch wraps the socket error ("fetch failed" → ECONNREFUSED). */
function describe(err: unknown): { text: string; code?: string; status?: number; timeout?: TimeoutError } {
  const texts: string[] = [];
  let code: string | undefined;
  let status: number | undefined;
  let timeout: TimeoutError | undefined;
  for (let e: unknown = err, depth = 0; e && depth < 6; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof TimeoutError) timeout = e;
    const o = e as { code?: unknown; status_code?: unknown; message?: unknown };
    if (typeof o.code === 'string' && !code) code = o.code;
    if (typeof o.status_code === 'number' && status === undefined) status = o.status_code;
    if (typeof o.message === 'string' && o.message && !texts.includes(o.message)) texts.push(o.message);
  }
  return { text: texts.join(': ') || String(err), code, status, timeout };
}

const CONNECTION_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE',
  'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_CLOSED',
]);

function isRetryable(err: unknown): boolean {
  const d = describe(err);
  if (d.timeout) return false; // a second wait of the same length rarely helps a build
  if (d.status !== undefined) return d.status >= 500;
  if (d.code === 'ECONNREFUSED') return false; // nobody listening: retrying only delays the fallback
  // Dropped mid-answer: undici reports "terminated" / "other side closed".
  return (d.code !== undefined && CONNECTION_CODES.has(d.code)) || /terminated|other side closed|socket hang up/i.test(d.text);
}

export class OllamaProposer implements Proposer {
  readonly host: string;
  readonly model: string;
  private readonly timeoutMs: number;
  private readonly metadataTimeoutMs: number;
  private readonly retries: number;
  private readonly stream: boolean;
  private readonly sampling: OllamaSampling;
  readonly output: OllamaOutput;
  readonly strategy: StrategyOptions;
  private readonly options: OllamaProposerOptions;
  private identity: ProposerIdentity | null = null;
  readonly spent: ModelSpend = { calls: 0, seconds: 0, inputTokens: 0, outputTokens: 0 };

  constructor(options: OllamaProposerOptions) {
    this.options = options;
    this.output = options.output ?? DEFAULT_OLLAMA_OUTPUT;
    this.strategy = options.strategy ?? DEFAULT_STRATEGY_OPTIONS;
    if (!MODEL_OUTPUTS.includes(this.output)) throw new Error(`ollama output must be one of ${MODEL_OUTPUTS.join(', ')}, not '${String(this.output)}'`);
    this.model = options.model;
    this.host = resolveOllamaHost(options.host);
    this.timeoutMs = options.timeoutMs ?? 120_000;
    this.metadataTimeoutMs = options.metadataTimeoutMs ?? Math.min(5_000, this.timeoutMs);
    this.retries = options.retries ?? 1;
    this.stream = options.stream ?? true;
    this.sampling = { ...DEFAULT_SAMPLING, ...options.sampling };
  }

  /**
   * A client whose every fetch is bounded by `timeoutMs` from now, headers and body
   * together (the client passes no signal for non-streamed calls, so we add one), and
   * also cancelled by `outer` (the caller's signal).
   */
  private client(timeoutMs: number, outer?: AbortSignal): { ollama: Ollama; done: () => void; explain: (err: unknown) => unknown } {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new TimeoutError(timeoutMs)), timeoutMs);
    const signal = outer ? AbortSignal.any([controller.signal, outer]) : controller.signal;
    const boundedFetch: typeof fetch = (input, init) =>
      fetch(input, { ...init, signal: init?.signal ? AbortSignal.any([init.signal, signal]) : signal });
    return {
      ollama: new Ollama({ host: this.host, fetch: boundedFetch }),
      done: () => clearTimeout(timer),
      // A body read cut by our abort surfaces as a generic AbortError: say it was the timeout.
      explain: (err) => (controller.signal.aborted ? controller.signal.reason : err),
    };
  }

  private unreachable(err: unknown, what: string): ProposerUnavailable {
    const d = describe(err);
    const why = d.timeout ? `timed out after ${d.timeout.ms} ms` : d.text;
    return new ProposerUnavailable(
      `Ollama at ${this.host} did not answer ${what} (${why}). ` +
        'Start `ollama serve` or set OLLAMA_HOST; autopar will use the built-in analyzer / the original kernels meanwhile.',
    );
  }

  private notPulled(): ProposerUnavailable {
    return new ProposerUnavailable(
      `Model '${this.model}' is not available on Ollama at ${this.host}. ` +
        `Run \`ollama pull ${this.model}\`; autopar will use the built-in analyzer / the original kernels meanwhile.`,
    );
  }

  /** Reads the model digest from /api/tags; cached for the life of the proposer. */
  async identify(): Promise<ProposerIdentity> {
    if (this.identity) return this.identity;
    const { ollama, done, explain } = this.client(this.metadataTimeoutMs);
    let tags: ListResponse;
    try {
      tags = await this.withRetries(() => ollama.list());
    } catch (err) {
      throw this.unreachable(explain(err), 'GET /api/tags');
    } finally {
      done();
    }
    // `ollama pull qwen2.5:1.5b` lists as "qwen2.5:1.5b"; `ollama pull gemma3` as "gemma3:latest".
    const wanted = [this.model, `${this.model}:latest`];
    const entry = tags.models.find((m) => wanted.includes(m.name) || wanted.includes(m.model));
    if (!entry) throw this.notPulled();
    if (!entry.digest) {
      throw new ProposerUnavailable(`Ollama at ${this.host} lists '${this.model}' without a digest; cannot key its results.`);
    }
    this.identity = {
      kind: 'ollama',
      model: this.model,
      modelDigest: entry.digest,
      host: this.host,
      strategy: STRATEGY,
      templateVersion: TEMPLATE_VERSION,
      options: { ...this.sampling },
      // The server's own word on what it serves: the scripted test server says "scripted".
      ...(isScripted(entry) ? { scripted: true } : {}),
    };
    this.identity = identityForModelOutput(this.identity, this.output, this.strategy);
    return this.identity;
  }

  /** The same proposer with some options changed (e.g. another output form); identity is re-read. */
  withOptions(patch: Partial<OllamaProposerOptions>): OllamaProposer {
    return new OllamaProposer({ ...this.options, ...patch });
  }

  async propose(req: ProposeRequest): Promise<Candidate[]> {
    return (await this.proposeDetailed(req)).candidates;
  }

  /** Like propose(), and also says why an answer gave no candidate. */
  async proposeDetailed(req: ProposeRequest): Promise<ProposalResult> {
    const identity = await this.identify();
    return proposeInForm(
      req,
      this.output,
      identity,
      (c: ChatRequest) =>
        this.chat([{ role: 'system', content: c.system }, ...(c.history ?? []), { role: 'user', content: c.user }], c.signal, c.schema, c.sampling),
      this.strategy,
    );
  }

  /** One chat turn; returns the assistant's text. */
  private async chat(messages: Message[], signal?: AbortSignal, format?: object, sampling?: ChatRequest['sampling']): Promise<string> {
    const started = performance.now();
    this.spent.calls++;
    const attempt = async (): Promise<string> => {
      const { ollama, done, explain } = this.client(this.timeoutMs, signal);
      try {
        // A strategy's branch or sample may draw at its own seed and temperature.
        const options = {
          ...this.sampling,
          ...(sampling?.seed !== undefined ? { seed: sampling.seed } : {}),
          ...(sampling?.temperature !== undefined ? { temperature: sampling.temperature } : {}),
        };
        const base = { model: this.model, messages, options, ...(format ? { format } : {}) };
        if (!this.stream) {
          const res: ChatResponse = await ollama.chat({ ...base, stream: false });
          this.count(res);
          return res.message?.content ?? '';
        }
        let text = '';
        for await (const part of await ollama.chat({ ...base, stream: true })) {
          text += part.message?.content ?? '';
          if (part.done) this.count(part);
        }
        return text;
      } catch (err) {
        throw explain(err);
      } finally {
        done();
      }
    };
    try {
      return await this.withRetries(attempt);
    } catch (err) {
      if (signal?.aborted) throw err; // the caller cancelled: not the server's fault
      const d = describe(err);
      if (d.status === 404) throw this.notPulled();
      if (d.status !== undefined) {
        throw new ProposerUnavailable(`Ollama at ${this.host} failed POST /api/chat for '${this.model}' (HTTP ${d.status}: ${d.text}).`);
      }
      throw this.unreachable(err, 'POST /api/chat');
    } finally {
      this.spent.seconds += (performance.now() - started) / 1000;
    }
  }

  /** Token counts of one finished answer (Ollama reports them in the last message). */
  private count(res: { prompt_eval_count?: number; eval_count?: number }): void {
    this.spent.inputTokens += res.prompt_eval_count ?? 0;
    this.spent.outputTokens += res.eval_count ?? 0;
  }

  private async withRetries<T>(fn: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await fn();
      } catch (err) {
        if (attempt >= this.retries || !isRetryable(err)) throw err;
      }
    }
  }
}

/** An Ollama identity for an output form (see model-forms.ts). */
export function identityForOutput(base: ProposerIdentity, output: OllamaOutput, strategy?: StrategyOptions): ProposerIdentity {
  return identityForModelOutput(base, output, strategy);
}

/** What the server says about the model it lists: the scripted test server's family is "scripted". */
function isScripted(entry: { details?: { family?: string; families?: string[] | null } }): boolean {
  const d = entry.details;
  return d?.family === 'scripted' || (Array.isArray(d?.families) && d.families.includes('scripted'));
}
