// Plan zero-shot strategy: one prompt, one answer, one JSON plan (schemas/plan.schema.json).
//
// The model does not write C here. It reads the kernel (each loop header marked with
// its analyzer id: `// L1`, `// L1.2`), the analyzer's facts (trip counts, carried
// dependences, reductions, privates) and answers with a plan; the plan is checked for
// legality and only then turned into code by propose/plan-apply.ts.
//
// As for zero-shot.ts, the rendered template is part of the cache key through
// PLAN_TEMPLATE_VERSION: any edit to the wording below must bump it.
// plan-zero-shot.test.ts pins a hash of the rendered template to catch a forgotten bump.
//   plan-zero-shot/1: first version.
// The grammar form (propose/plan-grammar.ts: enums for names, "nothing" values for
// optional clauses) has its own answer section and version, PLAN_GRAMMAR_TEMPLATE_VERSION:
//   plan-zero-shot-grammar/1: first version.
import type { KernelUnit } from '../kernel/types.js';
import type { KernelSpec } from '../spec/types.js';
import { describeSpec } from './zero-shot.js';

export const PLAN_STRATEGY = 'plan-zero-shot';
export const PLAN_TEMPLATE_VERSION = 'plan-zero-shot/1';
export const PLAN_GRAMMAR_TEMPLATE_VERSION = 'plan-zero-shot-grammar/1';

/** One loop of the original kernel as the analyzer numbers it. */
export interface LoopMark {
  id: string;
  /** 1-based line in unit.sourceText where the loop starts. */
  line: number;
}

export interface PlanPromptInput {
  unit: KernelUnit;
  spec: KernelSpec;
  /** Analyzer facts text (analysis/facts.ts): required here, the plan is written against it. */
  facts: string;
  loops: LoopMark[];
  /** 'plan' (default): answer in the plan format; 'grammar': in the per-kernel grammar form. */
  form?: 'plan' | 'grammar';
}

export interface Prompt {
  system: string;
  user: string;
}

const SYSTEM = [
  'You are an expert in parallel programming with OpenMP in C.',
  'You plan how to parallelize one C function so that it runs faster on a multi-core CPU and computes exactly the same results.',
  'You answer with one JSON object and nothing else.',
].join(' ');

/** The function's text with `// L<id>` at the end of each loop's first line. */
export function annotateLoops(sourceText: string, loops: LoopMark[]): string {
  const lines = sourceText.split('\n');
  const byLine = new Map<number, string[]>();
  for (const l of loops) byLine.set(l.line, [...(byLine.get(l.line) ?? []), l.id]);
  return lines.map((text, i) => {
    const ids = byLine.get(i + 1);
    return ids ? `${text.replace(/\s+$/, '')}  // ${ids.join(', ')}` : text;
  }).join('\n');
}

/** Renders the plan prompt for one kernel. Deterministic: same input, same text. */
export function buildPlanPrompt(input: PlanPromptInput): Prompt {
  const { unit, spec, facts, loops } = input;
  const closure = unit.closure.filter((c) => c.kind !== 'include');
  const includes = unit.closure.filter((c) => c.kind === 'include');
  const parts: string[] = [];
  parts.push(`Write an OpenMP parallelization plan for the C function \`${unit.name}\`.`);
  parts.push('', '## The function (each loop marked with its id)', '```c', annotateLoops(unit.sourceText.trim(), loops), '```');
  if (includes.length > 0 || closure.length > 0) {
    parts.push('', '## What it uses from its file (unchanged, already defined)', '```c');
    for (const c of includes) parts.push(c.text);
    for (const c of closure) parts.push(c.text);
    parts.push('```');
  }
  parts.push('', '## What the function means', describeSpec(spec));
  parts.push('', '## Analysis of its loops (line numbers count from the function\'s first line)', facts.trim());
  if (input.form === 'grammar') {
    parts.push(...grammarAnswer(loops));
    return { system: SYSTEM, user: parts.join('\n') };
  }
  parts.push(
    '',
    '## Your answer',
    'One JSON object: {"version": 1, "kernel": "' + unit.name + '", "loops": [...], "transforms": [...]}.',
    `- "loops": one entry per loop you change, {"loop": id, "action": "parallel-for" | "simd" | "parallel-for-simd" | "none"}, ids from the list: ${loops.map((l) => l.id).join(', ') || '(none)'}.`,
    '- Add the clauses the loop needs: "private": [names], "lastprivate": [names], "reduction": [{"op": "+", "vars": [names]}], "collapse": n, "schedule": {"kind": "static"}.',
    '- Never run a loop in parallel or as simd when it carries a dependence; every scalar the analysis lists as private or reduction must appear in the matching clause.',
    '- At most one parallel loop per nest; "transforms" may be [] or contain {"kind": "restrict-params"} only when pointers never alias.',
    '- Answer with the JSON object only: no prose, no code.',
  );
  return { system: SYSTEM, user: parts.join('\n') };
}

/** The answer section for the grammar form: every field present, with its "nothing" value. */
function grammarAnswer(loops: LoopMark[]): string[] {
  return [
    '',
    '## Your answer',
    'One JSON object: {"loops": [...], "transforms": [...]}.',
    `- "loops": one entry per loop you change, ids from the list: ${loops.map((l) => l.id).join(', ') || '(none)'}.`,
    '  Each entry: {"loop": id, "action": "parallel-for" | "simd" | "parallel-for-simd" | "none", "private": [names], "reduction": [{"op": "+", "var": name}], "collapse": 1, "schedule": "default"}.',
    '- Use [] when a loop needs no private or reduction variable, "collapse": 1 for no collapse, "schedule": "default" for the default schedule.',
    '- Never run a loop in parallel or as simd when it carries a dependence; every scalar the analysis lists as private or reduction must appear in the matching list.',
    '- At most one parallel loop per nest; "transforms" is usually []; {"kind": "restrict-params"} only when pointers never alias.',
  ];
}
