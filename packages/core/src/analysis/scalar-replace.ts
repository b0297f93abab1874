// Scalar replacement of an array element accumulated across a loop:
//   for k: C[e] += f(k)      ->     { T acc = C[e]; for k: acc += f(k); C[e] = acc; }
// Legal when e is invariant in the loop (affine, using nothing the loop writes) and
// no other access in the loop may touch C[e] (the dependence test, with the aliasing
// rules: another base only when it cannot alias, i.e. restrict/noalias or a distinct
// object). The operations on the element, and their order, are unchanged, so the
// results are bitwise equal. Afterwards the loop carries only the scalar `acc`: when
// every occurrence is a reduction update with one operator, `acc` is that reduction.
import type { AnalysisState } from './analyze.js';
import type { Access } from './accesses.js';
import { descendants, isInside, operatorOf, statementsOf, type SyntaxNode } from './ast.js';
import { varAt } from './context.js';
import { callVerdict } from './calls.js';
import { dimsWithin, type Dim } from './dependence.js';
import { provablyNonNegative } from './affine.js';
import { isDescendant, type LoopNode } from './loops.js';
import { equals, factorNames, isIndexFactor, sub } from './poly.js';
import type { ReductionOp } from './reductions.js';
import { enclosingReduction } from './scalars.js';

export interface ScalarReplacement {
  loop: LoopNode;
  array: string;
  /** The accesses of the element inside the loop (all the same element). */
  accesses: Access[];
  /** Text of the element, loaded before the loop and stored after it. */
  elementText: string;
  /** Element type from the array's declaration. */
  type: string;
  /** Name of the scalar that replaces the element. */
  name: string;
  /** The reduction `name` performs in the loop, when every occurrence is a reduction update with this operator. */
  op?: ReductionOp;
}

export type ScalarReplacementResult = { ok: true; replacement: ScalarReplacement } | { ok: false; reason: string };

/** Name of the scalar replacing `array`'s element: `<array>_acc`, made unique among the function's names. */
export function accumulatorName(state: AnalysisState, array: string): string {
  let name = `${array.replace(/\W/g, '_')}_acc`;
  while (state.ctx.vars.has(name) || state.ctx.macros.has(name)) name += '_';
  return name;
}


const dimKey = (d: Dim[]) => d.map((x) => (x.kind === 'field' ? `.${x.name}` : JSON.stringify([...x.p].sort()))).join('|');

