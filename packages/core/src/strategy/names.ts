// The reasoning strategies a model proposer can follow (the paper's six), and the
// options that bound them. Plain names and numbers: target options, CLI flags, the
// proposer identity (so the key) and the evaluation grid all use these.
export type StrategyName = 'zero-shot' | 'few-shot' | 'chain-of-thought' | 'step-by-step' | 'tree-of-thoughts' | 'react';

export const STRATEGY_NAMES: readonly StrategyName[] = ['zero-shot', 'few-shot', 'chain-of-thought', 'step-by-step', 'tree-of-thoughts', 'react'];

export const DEFAULT_STRATEGY: StrategyName = 'zero-shot';

/** How a strategy runs for one kernel. */
export interface StrategyOptions {
  strategy: StrategyName;
  /** Self-consistency: run the strategy this many times with different seeds; the verifier picks. Default 1. */
  samples: number;
  /**
   * Upper bound on model calls per kernel for one sample of the strategy (tree-of-thoughts
   * branches and refinements, ReAct steps). null: the strategy's own default.
   */
  budget: number | null;
}

export const DEFAULT_STRATEGY_OPTIONS: StrategyOptions = { strategy: DEFAULT_STRATEGY, samples: 1, budget: null };

export function isStrategyName(x: unknown): x is StrategyName {
  return typeof x === 'string' && (STRATEGY_NAMES as readonly string[]).includes(x);
}
