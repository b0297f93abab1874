// The plan schema made enforceable, per kernel: what a model may answer in the plan
// output form, as a JSON schema that both engines turn into a sampling grammar
// (node-llama-cpp's JSON-schema grammar; Ollama's `format`).
//
// Why a separate "grammar form" and not plan.schema.json itself:
//  - node-llama-cpp makes every property mandatory (it ignores `required`) and drops
//    `pattern`, `minimum`/`maximum` and `uniqueItems`; a model forced to fill every
//    optional field of the plan schema writes clauses it did not mean.
//  - Per kernel, the names a plan may use are known: loop ids (L1, L1.2), the scalars
//    and arrays of the function. As enums, the model cannot misspell them.
// So every field here is mandatory but has a "nothing" value: clause lists may be
// empty, `collapse` 1 means no collapse, `schedule` "default" means none. The answer is
// then turned into a plan (planFromGrammarAnswer) and validated against
// plan.schema.json like any other plan, then checked for legality.
// Not expressible here (a model that needs them answers in the function form):
// firstprivate/lastprivate, atomic, select, ifThreshold, schedule chunks, ':point' ids.
import type { AnalysisState } from '../analysis/analyze.js';
import type { ReductionOp } from '../analysis/reductions.js';
import { PLAN_VERSION, type LoopPlan, type Plan, type Transform } from './plan.js';

// 2: the embedded engine gets planGrammarGbnf (compact, no repeated names) instead of the schema's grammar.
// 3: planGrammarGbnf refuses parallel loops nested in parallel loops, and anything but none inside simd.
// 4: private/reduction names only scalars the function assigns (never a read-only size parameter).
// 5: reduction never names a loop index.
export const PLAN_GRAMMAR_VERSION = 'plan-grammar/5';

const REDUCTION_OPS = ['+', '*', 'min', 'max', '&', '|', '^'] as const;
const SCHEDULES = ['default', 'static', 'dynamic', 'guided'] as const;
const TILE_SIZES = [16, 32, 64, 128] as const;

export interface KernelNames {
  loops: string[];
  /** Scalars the function assigns: private and reduction candidates. */
  scalars: string[];
  /** The same without loop indexes: a loop index is never a reduction variable. */
  reductionScalars: string[];
  arrays: string[];
  /** Deepest nest (1 = no nested loop): the largest useful collapse. */
  maxDepth: number;
}

/** Loop ids, scalar and array names of the kernel, sorted, for the enums. */
export function kernelNames(state: AnalysisState): KernelNames {
  const scalars = new Set<string>();
  const arrays = new Set<string>();
  // A scalar the function never assigns (a size parameter) is never a legal private or
  // reduction variable: private leaves it uninitialised, a reduction has nothing to combine.
  const assigned = (name: string) => (state.ctx.writes.get(name) ?? []).some((w) => w.kind === 'assign' || w.kind === 'update');
  for (const [name, infos] of state.ctx.vars) {
    for (const v of infos) {
      if (v.kind === 'global' && v.pointerDepth === 0 && v.arrayDims === 0) continue; // globals are shared, never clauses
      if (v.pointerDepth > 0 || v.arrayDims > 0) arrays.add(name);
      else if (assigned(name)) scalars.add(name);
    }
  }
  // Loop indexes declared in the for-init are scalars too.
  const indexes = new Set<string>();
  for (const l of state.loops) if (l.index) (scalars.add(l.index), indexes.add(l.index));
  const maxDepth = state.loops.reduce((m, l) => Math.max(m, l.depth + 1), 1);
  const sorted = [...scalars].sort();
  return { loops: state.loops.map((l) => l.id), scalars: sorted, reductionScalars: sorted.filter((n) => !indexes.has(n)), arrays: [...arrays].sort(), maxDepth };
}

