// Pulls a JSON plan out of a model's answer.
//
// With Ollama structured outputs (`format: <schema>`) the answer IS the JSON object;
// a server or model that ignores `format` may still wrap it in prose or a ```json
// fence. The rule: the whole answer parsed as JSON; else the last ```json (or
// untagged) fenced block that parses; else the outermost {...} span that parses.
// Parsing is all this does: the shape is checked by validatePlan, legality by checkPlan.
import { fencedBlocks } from './extract-code.js';

export type PlanExtractResult = { value: unknown; reason?: undefined } | { value: null; reason: string };

function tryParse(text: string): { ok: true; value: unknown } | { ok: false; error: string } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (err) {
    return { ok: false, error: (err as Error).message };
  }
}

export function extractPlanJson(answer: string): PlanExtractResult {
  const whole = answer.trim();
  if (!whole) return { value: null, reason: 'the answer is empty' };
  const direct = tryParse(whole);
  if (direct.ok) return { value: direct.value };

  const blocks = fencedBlocks(answer).filter((b) => b.lang === 'json' || b.lang === '');
  for (let i = blocks.length - 1; i >= 0; i--) {
    const r = tryParse(blocks[i]!.body.trim());
    if (r.ok) return { value: r.value };
  }
  const first = whole.indexOf('{');
  const last = whole.lastIndexOf('}');
  if (first >= 0 && last > first) {
    const r = tryParse(whole.slice(first, last + 1));
    if (r.ok) return { value: r.value };
  }
  return { value: null, reason: `the answer is not a JSON plan (${direct.error})` };
}
