// Tree-of-thoughts: several answers (branches) are drawn at different seeds; the
// verifier's screening (compile, differential test, short benchmark) is the value of
// each; the best branch is then refined with what the verifier observed, within a budget
// of model calls. This file holds the refinement turn's wording, in the key through
// TOT_TEMPLATE_VERSION (bump with any edit).
//   tree-of-thoughts/1: first version.
import type { SplitPrompt } from './turns.js';

export const TOT_TEMPLATE_VERSION = 'tree-of-thoughts/1';

/** Initial branches and total model calls per kernel when the target sets no budget. */
export const TOT_DEFAULT_WIDTH = 3;
export const TOT_DEFAULT_BUDGET = 5;

export interface BranchObservation {
  /** 'this' for the branch being refined, else 'other'. */
  which: 'this' | 'other';
  /** One line: what the verifier said of it. */
  observation: string;
}

export function refineUser(p: SplitPrompt, observations: BranchObservation[]): string {
  const mine = observations.filter((o) => o.which === 'this').map((o) => `- ${o.observation}`);
  const others = observations.filter((o) => o.which === 'other').map((o) => `- ${o.observation}`);
  const parts = ['The verifier tried your answer:', ...mine];
  if (others.length) parts.push('', 'Other answers it tried:', ...others);
  parts.push('', 'Give a better answer: fix what failed, or make it faster if it passed.', '', p.answer);
  return parts.join('\n');
}
