// One request of an output form, as data a strategy can run in its own way: the
// zero-shot prompt, the constraint its answer must follow, and how an answer becomes a
// candidate. Zero-shot sends the prompt once; the other strategies (propose/strategies/)
// add examples, a reasoning turn, branches or tool steps around the same request.
import type { AnalysisState } from '../analysis/analyze.js';
import { extractFunction } from './extract-code.js';
import { loopMarks, planCandidate, planFacts } from './ollama-plan.js';
import { kernelNames, planFromGrammarAnswer, planGrammarGbnf, planGrammarSchema, type KernelNames } from './plan-grammar.js';
import { menuCandidate, menuEntries, menuSchema, readMenuAnswer, type MenuEntry } from './menu.js';
import type { Candidate, ProposeRequest, ProposerIdentity } from './types.js';
import type { Prompt } from '../strategy/plan-zero-shot.js';
import type { Turn } from '../strategy/turns.js';
import { buildZeroShotPrompt, STRATEGY } from '../strategy/zero-shot.js';
import { buildPlanPrompt, PLAN_STRATEGY } from '../strategy/plan-zero-shot.js';
import { buildMenuPrompt, MENU_STRATEGY } from '../strategy/menu-zero-shot.js';

/** Answer token limits per form: a runaway answer must not hold a build. */
export const MAX_TOKENS: Record<'function' | 'plan' | 'menu', number> = { function: 640, plan: 384, menu: 160 };

export interface ChatRequest {
  system: string;
  /** Earlier turns of this conversation, oldest first (multi-turn strategies). */
  history?: Turn[];
  user: string;
  /** JSON schema the answer must follow (enforced by the engine's grammar). */
  schema?: object;
  /** The same constraint as GBNF, tighter than the schema can say (compact, no repeated names): used by engines that take GBNF. */
  gbnf?: string;
  maxTokens: number;
  /** Per-call sampling (branches and samples draw at other seeds); the engine's own otherwise. */
  sampling?: { seed?: number; temperature?: number };
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

export type FormName = 'function' | 'plan' | 'menu';

export interface FormAsk {
  form: FormName;
  /** The zero-shot label of this request, e.g. 'plan-zero-shot#1'. */
  label: string;
  prompt: Prompt;
  constraint: { schema?: object; gbnf?: string; maxTokens: number };
  /** An answer → candidates, or why none. A menu's "other" asks `chat` for a plan. */
  read(raw: string, label: string, chat: ChatFn, signal?: AbortSignal): Promise<ProposalResult>;
  /** The analysis and names (plan and menu forms), for tools that need them. */
  state?: AnalysisState;
  names?: KernelNames;
  entries?: MenuEntry[];
}

export function rejectedOnly(label: string, reason: string, rawResponse = ''): ProposalResult {
  return { candidates: [], rejected: [{ label, reason, rawResponse }] };
}

export function functionAsk(req: ProposeRequest, identity: ProposerIdentity): FormAsk {
  return {
    form: 'function',
    label: `${STRATEGY}#1`,
    prompt: buildZeroShotPrompt({ unit: req.unit, spec: req.spec, facts: req.facts }),
    constraint: { maxTokens: MAX_TOKENS.function },
    async read(raw, label) {
      const extracted = extractFunction(raw, req.unit.name);
      if (extracted.code === null) return rejectedOnly(label, extracted.reason, raw);
      return { candidates: [{ label, proposer: identity, functionText: extracted.code, rawResponse: raw }], rejected: [] };
    },
  };
}

export function planAsk(req: ProposeRequest, state: AnalysisState, identity: ProposerIdentity): FormAsk {
  const names = kernelNames(state);
  return {
    form: 'plan',
    label: `${PLAN_STRATEGY}#1`,
    prompt: buildPlanPrompt({ unit: req.unit, spec: req.spec, facts: planFacts(state, req.facts), loops: loopMarks(state), form: 'grammar' }),
    constraint: { schema: planGrammarSchema(names), gbnf: planGrammarGbnf(names), maxTokens: MAX_TOKENS.plan },
    async read(raw, label) {
      const r = planCandidate(raw, state, label, identity, (x) => asPlan(x, req.unit.name));
      if (r.candidate === null) return rejectedOnly(label, r.reason, raw);
      return { candidates: [r.candidate], rejected: [] };
    },
    state,
    names,
  };
}

export function menuAsk(req: ProposeRequest, state: AnalysisState, identity: ProposerIdentity): FormAsk {
  const entries = menuEntries(state);
  const plan = planAsk(req, state, identity);
  return {
    form: 'menu',
    label: `${MENU_STRATEGY}#1`,
    prompt: buildMenuPrompt({ unit: req.unit, spec: req.spec, facts: planFacts(state, req.facts), loops: loopMarks(state), options: entries }),
    constraint: { schema: menuSchema(entries), maxTokens: MAX_TOKENS.menu },
    async read(raw, label, chat, signal) {
      const pick = readMenuAnswer(raw, entries);
      if (pick.kind === 'invalid') return rejectedOnly(label, pick.reason, raw);
      if (pick.kind === 'entry') return { candidates: [menuCandidate(pick, label, identity, raw)], rejected: [] };
      // "other": the model wants to write its own plan.
      const planRaw = await chat({ ...plan.prompt, ...plan.constraint, signal });
      const own = await plan.read(planRaw, `${label}:other`, chat, signal);
      for (const c of own.candidates) c.rawResponse = `${raw}\n${c.rawResponse ?? ''}`;
      return own;
    },
    state,
    names: plan.names,
    entries,
  };
}

/**
 * A grammar-form answer becomes a plan; an answer already in the plan format (it names
 * `version` or `kernel`, as a server that ignores `format` may write) is taken as is.
 */
function asPlan(x: unknown, kernel: string): unknown {
  if (x && typeof x === 'object' && ('version' in x || 'kernel' in x)) return x;
  return planFromGrammarAnswer(x, kernel);
}