/** The per-kernel grammar schema (see the header). Deterministic for a given kernel. */
export function planGrammarSchema(names: KernelNames): object {
  const loopId = { enum: names.loops };
  const loopProps: Record<string, unknown> = { loop: loopId, action: { enum: ['parallel-for', 'simd', 'parallel-for-simd', 'none'] } };
  const reducible = names.reductionScalars;
  if (names.scalars.length > 0) {
    loopProps.private = { type: 'array', items: { enum: names.scalars }, maxItems: Math.min(names.scalars.length, 8) };
    loopProps.reduction = reducible.length
      ? {
          type: 'array',
          items: { type: 'object', properties: { op: { enum: [...REDUCTION_OPS] }, var: { enum: reducible } }, required: ['op', 'var'], additionalProperties: false },
          maxItems: 4,
        }
      : { type: 'array', maxItems: 0 };
  }
  loopProps.collapse = { enum: Array.from({ length: Math.min(names.maxDepth, 4) }, (_, i) => i + 1) };
  loopProps.schedule = { enum: [...SCHEDULES] };
  const transforms: object[] = [{ type: 'object', properties: { kind: { const: 'restrict-params' } }, required: ['kind'], additionalProperties: false }];
  if (names.loops.length > 0) {
    const t = (kind: string, extra: Record<string, unknown>) => ({
      type: 'object',
      properties: { kind: { const: kind }, loop: loopId, ...extra },
      required: ['kind', 'loop', ...Object.keys(extra)],
      additionalProperties: false,
    });
    if (names.maxDepth > 1) {
      transforms.push(t('interchange', { with: loopId }));
      transforms.push(t('distribute', {}));
    }
    transforms.push(t('tile', { size: { enum: [...TILE_SIZES] } }));
    transforms.push(t('hoist-parallel-region', {}));
    if (names.arrays.length > 0) transforms.push(t('scalar-replace', { array: { enum: names.arrays } }));
  }
  return {
    type: 'object',
    properties: {
      loops: {
        type: 'array',
        items: { type: 'object', properties: loopProps, required: Object.keys(loopProps), additionalProperties: false },
        minItems: names.loops.length > 0 ? 1 : 0,
        maxItems: Math.max(names.loops.length, 1),
      },
      transforms: { type: 'array', items: { oneOf: transforms }, maxItems: 3 },
    },
    required: ['loops', 'transforms'],
    additionalProperties: false,
  };
}

interface GrammarLoop {
  loop: string;
  action: LoopPlan['action'];
  private?: string[];
  reduction?: Array<{ op: (typeof REDUCTION_OPS)[number]; var: string }>;
  collapse?: number;
  schedule?: (typeof SCHEDULES)[number];
}

/**
 * An answer in the grammar form → a plan in the plan format: "nothing" values dropped,
 * duplicate names removed (the engines cannot enforce uniqueItems), reductions grouped
 * by operator. Anything not in the grammar form's shape is passed on unchanged, for
 * validatePlan to reject with its own message.
 */
export function planFromGrammarAnswer(answer: unknown, kernel: string): unknown {
  if (!answer || typeof answer !== 'object' || Array.isArray(answer)) return answer;
  const a = answer as { loops?: unknown; transforms?: unknown };
  if (!Array.isArray(a.loops)) return answer;
  const loops = a.loops.map((raw) => {
    if (!raw || typeof raw !== 'object') return raw;
    const l = raw as GrammarLoop;
    const out: LoopPlan = { loop: l.loop, action: l.action };
    const priv = [...new Set(l.private ?? [])];
    if (priv.length > 0) out.private = priv;
    if (Array.isArray(l.reduction) && l.reduction.length > 0) {
      const byOp = new Map<string, string[]>();
      for (const r of l.reduction) {
        const vars = byOp.get(r.op) ?? [];
        if (!vars.includes(r.var)) vars.push(r.var);
        byOp.set(r.op, vars);
      }
      out.reduction = [...byOp].map(([op, vars]) => ({ op: op as ReductionOp, vars }));
    }
    if (typeof l.collapse === 'number' && l.collapse > 1) out.collapse = l.collapse;
    if (l.schedule && l.schedule !== 'default') out.schedule = { kind: l.schedule };
    return out;
  });
  const plan: Omit<Plan, 'transforms'> & { transforms?: Transform[] } = { version: PLAN_VERSION, kernel, loops: loops as LoopPlan[] };
  if (Array.isArray(a.transforms) && a.transforms.length > 0) plan.transforms = a.transforms as Transform[];
  return plan;
}

/**
 * The same answer shape as planGrammarSchema, written directly as a GBNF grammar for the
 * embedded engine, with two constraints a JSON-schema grammar cannot state:
 *  - compact JSON: no whitespace at all. The schema grammar lets a model indent freely, and
 *    small models spend most of their token budget on indentation (an answer cut at the
 *    token limit is not JSON);
 *  - no repeated names: loops, private variables and reduction variables are each a set,
 *    written in sorted order, every name at most once. Small models otherwise repeat one
 *    name until the list's maximum ("acc","acc","acc",…).
 * The answer is read by planFromGrammarAnswer like a schema-grammar answer.
 */
