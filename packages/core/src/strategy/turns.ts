// Multi-turn strategies reuse the zero-shot prompt of an output form: its task part
// (the kernel, what it means, the analysis) and its answer part ("## Your answer" to
// the end: the format the answer must follow). Splitting the rendered text keeps one
// source for each form's wording.
import type { Prompt } from './plan-zero-shot.js';

export const ANSWER_HEADING = '## Your answer';

export interface SplitPrompt {
  system: string;
  /** Everything before the answer section. */
  task: string;
  /** The answer section, its heading included. */
  answer: string;
}

export function splitAnswerSection(p: Prompt): SplitPrompt {
  const at = p.user.lastIndexOf(`\n${ANSWER_HEADING}\n`);
  if (at < 0) throw new Error(`prompt has no "${ANSWER_HEADING}" section`);
  return { system: p.system, task: p.user.slice(0, at).trimEnd(), answer: p.user.slice(at + 1) };
}

/** One earlier turn of a conversation. */
export interface Turn {
  role: 'user' | 'assistant';
  content: string;
}
