// Few-shot: worked examples before the task. Examples are verified variants from the
// store, nearest by kernel features, or when the store has none, the bundled set written
// for autopar (strategy/examples.ts). Each shows an original function, its verified
// parallel version and one sentence on why it is legal and fast.
// The wording is in the key through FEW_SHOT_TEMPLATE_VERSION (bump with any edit); the
// examples themselves depend on the store's content, as a model's answer depends on
// its sampling: a rebuild with a changed store keeps its cached variant.
//   few-shot/1: first version.
import type { SplitPrompt } from './turns.js';

export const FEW_SHOT_TEMPLATE_VERSION = 'few-shot/1';

/** What the prompt shows of one example. */
export interface ShownExample {
  /** 'store': verified by this store; 'bundled': written for autopar. */
  source?: 'store' | 'bundled';
  original: string;
  parallel: string;
  note: string;
}

export function fewShotUser(p: SplitPrompt, examples: ShownExample[]): string {
  if (examples.length === 0) return `${p.task}\n\n${p.answer}`;
  const parts: string[] = ['## Worked examples (other functions, already verified)'];
  examples.forEach((e, i) => {
    parts.push('', `### Example ${i + 1}`, 'Original:', '```c', e.original.trim(), '```', 'Parallel version:', '```c', e.parallel.trim(), '```', `Why: ${e.note.trim()}`);
  });
  parts.push('', '## Your task', p.task, '', p.answer);
  return parts.join('\n');
}
