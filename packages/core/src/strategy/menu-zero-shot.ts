// Menu strategy: the analyzer → reasoner → checker pipeline at the cost of a few dozen
// generated tokens. The analyzer lists its legal candidates (each a plan, summarised
// in one line); the model picks one — or "other", then writes a plan itself — and
// gives a one-line reason. The answer is constrained to
// {"choice": <one of the option ids>, "reason": <short text>}.
//
// The rendered template is part of the cache key through MENU_TEMPLATE_VERSION: any
// edit to the wording must bump it (menu-zero-shot.test.ts pins a hash).
//   menu-zero-shot/1: first version.
import type { KernelUnit } from '../kernel/types.js';
import type { KernelSpec } from '../spec/types.js';
import { annotateLoops, type LoopMark, type Prompt } from './plan-zero-shot.js';
import { describeSpec } from './zero-shot.js';

export const MENU_STRATEGY = 'menu-zero-shot';
export const MENU_TEMPLATE_VERSION = 'menu-zero-shot/1';
/** The choice that asks for a plan of the model's own instead. */
export const MENU_OTHER = 'other: write a plan';

export interface MenuOption {
  /** Enum value the model answers with (the analyzer variant's name). */
  id: string;
  /** One line: what the variant does to which loop. */
  summary: string;
}

export interface MenuPromptInput {
  unit: KernelUnit;
  spec: KernelSpec;
  facts: string;
  loops: LoopMark[];
  options: MenuOption[];
}

const SYSTEM = [
  'You are an expert in parallel programming with OpenMP in C.',
  'You choose how to parallelize one C function so that it runs fastest on a multi-core CPU and computes exactly the same results.',
  'You answer with one JSON object and nothing else.',
].join(' ');

export function buildMenuPrompt(input: MenuPromptInput): Prompt {
  const { unit, spec, facts, loops, options } = input;
  const parts: string[] = [];
  parts.push(`Choose the best way to parallelize the C function \`${unit.name}\`.`);
  parts.push('', '## The function (each loop marked with its id)', '```c', annotateLoops(unit.sourceText.trim(), loops), '```');
  parts.push('', '## What the function means', describeSpec(spec));
  parts.push('', '## Analysis of its loops', facts.trim());
  parts.push('', '## Options (each one is legal by the analysis)');
  for (const o of options) parts.push(`- "${o.id}": ${o.summary}`);
  parts.push(`- "${MENU_OTHER}": none of these; you will be asked for a plan of your own.`);
  parts.push(
    '',
    '## Your answer',
    'One JSON object: {"choice": option id, "reason": one short sentence}.',
    '- Prefer parallelizing the outermost loop with the most work; avoid parallel regions inside hot inner loops.',
  );
  return { system: SYSTEM, user: parts.join('\n') };
}
