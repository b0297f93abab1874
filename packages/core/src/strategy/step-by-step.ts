// Step-by-step: like chain-of-thought, but the first turn is a fixed list of numbered
// steps the model works through for each loop; the answer follows in a second,
// constrained turn. In the key through STEP_TEMPLATE_VERSION (bump with any edit).
//   step-by-step/1: first version.
import type { SplitPrompt } from './turns.js';

export const STEP_TEMPLATE_VERSION = 'step-by-step/1';

export function stepByStepTurns(p: SplitPrompt): { first: string; second: string } {
  return {
    first: [
      p.task,
      '',
      '## Work through these steps',
      'Step 1. List the loops from the outermost in, with their ids.',
      'Step 2. For each loop: does one iteration read or write what another iteration writes? Name the variable.',
      'Step 3. For each loop without such a dependence: which scalars must be private, which are reductions (and with which operator)?',
      'Step 4. Which of those loops has the most work per iteration and the most iterations?',
      'Step 5. Say which loop you would parallelize and how.',
      'Answer each step in one line, "Step N: ...". Do not write code yet.',
    ].join('\n'),
    second: ['Now give your answer, following your steps.', '', p.answer].join('\n'),
  };
}
