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
    // n is only read: never a legal private or reduction variable, so not offered.
    expect(names.scalars).toEqual(['i', 'j', 'k', 's']);
    expect(names.reductionScalars).toEqual(['s']);
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
    expect(gbnf).toContain('private-3 ::= "\\"s\\""');
    expect(gbnf).toMatch(/^loops-2 ::= "\{\\"loop\\":\\"L1\.1\.1\\",\\"action\\":\\"parallel-for\\"" loop-clauses /m);
    // A loop index is never a reduction variable: s is the only one offered.
    expect(gbnf).toMatch(/^reduction-0 ::= "\{\\"op\\":" redop ",\\"var\\":\\"s\\"\}"$/m);
    expect(gbnf).toMatch(/^root ::= "\{\\"loops\\":\[" loops-0 "\],\\"transforms\\":\[" \(transform \(",".transform\)\{0,2\}\)\? "\]\}"$/m);
  });

  it('an answer it allows reads as a legal plan', () => {
    const answer = JSON.parse('{"loops":[{"loop":"L1","action":"parallel-for","private":["j","k","s"],"reduction":[],"collapse":1,"schedule":"static"}],"transforms":[{"kind":"restrict-params"}]}');
    const plan = planFromGrammarAnswer(answer, 'mm');
    expect(validatePlan(plan).ok).toBe(true);
  });

  // The loop list of one answer, in the compact form the grammar writes.
  const answer = (...loops: Array<[string, string]>) =>
    `{"loops":[${loops.map(([loop, action]) => `{"loop":"${loop}","action":"${action}","private":[],"reduction":[],"collapse":1,"schedule":"default"}`).join(',')}],"transforms":[]}`;

  it('refuses parallel loops inside a parallel loop, and anything but none inside simd', () => {
    expect(gbnfAccepts(gbnf, answer(['L1', 'parallel-for']))).toBe(true);
    expect(gbnfAccepts(gbnf, answer(['L1', 'parallel-for'], ['L1.1.1', 'simd']))).toBe(true);
    expect(gbnfAccepts(gbnf, answer(['L1', 'none'], ['L1.1', 'parallel-for'], ['L1.1.1', 'simd']))).toBe(true);
    // What SmolLM2 wrote under plan-grammar/2: every loop of the nest parallel.
    expect(gbnfAccepts(gbnf, answer(['L1', 'parallel-for'], ['L1.1', 'parallel-for'], ['L1.1.1', 'parallel-for']))).toBe(false);
    expect(gbnfAccepts(gbnf, answer(['L1', 'parallel-for'], ['L1.1.1', 'parallel-for-simd']))).toBe(false);
    expect(gbnfAccepts(gbnf, answer(['L1', 'simd'], ['L1.1', 'simd']))).toBe(false);
    expect(gbnfAccepts(gbnf, answer(['L1', 'parallel-for-simd'], ['L1.1.1', 'simd']))).toBe(false);
    expect(gbnfAccepts(gbnf, answer(['L1.1', 'parallel-for'], ['L1', 'none']))).toBe(false); // pre-order only
  });

  it('leaves a nest behind: a loop after it may be parallel again', () => {
    const two = planGrammarGbnf(kernelNames(analyzeSource(`void f(int n, double *restrict a, double *restrict b)
{
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++)
            a[i * n + j] = 0;
    for (int i = 0; i < n; i++)
        b[i] = 1;
}
`, 'f')));
    expect(gbnfAccepts(two, answer(['L1', 'parallel-for'], ['L1.1', 'simd'], ['L2', 'parallel-for-simd']))).toBe(true);
    expect(gbnfAccepts(two, answer(['L1', 'parallel-for'], ['L1.1', 'parallel-for']))).toBe(false);
  });

  it('llama.cpp parses it for every kernel shape (no loops, no scalars)', async () => {
    const { getLlama } = await import('node-llama-cpp');
    const llama = await getLlama({ gpu: false, build: 'never' });
    await llama.createGrammar({ grammar: gbnf });
    await llama.createGrammar({ grammar: planGrammarGbnf({ loops: [], scalars: [], reductionScalars: [], arrays: [], maxDepth: 1 }) });
    await llama.createGrammar({ grammar: planGrammarGbnf({ loops: ['L1'], scalars: [], reductionScalars: [], arrays: ['a'], maxDepth: 1 }) });
    await llama.createGrammar({ grammar: planGrammarGbnf({ loops: ['L1'], scalars: ['i'], reductionScalars: [], arrays: ['a'], maxDepth: 1 }) });
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

/**
 * Does a GBNF grammar (the subset planGrammarGbnf writes: literals, rule names, ( ), |,
 * ? and {m,n}) produce exactly `text`? A small backtracking recogniser, so the tests can
 * ask the grammar questions without a model.
 */
function gbnfAccepts(grammar: string, text: string): boolean {
  type Node = { lit: string } | { ref: string } | { alt: Node[][] } | { rep: Node; min: number; max: number };
  const rules = new Map<string, Node>();
  for (const line of grammar.split('\n').filter(Boolean)) {
    const [, name, body] = /^(\S+) ::= (.*)$/.exec(line)!;
    let pos = 0;
    const alt = (): Node => {
      const alts: Node[][] = [[]];
      while (pos < body!.length && body![pos] !== ')') {
        const c = body![pos]!;
        if (c === ' ') pos++;
        else if (c === '|') (alts.push([]), pos++);
        else {
          let atom: Node;
          if (c === '"') {
            const m = /^"((?:[^"\\]|\\.)*)"/.exec(body!.slice(pos))!;
            atom = { lit: m[1]!.replace(/\\(.)/g, '$1') };
            pos += m[0].length;
          } else if (c === '(') {
            pos++;
            atom = alt();
            pos++;
          } else {
            const m = /^[\w-]+/.exec(body!.slice(pos))!;
            atom = { ref: m[0] };
            pos += m[0].length;
          }
          const q = /^(\?|\{(\d+),(\d+)\})/.exec(body!.slice(pos));
          if (q) {
            atom = q[1] === '?' ? { rep: atom, min: 0, max: 1 } : { rep: atom, min: Number(q[2]), max: Number(q[3]) };
            pos += q[0].length;
          }
          alts.at(-1)!.push(atom);
        }
      }
      return { alt: alts };
    };
    rules.set(name!, alt());
  }
  // End positions reachable from `at` by matching `node`.
  const ends = (node: Node, at: number): Set<number> => {
    if ('lit' in node) return text.startsWith(node.lit, at) ? new Set([at + node.lit.length]) : new Set();
    if ('ref' in node) return ends(rules.get(node.ref)!, at);
    if ('rep' in node) {
      const out = new Set<number>(node.min === 0 ? [at] : []);
      let frontier = new Set([at]);
      for (let i = 1; i <= node.max; i++) {
        const next = new Set<number>();
        for (const p of frontier) for (const e of ends(node.rep, p)) next.add(e);
        if (i >= node.min) for (const e of next) out.add(e);
        frontier = next;
      }
      return out;
    }
    const out = new Set<number>();
    for (const seq of node.alt) {
      let frontier = new Set([at]);
      for (const part of seq) {
        const next = new Set<number>();
        for (const p of frontier) for (const e of ends(part, p)) next.add(e);
        frontier = next;
      }
      for (const e of frontier) out.add(e);
    }
    return out;
  };
  return ends({ ref: 'root' }, 0).has(text.length);
}
