// Array reduction: a loop whose only carried dependence is a sum into a range of an array,
//
//   for r { ...; for c = lo..hi  y[c] += f(r, c); ... }        (y[c] not otherwise touched)
//
// runs in parallel when every thread adds into its own zeroed copy of y[lo..hi) and the
// copies are added into y afterwards, in thread order. It is what a normal-equations product
// (y += tmp[r] * row r of A) or a column sum needs: the updates of one element come from
// every iteration of r, so neither scalarizing the element nor atomics fit. The sums are
// reassociated (the spec's tolerance decides whether that is acceptable: the differential
// test checks it). The copies live on the heap (OpenMP's own array-section reduction puts
// them on each thread's stack, which a large range would overflow).
//
// Legal when: every access of y in the loop is a `+=` update (no other read or write), no
// other array the loop touches may alias y, y is one-dimensional with an arithmetic element
// type, and each update's subscript is the index of a canonical, increasing loop inside r
// whose bounds r does not change (so the range is known before the loop starts) — the
// same bounds for every update.
import type { AnalysisState } from './analyze.js';
import type { Access } from './accesses.js';
import { mayAlias } from './accesses.js';
import { descendants, isInside, stripParens } from './ast.js';
import { varAt } from './context.js';
import { isDescendant, type LoopNode } from './loops.js';
import { enclosingReduction } from './scalars.js';

export interface ArrayReductionRange {
  loop: LoopNode;
  array: string;
  /** Element type (declared, without qualifiers). */
  type: string;
  /** First element and the number of elements, as C expressions valid before the loop. */
  lowerText: string;
  lengthText: string;
  /** The updates (`y[c] += ...`), whose subscripts are rewritten to the thread's copy. */
  updates: Access[];
}

export type ArrayReductionResult = { ok: true; reduction: ArrayReductionRange } | { ok: false; reason: string };

const ARITHMETIC = /^(unsigned\s+|signed\s+)?(char|short|int|long|long\s+long|float|double|long\s+double|size_t|int\d+_t|uint\d+_t)$/;

export function arrayReductionOf(state: AnalysisState, loop: LoopNode, array: string): ArrayReductionResult {
  const no = (reason: string): ArrayReductionResult => ({ ok: false, reason: `array reduction of ${array} in loop ${loop.id} (line ${loop.line}): ${reason}` });
  if (!loop.canonical || loop.kind !== 'for') return no('the loop is not a canonical for loop');
  const inLoop = state.accesses.filter((a) => a.loops.includes(loop));
  const own = inLoop.filter((a) => a.base.name === array);
  if (!own.some((a) => a.write)) return no(`the loop does not update ${array}`);
  for (const a of own) {
    if (a.viaCall) return no(`${a.text} is passed to ${a.viaCall} (line ${a.line})`);
    if (a.anchor) return no(`${a.text} (line ${a.line}) is written through a macro`);
    if (enclosingReduction(state.ctx, loop, a.node, a.text) !== '+') return no(`${a.text} (line ${a.line}) is not a \`+=\` update (every access of ${array} in the loop must be one)`);
  }
  const other = inLoop.find((a) => a.base.name !== array && mayAlias(state.ctx, a.base, own[0]!.base));
  if (other) return no(`${other.text} (line ${other.line}) may alias ${array} (pointers without restrict/noalias)`);
  const v = varAt(state.ctx, array, own[0]!.node);
  if (!v || v.pointerDepth + v.arrayDims !== 1) return no(`${array} is not a one-dimensional array or pointer`);
  const type = v.baseType.replace(/\b(const|volatile)\b\s*/g, '').trim();
  if (!ARITHMETIC.test(type)) return no(`${array}'s elements are ${type}, not an arithmetic type`);
  const ranges = new Set<string>();
  let lowerText = '';
  let lengthText = '';
  for (const a of own) {
    const sub = a.node.type === 'subscript_expression' ? stripParens(a.node.childForFieldName('index') ?? a.node) : undefined;
    if (!sub || sub.type !== 'identifier') return no(`the subscript of ${a.text} (line ${a.line}) is not a loop index`);
    const c = a.loops.find((l) => l.index === sub.text && l !== loop && isDescendant(l, loop));
    if (!c || !c.canonical || c.step !== 1 || (c.cmp !== '<' && c.cmp !== '<=') || c.lowerText === undefined || c.upperText === undefined) {
      return no(`the subscript of ${a.text} (line ${a.line}) is not the index of an increasing canonical loop inside ${loop.id}`);
    }
    // The bounds are evaluated before the loop: nothing the loop writes may appear in them.
    for (const n of descendants(c.node)) {
      if (isInside(n, c.body) || n.type !== 'identifier' || n.text === c.index) continue;
      if ((state.ctx.writes.get(n.text) ?? []).some((w) => isInside(w.node, loop.node))) return no(`the bounds of loop ${c.id} use ${n.text}, which loop ${loop.id} changes`);
      if (n.parent?.type === 'call_expression' || n.parent?.type === 'subscript_expression') return no(`the bounds of loop ${c.id} read memory or call a function`);
    }
    lowerText = c.lowerText;
    lengthText = c.cmp === '<' ? `(${c.upperText}) - (${c.lowerText})` : `(${c.upperText}) - (${c.lowerText}) + 1`;
    ranges.add(`${lowerText}|${lengthText}`);
  }
  if (ranges.size !== 1) return no(`the updates of ${array} run over different ranges`);
  return { ok: true, reduction: { loop, array, type, lowerText, lengthText, updates: own } };
}

