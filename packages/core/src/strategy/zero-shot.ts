// Zero-shot strategy: one prompt, one answer, one rewritten function.
//
// The template text is part of the cache key through TEMPLATE_VERSION: any edit to
// the wording below must bump it, or old cached variants would be attributed to a
// prompt that never produced them. zero-shot.test.ts pins a hash of the rendered
// template to catch a forgotten bump.
//   zero-shot/1: first version.
//   zero-shot/2: same wording; builds now pass the analyzer's facts, so the rendered
//                prompt has the '## Analysis of its loops' section that /1's never had.
import type { KernelUnit } from '../kernel/types.js';
import type { ArgSpec, KernelSpec } from '../spec/types.js';

export const STRATEGY = 'zero-shot';
export const TEMPLATE_VERSION = 'zero-shot/2';

export interface PromptInput {
  unit: KernelUnit;
  spec: KernelSpec;
  /** Analyzer facts (loops, dependences, reductions), when available. */
  facts?: string;
}

export interface Prompt {
  system: string;
  user: string;
}

const SYSTEM = [
  'You are an expert in parallel programming with OpenMP in C.',
  'You rewrite one C function so that it runs faster on a multi-core CPU and computes exactly the same results.',
  'You answer with code in a single fenced block.',
].join(' ');

function describeArg(a: ArgSpec): string {
  if (a.kind === 'scalar') return `- \`${a.name}\` (${a.type}, scalar) = ${a.value}`;
  const role = { input: 'read only', output: 'written only', inout: 'read and written' }[a.kind];
  return `- \`${a.name}\` (${a.type} buffer of ${a.length} elements, ${role})`;
}

/** The spec in prose (shared with the plan template). */
export function describeSpec(spec: KernelSpec): string {
  const lines: string[] = [];
  if (spec.description) lines.push(spec.description.trim());
  lines.push('Arguments:', ...spec.args.map(describeArg));
  const sizes = spec.sizes.test.map((s) => JSON.stringify(s)).join(', ');
  lines.push(`It is tested with sizes ${sizes} and benchmarked with ${JSON.stringify(spec.sizes.bench)}.`);
  lines.push('It must give correct results for every size, including 0 or 1 and sizes that are not multiples of any block or vector width.');
  if (spec.noalias) {
    lines.push('Pointer arguments never alias each other: you may mark them `restrict`.');
  } else {
    lines.push('Pointer arguments may alias each other: do not assume they are distinct.');
  }
  const floating = [...spec.args.map((a) => a.type), spec.returns?.type].some((t) => t === 'float' || t === 'double');
  if (floating) {
    lines.push(
      'Floating-point results are compared with a tolerance, so reductions may be reordered ' +
        '(for example with an OpenMP `reduction` clause).',
    );
  } else {
    lines.push('Results are compared exactly.');
  }
  return lines.join('\n');
}

/** Renders the prompt for one kernel. Deterministic: same input, same text. */
export function buildZeroShotPrompt(input: PromptInput): Prompt {
  const { unit, spec, facts } = input;
  const closure = unit.closure.filter((c) => c.kind !== 'include');
  const includes = unit.closure.filter((c) => c.kind === 'include');
  const parts: string[] = [];
  parts.push(`Parallelize the C function \`${unit.name}\` with OpenMP.`);
  parts.push('', '## The function', '```c', unit.sourceText.trim(), '```');
  if (includes.length > 0 || closure.length > 0) {
    parts.push('', '## What it uses from its file (unchanged, already defined)', '```c');
    for (const c of includes) parts.push(c.text);
    for (const c of closure) parts.push(c.text);
    parts.push('```');
  }
  parts.push('', '## What the function means', describeSpec(spec));
  if (facts && facts.trim()) parts.push('', '## Analysis of its loops', facts.trim());
  parts.push(
    '',
    '## Your answer',
    `Write ONE rewritten C function with the same name and the same signature: \`${unit.signature.text}\`.`,
    '- Use OpenMP pragmas (`#pragma omp ...`); `#include <omp.h>` may precede it.',
    '- Keep every result identical up to floating-point rounding; no data races.',
    '- Do not write main(), tests, other functions or explanations.',
    '- Put the function in a single ```c fenced block.',
  );
  return { system: SYSTEM, user: parts.join('\n') };
}
