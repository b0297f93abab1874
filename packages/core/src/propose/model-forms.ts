// What a model is asked to write, the same for every engine (Ollama, embedded):
//   'function': the zero-shot prompt; the model writes the whole function.
//   'plan':     the plan prompt, answer constrained to the kernel's grammar form
//               (plan-grammar.ts); checked for legality, then applied.
//   'menu':     the analyzer's legal candidates as an enum; the model picks one and
//               gives a reason; "other" is followed by a plan request.
//   'both':     a function request and a plan request: two candidates.
// An engine supplies one `chat` call (system + user text, optional JSON schema the
// answer must follow, token limit); everything else is here.
import { createHash } from 'node:crypto';
import { analyzeState, type AnalysisState } from '../analysis/analyze.js';
import { extractFunction } from './extract-code.js';
import { loopMarks, planCandidate, planFacts } from './ollama-plan.js';
import { kernelNames, planFromGrammarAnswer, planGrammarGbnf, planGrammarSchema, PLAN_GRAMMAR_VERSION } from './plan-grammar.js';
import { menuCandidate, menuEntries, menuSchema, readMenuAnswer } from './menu.js';
import type { Candidate, ProposeRequest, ProposerIdentity } from './types.js';
import { buildZeroShotPrompt, STRATEGY, TEMPLATE_VERSION } from '../strategy/zero-shot.js';
import { buildPlanPrompt, PLAN_GRAMMAR_TEMPLATE_VERSION, PLAN_STRATEGY } from '../strategy/plan-zero-shot.js';
import { buildMenuPrompt, MENU_STRATEGY, MENU_TEMPLATE_VERSION } from '../strategy/menu-zero-shot.js';

export type ModelOutput = 'function' | 'plan' | 'menu' | 'both';
export const MODEL_OUTPUTS: ModelOutput[] = ['function', 'plan', 'menu', 'both'];

/** Answer token limits per form: a runaway answer must not hold a build. */
export const MAX_TOKENS: Record<'function' | 'plan' | 'menu', number> = { function: 640, plan: 384, menu: 160 };

export interface ChatRequest {
  system: string;
  user: string;
  /** JSON schema the answer must follow (enforced by the engine's grammar). */
  schema?: object;
  /** The same constraint as GBNF, tighter than the schema can say (compact, no repeated names): used by engines that take GBNF. */
  gbnf?: string;
  maxTokens: number;
  signal?: AbortSignal;
}

export type ChatFn = (req: ChatRequest) => Promise<string>;

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

/** Runs the requests of `output` for one kernel through `chat`. */
export async function proposeInForm(req: ProposeRequest, output: ModelOutput, identity: ProposerIdentity, chat: ChatFn): Promise<ProposalResult> {
  const result: ProposalResult = { candidates: [], rejected: [] };
  const add = (r: ProposalResult) => {
    result.candidates.push(...r.candidates);
    result.rejected.push(...r.rejected);
  };
  if (output === 'function' || output === 'both') add(await functionRequest(req, identity, chat));
  if (output === 'plan' || output === 'both' || output === 'menu') {
    let state: AnalysisState;
    const label = output === 'menu' ? `${MENU_STRATEGY}#1` : `${PLAN_STRATEGY}#1`;
    try {
      state = analyzeState(req.unit, req.spec);
    } catch (err) {
      // Without the analysis there are no loop ids to plan against and nothing to check a plan with.
      add({ candidates: [], rejected: [{ label, reason: `cannot analyze ${req.unit.name}: ${(err as Error).message}`, rawResponse: '' }] });
      return result;
    }
    add(output === 'menu' ? await menuRequest(req, state, identity, chat) : await planRequest(req, state, identity, chat));
  }
  return result;
}

async function functionRequest(req: ProposeRequest, identity: ProposerIdentity, chat: ChatFn): Promise<ProposalResult> {
  const prompt = buildZeroShotPrompt({ unit: req.unit, spec: req.spec, facts: req.facts });
  const label = `${STRATEGY}#1`;
  const raw = await chat({ ...prompt, maxTokens: MAX_TOKENS.function, signal: req.signal });
  const extracted = extractFunction(raw, req.unit.name);
  if (extracted.code === null) return { candidates: [], rejected: [{ label, reason: extracted.reason, rawResponse: raw }] };
  return { candidates: [{ label, proposer: identity, functionText: extracted.code, rawResponse: raw }], rejected: [] };
}

