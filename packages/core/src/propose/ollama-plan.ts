// The plan output form of the Ollama proposer: prompt inputs, the `format` schema for
// Ollama structured outputs, and turning an answer into a candidate.
//
// Order, and why: answer → JSON → validatePlan (shape) → checkPlan (legality, against
// the ORIGINAL kernel's analysis) → applyPlan (code). A plan is never applied before
// its legality check; the check's result is kept on the candidate (`legality`). An
// illegal plan still becomes a candidate, with no text, so that the verifier's
// plan-legality stage records the rejection (and its reason) in the verdict.
import type { AnalysisState } from '../analysis/analyze.js';
import { checkPlan } from '../analysis/legality.js';
import { factsText } from '../analysis/facts.js';
import { applyPlan } from './plan-apply.js';
import { planSchema, validatePlan } from './plan.js';
import { extractPlanJson } from './extract-code-plan.js';
import type { Candidate, ProposerIdentity } from './types.js';
import type { LoopMark } from '../strategy/plan-zero-shot.js';

/** The loop ids and first lines of the original kernel, for the prompt. */
export function loopMarks(state: AnalysisState): LoopMark[] {
  return state.loops.map((l) => ({ id: l.id, line: l.line }));
}

/** Facts for the plan prompt: the caller's (the build's) when given, else from this analysis. */
export function planFacts(state: AnalysisState, given?: string): string {
  return given && given.trim() ? given : factsText(state.facts);
}

/**
 * plan.schema.json made self-contained for Ollama's `format`: local `$ref`s inlined,
 * `$schema`/`$id`/`definitions` dropped (the grammar converter does not need them).
 */
export function planFormatSchema(): object {
  const schema = planSchema() as Record<string, unknown>;
  const defs = (schema.definitions ?? {}) as Record<string, unknown>;
  const inline = (x: unknown): unknown => {
    if (Array.isArray(x)) return x.map(inline);
    if (!x || typeof x !== 'object') return x;
    const o = x as Record<string, unknown>;
    if (typeof o.$ref === 'string') {
      const m = /^#\/definitions\/(.+)$/.exec(o.$ref);
      if (!m || !(m[1]! in defs)) throw new Error(`plan schema: cannot inline ${o.$ref}`);
      const { $ref: _r, ...rest } = o;
      return { ...(inline(defs[m[1]!]) as object), ...(inline(rest) as object) };
    }
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(o)) {
      if (k === '$schema' || k === '$id' || k === 'definitions') continue;
      out[k] = inline(v);
    }
    return out;
  };
  return inline(schema) as object;
}

export type PlanAnswer = { candidate: Candidate; reason?: undefined } | { candidate: null; reason: string };

/** Turns one model answer into a plan candidate, or says why there is none. */
export function planCandidate(
  raw: string,
  state: AnalysisState,
  label: string,
  proposer: ProposerIdentity,
  /** Turns the answer's JSON into the plan format (e.g. from the grammar form); identity by default. */
  toPlan: (answer: unknown) => unknown = (x) => x,
): PlanAnswer {
  const extracted = extractPlanJson(raw);
  if (extracted.reason !== undefined) return { candidate: null, reason: extracted.reason };
  const valid = validatePlan(toPlan(extracted.value));
  if (!valid.ok) return { candidate: null, reason: `the plan does not match plan.schema.json: ${valid.errors.slice(0, 5).join('; ')}` };
  const plan = valid.plan;
  // Legality BEFORE any code exists.
  const legality = checkPlan(state, plan);
  if (!legality.ok) {
    return { candidate: { label, proposer, functionText: '', plan, legality, rawResponse: raw } };
  }
  let functionText: string;
  try {
    functionText = applyPlan(state, plan).functionText;
  } catch (err) {
    return { candidate: null, reason: `the plan is legal but could not be applied: ${(err as Error).message}` };
  }
  return { candidate: { label, proposer, functionText, plan, legality, rawResponse: raw } };
}