export function planGrammarGbnf(names: KernelNames): string {
  const lit = (text: string) => `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
  const str = (value: string) => lit(JSON.stringify(value));
  const rules: string[] = [];
  const rule = (name: string, body: string) => rules.push(`${name} ::= ${body}`);
  const oneOf = (values: string[]) => values.map(str).join(' | ');

  /** A sorted subset of `items` (at least one), each item's text made by `item`: seq-<prefix>-<i>. */
  const orderedSet = (prefix: string, count: number, item: (i: number) => string) => {
    for (let i = count - 1; i >= 0; i--) {
      const here = item(i);
      rule(`${prefix}-${i}`, i === count - 1 ? here : `${here} ("," ${prefix}-${i + 1})? | ${prefix}-${i + 1}`);
    }
    return `${prefix}-0`;
  };

  rule('collapse', Array.from({ length: Math.min(names.maxDepth, 4) }, (_, i) => lit(String(i + 1))).join(' | '));
  rule('schedule', oneOf([...SCHEDULES]));
  let clauses = '';
  if (names.scalars.length > 0) {
    rule('redop', oneOf([...REDUCTION_OPS]));
    const priv = orderedSet('private', names.scalars.length, (i) => str(names.scalars[i]!));
    const reducible = names.reductionScalars;
    const red = reducible.length ? `${orderedSet('reduction', reducible.length, (i) => `${lit('{"op":')} redop ${lit(`,"var":${JSON.stringify(reducible[i]!)}}`)}`)}?` : '';
    clauses = ` ${lit(',"private":[')} ${priv}? ${lit('],"reduction":[')} ${red} ${lit(']')}`;
  }
  let loops = '';
  if (names.loops.length > 0) {
    rule('loop-clauses', `${clauses.trimStart()} ${lit(',"collapse":')} collapse ${lit(',"schedule":')} schedule ${lit('}')}`.trimStart());
    const loopItem = (id: string, action: string) => `${lit(`{"loop":${JSON.stringify(id)},"action":${JSON.stringify(action)}`)} loop-clauses`;
    loops = nestingAwareLoops(names.loops, loopItem, rule);
  }
  const transforms = [lit('{"kind":"restrict-params"}')];
  if (names.loops.length > 0) {
    rule('loopid', oneOf(names.loops));
    const t = (kind: string, extra = '') => `${lit(`{"kind":${JSON.stringify(kind)},"loop":`)} loopid${extra} ${lit('}')}`;
    if (names.maxDepth > 1) {
      transforms.push(t('interchange', ` ${lit(',"with":')} loopid`));
      transforms.push(t('distribute'));
    }
    transforms.push(t('tile', ` ${lit(',"size":')} (${TILE_SIZES.map((s) => lit(String(s))).join(' | ')})`));
    transforms.push(t('hoist-parallel-region'));
    if (names.arrays.length > 0) {
      rule('array', oneOf(names.arrays));
      transforms.push(t('scalar-replace', ` ${lit(',"array":')} array`));
    }
  }
  rule('transform', transforms.join(' | '));
  rules.unshift(`root ::= ${lit('{"loops":[')} ${loops} ${lit('],"transforms":[')} (transform ("," transform){0,2})? ${lit(']}')}`);
  return rules.join('\n') + '\n';
}

const PARALLEL_ACTIONS = new Set(['parallel-for', 'parallel-for-simd']);
const SIMD_ACTIONS = new Set(['simd', 'parallel-for-simd']);
const ACTIONS = ['parallel-for', 'simd', 'parallel-for-simd', 'none'] as const;

/**
 * The loop list as a sorted set in which nesting follows OpenMP: the loops are taken in
 * pre-order (a loop before the loops inside it), and the rule for each loop knows which of
 * its enclosing loops the answer already made parallel or simd. So the grammar has one
 * rule per (loop, enclosing parallel loop, enclosing simd loop) actually reachable:
 * a few per loop for real nests. Returns the name of the first rule.
 */
function nestingAwareLoops(ids: string[], item: (id: string, action: string) => string, rule: (name: string, body: string) => void): string {
  const path = (id: string) => id.slice(1).split('.').map(Number);
  const order = [...ids].sort((a, b) => {
    const [pa, pb] = [path(a), path(b)];
    for (let i = 0; i < Math.min(pa.length, pb.length); i++) if (pa[i] !== pb[i]) return pa[i]! - pb[i]!;
    return pa.length - pb.length;
  });
  const encloses = (outer: number, inner: number) => outer >= 0 && order[inner]!.startsWith(`${order[outer]}.`);
  const made = new Set<string>();
  /** Rule for loop k, given the indexes of the parallel and simd loops chosen so far (-1: none), if they enclose k. */
  const ruleFor = (k: number, par: number, simd: number): string => {
    const p = encloses(par, k) ? par : -1;
    const s = encloses(simd, k) ? simd : -1;
    const name = `loops-${k}${p >= 0 ? `-p${p}` : ''}${s >= 0 ? `-s${s}` : ''}`;
    if (made.has(name)) return name;
    made.add(name);
    const last = k === order.length - 1;
    const allowed = ACTIONS.filter((a) => (s >= 0 ? a === 'none' : p >= 0 ? !PARALLEL_ACTIONS.has(a) : true));
    const alternatives = allowed.map((a) => {
      const here = item(order[k]!, a);
      if (last) return here;
      return `${here} ("," ${ruleFor(k + 1, PARALLEL_ACTIONS.has(a) ? k : p, SIMD_ACTIONS.has(a) ? k : s)})?`;
    });
    if (!last) alternatives.push(ruleFor(k + 1, p, s));
    rule(name, alternatives.join(' | '));
    return name;
  };
  return ruleFor(0, -1, -1);
}