async function planRequest(req: ProposeRequest, state: AnalysisState, identity: ProposerIdentity, chat: ChatFn, label = `${PLAN_STRATEGY}#1`): Promise<ProposalResult> {
  const prompt = buildPlanPrompt({ unit: req.unit, spec: req.spec, facts: planFacts(state, req.facts), loops: loopMarks(state), form: 'grammar' });
  const names = kernelNames(state);
  const raw = await chat({ ...prompt, schema: planGrammarSchema(names), gbnf: planGrammarGbnf(names), maxTokens: MAX_TOKENS.plan, signal: req.signal });
  const r = planCandidate(raw, state, label, identity, (x) => asPlan(x, req.unit.name));
  if (r.candidate === null) return { candidates: [], rejected: [{ label, reason: r.reason, rawResponse: raw }] };
  return { candidates: [r.candidate], rejected: [] };
}

/**
 * A grammar-form answer becomes a plan; an answer already in the plan format (it names
 * `version` or `kernel`, as a server that ignores `format` may write) is taken as is.
 */
function asPlan(x: unknown, kernel: string): unknown {
  if (x && typeof x === 'object' && ('version' in x || 'kernel' in x)) return x;
  return planFromGrammarAnswer(x, kernel);
}

async function menuRequest(req: ProposeRequest, state: AnalysisState, identity: ProposerIdentity, chat: ChatFn): Promise<ProposalResult> {
  const label = `${MENU_STRATEGY}#1`;
  const entries = menuEntries(state);
  const prompt = buildMenuPrompt({ unit: req.unit, spec: req.spec, facts: planFacts(state, req.facts), loops: loopMarks(state), options: entries });
  const raw = await chat({ ...prompt, schema: menuSchema(entries), maxTokens: MAX_TOKENS.menu, signal: req.signal });
  const pick = readMenuAnswer(raw, entries);
  if (pick.kind === 'invalid') return { candidates: [], rejected: [{ label, reason: pick.reason, rawResponse: raw }] };
  if (pick.kind === 'entry') return { candidates: [menuCandidate(pick, label, identity, raw)], rejected: [] };
  // "other": the model wants to write its own plan.
  const own = await planRequest(req, state, identity, chat, `${label}:other`);
  for (const c of own.candidates) c.rawResponse = `${raw}\n${c.rawResponse ?? ''}`;
  return own;
}

/**
 * A model identity for an output form: strategy and template version name the prompts;
 * forms with a grammar add its version (the grammar itself follows from the kernel,
 * which is in the key) to the options.
 */
export function identityForModelOutput(base: ProposerIdentity, output: ModelOutput): ProposerIdentity {
  const { planSchema: _a, planGrammar: _b, ...options } = (base.options ?? {}) as Record<string, unknown>;
  const withGrammar = { ...options, planGrammar: PLAN_GRAMMAR_VERSION };
  switch (output) {
    case 'function':
      return { ...base, strategy: STRATEGY, templateVersion: TEMPLATE_VERSION, options };
    case 'plan':
      return { ...base, strategy: PLAN_STRATEGY, templateVersion: PLAN_GRAMMAR_TEMPLATE_VERSION, options: withGrammar };
    case 'menu':
      return { ...base, strategy: MENU_STRATEGY, templateVersion: `${MENU_TEMPLATE_VERSION}+${PLAN_GRAMMAR_TEMPLATE_VERSION}`, options: withGrammar };
    case 'both':
      return { ...base, strategy: `${STRATEGY}+${PLAN_STRATEGY}`, templateVersion: `${TEMPLATE_VERSION}+${PLAN_GRAMMAR_TEMPLATE_VERSION}`, options: withGrammar };
  }
}

/** Short digest of a JSON value (for schemas recorded in identities). */
export function digestOf(x: unknown): string {
  return createHash('sha256').update(JSON.stringify(x)).digest('hex').slice(0, 16);
}
