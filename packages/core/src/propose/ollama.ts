// Ollama proposer: asks a local model for a rewritten kernel through the `ollama` client.
//
// Failure policy: anything wrong with the server (down, slow, 5xx, model missing)
// becomes ProposerUnavailable with a message a user can act on; the caller then keeps
// the original kernel or uses the built-in analyzer. An answer that contains no
// usable function is not an error: it yields no candidate, with the reason recorded.
//
// Output forms (option `output`, part of the identity and so of the key):
//   'function' (default): the zero-shot prompt; the model writes the whole function.
//   'plan':     the plan-zero-shot prompt with Ollama structured outputs (`format` = the
//               plan schema); the answer is a JSON plan, checked for legality and only
//               then applied (ollama-plan.ts). An illegal plan is a candidate with no
//               text that the verifier's plan-legality stage rejects before compile.
//   'both':     one request of each, function first: two candidates.
// 'function' stays the default so that existing caches and one-request-per-kernel
// budgets are unchanged; choose 'plan' or 'both' to get the analyzer-guided pipeline.
import { createHash } from 'node:crypto';
import { Ollama } from 'ollama';
import type { ChatResponse, ListResponse, Message } from 'ollama';
import { extractFunction } from './extract-code.js';
import { ProposerUnavailable } from './types.js';
import type { Candidate, ProposeRequest, Proposer, ProposerIdentity } from './types.js';
import { buildZeroShotPrompt, STRATEGY, TEMPLATE_VERSION } from '../strategy/zero-shot.js';
import { buildPlanPrompt, PLAN_STRATEGY, PLAN_TEMPLATE_VERSION } from '../strategy/plan-zero-shot.js';
import { analyzeState } from '../analysis/analyze.js';
import { loopMarks, planCandidate, planFacts, planFormatSchema } from './ollama-plan.js';

/** What the model is asked to write: see the header. */
export type OllamaOutput = 'function' | 'plan' | 'both';
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
  /** Whole function, JSON plan, or both (two requests). Default 'function'. In the identity. */
  output?: OllamaOutput;
}

export interface Rejection {
  label: string;
  reason: string;
  rawResponse: string;
}

export interface ProposalResult {
  candidates: Candidate[];
  /** Answers that gave no candidate, with why (for the report). */
  rejected: Rejection[];
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
  private readonly options: OllamaProposerOptions;
  private identity: ProposerIdentity | null = null;

  constructor(options: OllamaProposerOptions) {
    this.options = options;
    this.output = options.output ?? DEFAULT_OLLAMA_OUTPUT;
    if (!['function', 'plan', 'both'].includes(this.output)) throw new Error(`ollama output must be 'function', 'plan' or 'both', not '${String(this.output)}'`);
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
    };
    this.identity = identityForOutput(this.identity, this.output);
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
    const result: ProposalResult = { candidates: [], rejected: [] };
    const add = (r: ProposalResult) => {
      result.candidates.push(...r.candidates);
      result.rejected.push(...r.rejected);
    };
    if (this.output !== 'plan') add(await this.proposeFunction(req));
    if (this.output !== 'function') add(await this.proposePlan(req));
    return result;
  }

  /** The zero-shot request: the model writes the whole function. */
  private async proposeFunction(req: ProposeRequest): Promise<ProposalResult> {
    const identity = await this.identify();
    const prompt = buildZeroShotPrompt({ unit: req.unit, spec: req.spec, facts: req.facts });
    const messages: Message[] = [
      { role: 'system', content: prompt.system },
      { role: 'user', content: prompt.user },
    ];
    const label = `${STRATEGY}#1`;
    const raw = await this.chat(messages, req.signal);
    const extracted = extractFunction(raw, req.unit.name);
    if (extracted.code === null) {
      return { candidates: [], rejected: [{ label, reason: extracted.reason, rawResponse: raw }] };
    }
    return {
      candidates: [{ label, proposer: identity, functionText: extracted.code, rawResponse: raw }],
      rejected: [],
    };
  }

  /** The plan request: structured output against the plan schema; legality checked before any code. */
  private async proposePlan(req: ProposeRequest): Promise<ProposalResult> {
    const identity = await this.identify();
    const label = `${PLAN_STRATEGY}#1`;
    let state;
    try {
      state = analyzeState(req.unit, req.spec);
    } catch (err) {
      // Without the analysis there are no loop ids to plan against and nothing to check a plan with.
      return { candidates: [], rejected: [{ label, reason: `cannot analyze ${req.unit.name} for a plan: ${(err as Error).message}`, rawResponse: '' }] };
    }
    const prompt = buildPlanPrompt({ unit: req.unit, spec: req.spec, facts: planFacts(state, req.facts), loops: loopMarks(state) });
    const messages: Message[] = [
      { role: 'system', content: prompt.system },
      { role: 'user', content: prompt.user },
    ];
    const raw = await this.chat(messages, req.signal, planFormatSchema());
    const r = planCandidate(raw, state, label, identity);
    if (r.candidate === null) return { candidates: [], rejected: [{ label, reason: r.reason, rawResponse: raw }] };
    return { candidates: [r.candidate], rejected: [] };
  }

  /** One chat turn; returns the assistant's text. */
  private async chat(messages: Message[], signal?: AbortSignal, format?: object): Promise<string> {
    const attempt = async (): Promise<string> => {
      const { ollama, done, explain } = this.client(this.timeoutMs, signal);
      try {
        const base = { model: this.model, messages, options: { ...this.sampling }, ...(format ? { format } : {}) };
        if (!this.stream) {
          const res: ChatResponse = await ollama.chat({ ...base, stream: false });
          return res.message?.content ?? '';
        }
        let text = '';
        for await (const part of await ollama.chat({ ...base, stream: true })) {
          text += part.message?.content ?? '';
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
    }
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

/**
 * An Ollama identity for an output form: strategy and template version name the
 * prompt(s), and plan forms add the digest of the structured-output schema to the
 * options. 'function' is the zero-shot identity as it always was.
 */
export function identityForOutput(base: ProposerIdentity, output: OllamaOutput): ProposerIdentity {
  const { planSchema: _drop, ...options } = (base.options ?? {}) as Record<string, unknown>;
  if (output === 'function') return { ...base, strategy: STRATEGY, templateVersion: TEMPLATE_VERSION, options };
  const withSchema = { ...options, planSchema: planSchemaDigest() };
  if (output === 'plan') return { ...base, strategy: PLAN_STRATEGY, templateVersion: PLAN_TEMPLATE_VERSION, options: withSchema };
  return { ...base, strategy: `${STRATEGY}+${PLAN_STRATEGY}`, templateVersion: `${TEMPLATE_VERSION}+${PLAN_TEMPLATE_VERSION}`, options: withSchema };
}

/** The structured-output schema sent with plan requests changes the answers: its digest is in the identity. */
function planSchemaDigest(): string {
  return createHash('sha256').update(JSON.stringify(planFormatSchema())).digest('hex').slice(0, 16);
}
