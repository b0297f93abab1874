// What a model is asked to write, the same for every engine (Ollama, embedded):
//   'function': the zero-shot prompt; the model writes the whole function.
//   'plan':     the plan prompt, answer constrained to the kernel's grammar form
//               (plan-grammar.ts); checked for legality, then applied.
//   'menu':     the analyzer's legal candidates as an enum; the model picks one and
//               gives a reason; "other" is followed by a plan request.
//   'both':     a function request and a plan request: two candidates.
// An engine supplies one `chat` call (system text, earlier turns, user text, optional
// JSON schema the answer must follow, token limit, per-call seed); everything else is
// here and in strategies/ (how many calls, in which order, with what feedback).
import { createHash } from 'node:crypto';
import { analyzeState, type AnalysisState } from '../analysis/analyze.js';
import { PLAN_GRAMMAR_VERSION } from './plan-grammar.js';
import { functionAsk, menuAsk, planAsk, rejectedOnly, type ChatFn, type FormAsk, type ProposalResult } from './form-asks.js';
import type { ProposeRequest, ProposerIdentity } from './types.js';
import { STRATEGY, TEMPLATE_VERSION } from '../strategy/zero-shot.js';
import { PLAN_GRAMMAR_TEMPLATE_VERSION, PLAN_STRATEGY } from '../strategy/plan-zero-shot.js';
import { MENU_STRATEGY, MENU_TEMPLATE_VERSION } from '../strategy/menu-zero-shot.js';
import { DEFAULT_STRATEGY_OPTIONS, type StrategyName, type StrategyOptions } from '../strategy/names.js';
import { FEW_SHOT_TEMPLATE_VERSION } from '../strategy/few-shot.js';
import { COT_TEMPLATE_VERSION } from '../strategy/chain-of-thought.js';
import { STEP_TEMPLATE_VERSION } from '../strategy/step-by-step.js';
import { TOT_DEFAULT_BUDGET, TOT_TEMPLATE_VERSION } from '../strategy/tree-of-thoughts.js';
import { REACT_DEFAULT_BUDGET, REACT_TEMPLATE_VERSION } from '../strategy/react.js';
import { runStrategy } from './strategies/index.js';

export { MAX_TOKENS } from './form-asks.js';
export type { ChatFn, ChatRequest, ProposalResult, Rejection } from './form-asks.js';

export type ModelOutput = 'function' | 'plan' | 'menu' | 'both';
export const MODEL_OUTPUTS: ModelOutput[] = ['function', 'plan', 'menu', 'both'];

/** Runs the requests of `output` for one kernel through `chat`, following `strategy`. */
export async function proposeInForm(
  req: ProposeRequest,
  output: ModelOutput,
  identity: ProposerIdentity,
  chat: ChatFn,
  strategy: StrategyOptions = DEFAULT_STRATEGY_OPTIONS,
): Promise<ProposalResult> {
  const asks: FormAsk[] = [];
  const early: ProposalResult = { candidates: [], rejected: [] };
  if (output === 'function' || output === 'both') asks.push(functionAsk(req, identity));
  if (output === 'plan' || output === 'both' || output === 'menu') {
    let state: AnalysisState | null = null;
    try {
      state = analyzeState(req.unit, req.spec);
    } catch (err) {
      // Without the analysis there are no loop ids to plan against and nothing to check a plan with.
      const label = output === 'menu' ? `${MENU_STRATEGY}#1` : `${PLAN_STRATEGY}#1`;
      early.rejected.push(...rejectedOnly(label, `cannot analyze ${req.unit.name}: ${(err as Error).message}`).rejected);
    }
    if (state) asks.push(output === 'menu' ? menuAsk(req, state, identity) : planAsk(req, state, identity));
  }
  if (asks.length === 0) return early;
  const r = await runStrategy(req, asks, identity, chat, strategy);
  return { candidates: r.candidates, rejected: [...early.rejected, ...r.rejected] };
}

const STRATEGY_TEMPLATES: Record<Exclude<StrategyName, 'zero-shot'>, string> = {
  'few-shot': FEW_SHOT_TEMPLATE_VERSION,
  'chain-of-thought': COT_TEMPLATE_VERSION,
  'step-by-step': STEP_TEMPLATE_VERSION,
  'tree-of-thoughts': TOT_TEMPLATE_VERSION,
  react: REACT_TEMPLATE_VERSION,
};

/** The budget a strategy runs with: the target's, else the strategy's default (null: one call per request). */
export function effectiveBudget(s: StrategyOptions): number | null {
  if (s.budget !== null) return s.budget;
  return s.strategy === 'tree-of-thoughts' ? TOT_DEFAULT_BUDGET : s.strategy === 'react' ? REACT_DEFAULT_BUDGET : null;
}

/**
 * A model identity for an output form: strategy and template version name the prompts;
 * forms with a grammar add its version (the grammar itself follows from the kernel,
 * which is in the key) to the options.
 */
export function identityForModelOutput(base: ProposerIdentity, output: ModelOutput, strategy: StrategyOptions = DEFAULT_STRATEGY_OPTIONS): ProposerIdentity {
  const form = formIdentity(base, output);
  // Zero-shot, one sample: the identity (so the key) of every earlier build.
  if (strategy.strategy === 'zero-shot' && strategy.samples === 1) return form;
  return {
    ...form,
    strategy: `${strategy.strategy}:${form.strategy}`,
    templateVersion: strategy.strategy === 'zero-shot' ? form.templateVersion : `${STRATEGY_TEMPLATES[strategy.strategy]}+${form.templateVersion}`,
    options: { ...form.options, samples: strategy.samples, budget: effectiveBudget(strategy) },
  };
}

function formIdentity(base: ProposerIdentity, output: ModelOutput): ProposerIdentity {
  const { planSchema: _a, planGrammar: _b, samples: _c, budget: _d, ...options } = (base.options ?? {}) as Record<string, unknown>;
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