/** Can `array`'s element updated in `loop` be replaced by a scalar? Says why not. */
export function scalarReplacementOf(state: AnalysisState, loop: LoopNode, array: string): ScalarReplacementResult {
  const no = (reason: string): ScalarReplacementResult => ({ ok: false, reason: `scalar-replace ${array} in loop ${loop.id} (line ${loop.line}): ${reason}` });
  // The store after the loop must run whenever the loop is left: no return or goto out of it.
  const exit = [...descendants(loop.body)].find((n) => n.type === 'return_statement' || n.type === 'goto_statement');
  if (exit) return no(`${exit.type === 'goto_statement' ? 'goto' : 'return'} at line ${exit.startPosition.row + 1} would skip the store after the loop`);
  const impure = [...descendants(loop.node)].filter((n) => n.type === 'call_expression').map((n) => callVerdict(state.ctx, n)).filter((v) => !v.pure);
  if (impure.length) return no(`the loop calls ${[...new Set(impure.map((v) => v.name))].join(', ')}, which may have side effects`);
  const inLoop = state.accesses.filter((a) => a.loops.includes(loop));
  const mine = inLoop.filter((a) => a.base.name === array && !a.viaCall);
  const writes = mine.filter((a) => a.write && isInside(a.node, loop.body));
  if (!writes.length) return no(`the loop does not write ${array}`);
  if (writes[0]!.base.kind === 'derived') return no(`${array} is loaded from a structure; its element type is unknown`);

  // The element: the first write's, invariant in the loop and the loops inside it. Every
  // access with the same subscript is replaced; any other access of the loop is checked
  // against them below.
  const dims = dimsWithin(state.env, inLoop, loop);
  const own = (f: string) => isIndexFactor(f) && (() => {
    const l = state.loopById.get(f.slice(1).replace(/'$/, ''));
    return l !== undefined && (l === loop || isDescendant(l, loop));
  })();
  const first = writes[0]!;
  const d0 = dims.get(first.id);
  if (!d0) return no(`the subscript of ${first.text} (line ${first.line}) is not affine, so it may vary in the loop`);
  if (d0.some((x) => x.kind === 'field')) return no(`${first.text} (line ${first.line}) is a structure field; only plain elements are replaced`);
  for (const x of d0) if (x.kind === 'poly' && [...factorNames(x.p)].some(own)) return no(`the subscript of ${first.text} (line ${first.line}) varies in the loop`);
  const key = dimKey(d0);
  const group = mine.filter((a) => isInside(a.node, loop.body) && dims.get(a.id) !== undefined && dimKey(dims.get(a.id)!) === key);

  // The element's type, and a scalar element (not a row of a pointer-to-pointer).
  const v = varAt(state.ctx, array, loop.node);
  if (!v || v.pointerDepth + v.arrayDims === 0) return no(`${array} is not an array or pointer visible at the loop`);
  if (/\b(volatile|_Atomic)\b/.test(v.baseType)) return no(`${array} is ${/volatile/.test(v.baseType) ? 'volatile' : '_Atomic'}`);
  if ((first.parts?.length ?? 0) !== v.pointerDepth + v.arrayDims) return no(`${first.text} does not name a single element of ${array}`);
  const type = v.baseType.replace(/\bconst\b\s*/g, '').trim();

  // The element's text must mean the same thing before and after the loop.
  for (const n of descendants(first.node)) {
    if (n.type !== 'identifier') continue;
    const at = varAt(state.ctx, n.text, first.node);
    if (at !== varAt(state.ctx, n.text, loop.node)) return no(`${n.text} in ${first.text} is declared inside the loop`);
    if ((state.ctx.writes.get(n.text) ?? []).some((w) => isInside(w.node, loop.node))) return no(`${n.text} in ${first.text} is written in the loop`);
  }

  // Nothing else in the loop may touch the element (any direction, same iteration included).
  const inGroup = new Set(group.map((a) => a.id));
  for (const d of state.dependences(loop)) {
    if (inGroup.has(d.a.id) === inGroup.has(d.b.id)) continue;
    const other = inGroup.has(d.a.id) ? d.b : d.a;
    const mine = inGroup.has(d.a.id) ? d.a : d.b;
    if (d.cause === 'alias') return no(`${other.text} (line ${other.line}) may alias ${mine.text}: ${other.base.name} and ${array} are pointers without restrict/noalias, so the element could be read or written through another name`);
    return no(`${other.text} (line ${other.line}) may touch the same element as ${mine.text} (line ${mine.line})${d.cause === 'subscripts' ? '' : ` (${d.cause})`}`);
  }
  for (const a of inLoop) {
    if (a.base.name === array && a.viaCall) return no(`${array} is passed to ${a.viaCall} (line ${a.line})`);
  }

  // Loading the element before the loop and storing it after must not touch memory the
  // original does not touch: the loop runs at least once, or the element is accessed
  // just before it, unconditionally.
  if (!runsAtLeastOnce(state, loop) && !accessedBefore(state, loop, first)) {
    return no(`the loop may run zero times and ${first.text} is not accessed before it, so loading and storing it around the loop could touch memory the original does not`);
  }

  const ops = new Set<ReductionOp | undefined>(group.map((a) => enclosingReduction(state.ctx, loop, a.node, a.text)));
  const op = ops.size === 1 ? [...ops][0] : undefined;
  return {
    ok: true,
    replacement: { loop, array, accesses: group, elementText: first.text, type, name: accumulatorName(state, array), op },
  };
}

/** Trip count >= 1: lo <= hi for constant bounds, or at least the trip count of an enclosing loop (which is running). */
function runsAtLeastOnce(state: AnalysisState, loop: LoopNode): boolean {
  if (loop.kind === 'do') return true;
  if (!loop.lo || !loop.hi?.length) return false;
  const span = loop.hi.map((h) => sub(h, loop.lo!));
  const nonEmpty = (p: typeof span[number]) => provablyNonNegative(state.env, p) && ![...factorNames(p)].some(isIndexFactor);
  if (span.every(nonEmpty)) return true;
  for (let p = loop.parent; p; p = p.parent) {
    if (!p.canonical || !p.lo || p.hi?.length !== 1) continue;
    const outer = sub(p.hi[0]!, p.lo);
    if (span.every((s) => equals(s, outer) || nonEmpty(sub(s, outer)))) return true;
  }
  return false;
}

/** An earlier statement of the block holding the loop accesses the same element text, and nothing between changes its subscript. */
function accessedBefore(state: AnalysisState, loop: LoopNode, first: Access): boolean {
  const block = loop.node.parent;
  if (!block || block.type !== 'compound_statement') return false;
  const stmts = statementsOf(block);
  const at = stmts.findIndex((s) => s.id === loop.node.id);
  const norm = (s: string) => s.replace(/\s+/g, '');
  const names = new Set([...descendants(first.node)].filter((n) => n.type === 'identifier').map((n) => n.text));
  for (let i = at - 1; i >= 0; i--) {
    const s = stmts[i]!;
    if (s.type !== 'expression_statement') return false;
    // Conditional evaluation inside the statement (?:, &&, ||, calls) could skip the access.
    const conditional = [...descendants(s)].some((n: SyntaxNode) => n.type === 'call_expression' || n.type === 'conditional_expression'
      || (n.type === 'binary_expression' && ['&&', '||'].includes(operatorOf(n))));
    if (conditional) return false;
    const touches = state.accesses.some((a) => a.statement.id === s.id && (a.read || a.write) && a.base.name === first.base.name && norm(a.text) === norm(first.text));
    if (touches) return true;
    if ([...names].some((n) => (state.ctx.writes.get(n) ?? []).some((w) => isInside(w.node, s)))) return false;
  }
  return false;
}

/** Every legal replacement of an array written in an innermost loop (the accumulator shape). */
export function scalarReplacements(state: AnalysisState, within?: (l: LoopNode) => boolean): ScalarReplacement[] {
  const out: ScalarReplacement[] = [];
  for (const loop of state.loops) {
    if (loop.children.length || !loop.parent || (within && !within(loop))) continue;
    const written = new Set(state.accesses.filter((a) => a.write && a.loops.includes(loop)).map((a) => a.base.name));
    for (const array of [...written].sort()) {
      const r = scalarReplacementOf(state, loop, array);
      if (r.ok) out.push(r.replacement);
    }
  }
  return out;
}
