// The per-kernel grammar form of the plan schema, and the menu form: enums from the
// kernel, "nothing" values for optional clauses, and the answers turned into plans
// that plan.schema.json accepts.
import { describe, expect, it } from 'vitest';
import { analyzeSource } from '../analysis/analyze.js';
import { kernelNames, planFromGrammarAnswer, planGrammarGbnf, planGrammarSchema } from './plan-grammar.js';
import { validatePlan } from './plan.js';
import { checkPlan } from '../analysis/legality.js';
import { menuEntries, menuSchema, readMenuAnswer } from './menu.js';
import { MENU_OTHER } from '../strategy/menu-zero-shot.js';

const MATMUL = `void mm(int n, const double *restrict A, const double *restrict B, double *restrict C)
{
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++) {
            double s = 0.0;
            for (int k = 0; k < n; k++)
                s += A[i * n + k] * B[k * n + j];
            C[i * n + j] = s;
        }
}
`;
const state = analyzeSource(MATMUL, 'mm');

describe('plan grammar form', () => {
  it('names the kernel\'s loops, scalars and arrays as enums', () => {
    const names = kernelNames(state);
    expect(names.loops).toEqual(['L1', 'L1.1', 'L1.1.1']);
    expect(names.scalars).toEqual(['i', 'j', 'k', 'n', 's']);
    expect(names.arrays).toEqual(['A', 'B', 'C']);
    expect(names.maxDepth).toBe(3);
    const schema = planGrammarSchema(names) as { properties: { loops: { items: { properties: Record<string, { enum?: unknown[]; items?: { enum?: unknown[] } }>; required: string[] } } } };
    const loop = schema.properties.loops.items;
    expect(loop.properties.loop!.enum).toEqual(['L1', 'L1.1', 'L1.1.1']);
    expect(loop.properties.private!.items!.enum).toEqual(names.scalars);
    expect(loop.properties.collapse!.enum).toEqual([1, 2, 3]);
    // Every field is required (node-llama-cpp requires them all anyway) but has a "nothing" value.
    expect(loop.required).toEqual(['loop', 'action', 'private', 'reduction', 'collapse', 'schedule']);
    expect(loop.properties.schedule!.enum).toContain('default');
  });

  it('turns an answer into a plan: "nothing" values dropped, duplicates removed, reductions grouped', () => {
    const plan = planFromGrammarAnswer(
      {
        loops: [
          { loop: 'L1', action: 'parallel-for', private: ['j', 'k', 's', 'j'], reduction: [], collapse: 1, schedule: 'default' },
          { loop: 'L1.1.1', action: 'simd', private: [], reduction: [{ op: '+', var: 's' }, { op: '+', var: 's' }], collapse: 1, schedule: 'default' },
        ],
        transforms: [],
      },
      'mm',
    );
    expect(plan).toEqual({
      version: 1,
      kernel: 'mm',
      loops: [
        { loop: 'L1', action: 'parallel-for', private: ['j', 'k', 's'] },
        { loop: 'L1.1.1', action: 'simd', reduction: [{ op: '+', vars: ['s'] }] },
      ],
    });
    const valid = validatePlan(plan);
    expect(valid.ok).toBe(true);
    if (valid.ok) expect(checkPlan(state, valid.plan).ok).toBe(true);
    // A schedule other than "default" is kept.
    const scheduled = planFromGrammarAnswer({ loops: [{ loop: 'L1', action: 'parallel-for', private: [], reduction: [], collapse: 2, schedule: 'dynamic' }], transforms: [{ kind: 'restrict-params' }] }, 'mm');
    expect(scheduled).toMatchObject({ loops: [{ loop: 'L1', action: 'parallel-for', collapse: 2, schedule: { kind: 'dynamic' } }], transforms: [{ kind: 'restrict-params' }] });
  });

  it('an illegal plan in the grammar form stays illegal (the grammar restricts names, not meaning)', () => {
    const plan = planFromGrammarAnswer({ loops: [{ loop: 'L1.1.1', action: 'parallel-for', private: [], reduction: [], collapse: 1, schedule: 'default' }], transforms: [] }, 'mm');
    const valid = validatePlan(plan);
    expect(valid.ok).toBe(true);
    if (valid.ok) expect(checkPlan(state, valid.plan).ok).toBe(false);
  });
});

