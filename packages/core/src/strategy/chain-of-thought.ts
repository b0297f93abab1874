// Chain-of-thought: the model reasons in free text first, then answers in a second,
// constrained turn (the output form's grammar or code block) with its reasoning above.
// The wording is in the key through COT_TEMPLATE_VERSION: bump it with any edit
// (templates.test.ts pins a hash).
//   chain-of-thought/1: first version.
import type { SplitPrompt } from './turns.js';

export const COT_TEMPLATE_VERSION = 'chain-of-thought/1';

export function chainOfThoughtTurns(p: SplitPrompt): { first: string; second: string } {
  return {
    first: [
      p.task,
      '',
      '## Think first',
      'Before answering, think it through: which loops carry a dependence and which do not, which scalars each iteration writes, which loop has the most work, and what could make a parallel version slower or wrong.',
      'Write your reasoning in a few short sentences. Do not write code or the answer yet.',
    ].join('\n'),
    second: ['Now give your answer, following your reasoning.', '', p.answer].join('\n'),
  };
}
