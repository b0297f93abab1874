// ReAct: the model works in steps; each step is a thought and one action on a tool, and
// the tool's output is the next observation. Tools: the analyzer's facts for one loop,
// trying a plan (legality check, then compile, differential test and a short benchmark
// by the verifier), and finishing. Bounded by a budget of steps (model calls).
// The wording is in the key through REACT_TEMPLATE_VERSION (bump with any edit).
//   react/1: first version.
import type { SplitPrompt } from './turns.js';

export const REACT_TEMPLATE_VERSION = 'react/1';
export const REACT_DEFAULT_BUDGET = 6;

export function reactFirstUser(p: SplitPrompt, form: 'plan' | 'menu', loops: string[]): string {
  const tryLine =
    form === 'plan'
      ? '- {"thought": ..., "action": "try", "plan": {...}}: the verifier checks the plan, applies it, compiles it, tests it against the original and times it.'
      : '- {"thought": ..., "action": "try", "choice": option id}: the verifier compiles that option, tests it against the original and times it.';
  return [
    p.task,
    '',
    '## How to work',
    'Work in steps. Each step is one JSON object: a short thought and one action. You see the result of the action, then take the next step.',
    `- {"thought": ..., "action": "facts", "loop": id}: the analysis of one loop (ids: ${loops.join(', ') || 'none'}).`,
    tryLine,
    '- {"thought": ..., "action": "finish"}: stop; the fastest answer that passed is kept.',
    'Try the most promising answer early; finish when one passed and you see no faster one.',
    '',
    form === 'plan' ? 'The plan inside "try" has this format:' : 'The choices for "try":',
    p.answer.replace(/^## Your answer\n/, ''),
  ].join('\n');
}

export function reactObservationUser(observation: string, stepsLeft: number): string {
  return `Observation: ${observation}\n(${stepsLeft} step(s) left.) Next step: one JSON object.`;
}