describe('plan grammar as GBNF (embedded engine)', () => {
  const gbnf = planGrammarGbnf(kernelNames(state));

  it('writes compact JSON: no literal contains whitespace, and no rule allows any', () => {
    const literals = gbnf.match(/"(?:[^"\\]|\\.)*"/g) ?? [];
    expect(literals.length).toBeGreaterThan(10);
    for (const l of literals) expect(l).not.toMatch(/\s/);
    expect(gbnf).not.toMatch(/\[ \\t\\n\]|ws ::=/);
  });

  it('makes loops, private and reduction variables sorted sets: each name at most once', () => {
    expect(gbnf).toContain('private-0 ::= "\\"i\\"" ("," private-1)? | private-1');
    expect(gbnf).toContain('private-4 ::= "\\"s\\""');
    expect(gbnf).toMatch(/^loops-2 ::= "\{\\"loop\\":\\"L1\.1\.1\\",\\"action\\":" action /m);
    expect(gbnf).toMatch(/^reduction-0 ::= "\{\\"op\\":" redop ",\\"var\\":\\"i\\"\}" \(","/m);
    expect(gbnf).toMatch(/^root ::= "\{\\"loops\\":\[" loops-0 "\],\\"transforms\\":\[" \(transform \(",".transform\)\{0,2\}\)\? "\]\}"$/m);
  });

  it('an answer it allows reads as a legal plan', () => {
    const answer = JSON.parse('{"loops":[{"loop":"L1","action":"parallel-for","private":["j","k","s"],"reduction":[],"collapse":1,"schedule":"static"}],"transforms":[{"kind":"restrict-params"}]}');
    const plan = planFromGrammarAnswer(answer, 'mm');
    expect(validatePlan(plan).ok).toBe(true);
  });

  it('llama.cpp parses it for every kernel shape (no loops, no scalars)', async () => {
    const { getLlama } = await import('node-llama-cpp');
    const llama = await getLlama({ gpu: false, build: 'never' });
    await llama.createGrammar({ grammar: gbnf });
    await llama.createGrammar({ grammar: planGrammarGbnf({ loops: [], scalars: [], arrays: [], maxDepth: 1 }) });
    await llama.createGrammar({ grammar: planGrammarGbnf({ loops: ['L1'], scalars: [], arrays: ['a'], maxDepth: 1 }) });
    await expect(llama.createGrammar({ grammar: 'root ::= "a" (' })).rejects.toThrow();
  }, 60_000);
});

describe('menu form', () => {
  const entries = menuEntries(state);

  it("offers the analyzer's candidates by name with a one-line summary, plus 'other'", () => {
    expect(entries.length).toBeGreaterThan(0);
    for (const e of entries) expect(e.summary).toMatch(/^L[0-9.]+ (parallel-for|simd|parallel-for-simd)/);
    const schema = menuSchema(entries) as { properties: { choice: { enum: string[] }; reason: { maxLength: number } } };
    expect(schema.properties.choice.enum).toEqual([...entries.map((e) => e.id), MENU_OTHER]);
    expect(schema.properties.reason.maxLength).toBeLessThanOrEqual(200);
  });

  it('reads a pick, an "other", and refuses a choice that was not offered', () => {
    const pick = readMenuAnswer(JSON.stringify({ choice: entries[0]!.id, reason: 'outer loop has the work' }), entries);
    expect(pick).toMatchObject({ kind: 'entry', reason: 'outer loop has the work' });
    expect(readMenuAnswer(JSON.stringify({ choice: MENU_OTHER, reason: '' }), entries).kind).toBe('other');
    expect(readMenuAnswer(JSON.stringify({ choice: 'bogus', reason: '' }), entries)).toMatchObject({ kind: 'invalid', reason: /not one of the offered options/ });
    expect(readMenuAnswer('{"choice": ', entries)).toMatchObject({ kind: 'invalid', reason: /not JSON/ });
  });
});
