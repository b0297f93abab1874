// Accumulation in the output: a loop x whose body computes one output element with a
// scalar accumulator over an inner reduction nest,
//
//   for x { T acc = init; for r1 ... for rm { body(acc, x, r) } A[g(x)] = h(acc); }
//
// becomes
//
//   for x A[g(x)] = init;
//   for r1 ... for rm  for x { body(A[g(x)], x, r) }
//   for x A[g(x)] = h(A[g(x)]);          (left out when h(acc) is acc itself)
//
// so that x, which walks memory with unit stride in the body, is innermost (it streams
// rows and vectorizes instead of striding through a column: attention's P*V product,
// convolution windows, dot-product matrix products). Every element still receives its
// updates in the same (r1, ..., rm) order, with the same operations, in storage of the
// accumulator's type: the results are bitwise those of the original.
//
// Legal when the iterations of x are independent (the dependence test found nothing
// carried by x), the reduction loops do not depend on x and are a perfect nest, the
// only memory x's body writes is the final store, nothing else in the body touches A
// (or may alias it), and the body has no exits or calls with side effects.
import type { AnalysisState } from './analyze.js';
import type { Access } from './accesses.js';
import { mayAlias } from './accesses.js';
import { callArguments, descendants, isInside, LOOP_TYPES, statementsOf, stripParens, type SyntaxNode } from './ast.js';
import { callVerdict } from './calls.js';
import { declaratorsOf, macroFreeNames, varAt, type VarInfo } from './context.js';
import { declaredInside, invariantReadsIn, isCallee, type InvariantRead } from './invariant.js';
import { perfectChild, type LoopNode } from './loops.js';

export interface Accumulation {
  /** The loop that moves innermost. */
  loop: LoopNode;
  /** The accumulator's name and declared type. */
  acc: string;
  type: string;
  /** Initial value (text). */
  initText: string;
  /** The reduction loops, outermost first; the last one's body runs inside the moved loop. */
  nest: LoopNode[];
  /** The output element (text of the store's left side) and the stored expression. */
  storeTarget: SyntaxNode;
  storeValue: SyntaxNode;
  /**
   * Reads in the innermost body that do not change across the moved loop (`filt[co][ky][kx]`
   * under `for x`): loaded once into a local before it. The store, the only write of the
   * body, may alias none of them; without this a compiler reloads them on every iteration
   * (the parallel region's outlined function has lost the pointers' restrict).
   */
  invariantReads: InvariantRead[];
}

export type AccumulationResult = { ok: true; accumulation: Accumulation } | { ok: false; reason: string };

export function accumulationOf(state: AnalysisState, loop: LoopNode): AccumulationResult {
  const no = (reason: string): AccumulationResult => ({ ok: false, reason: `accumulate-in-output of loop ${loop.id} (line ${loop.line}): ${reason}` });
  if (!loop.canonical || loop.kind !== 'for' || !loop.index) return no('the loop is not a canonical for loop');
  const facts = state.factsById.get(loop.id)!;
  if (!facts.parallel) return no('its iterations are not independent (the dependence test found a carried dependence)');
  if (facts.reductions.length || facts.arrayReductions.length) return no('it carries a reduction');
  if (loop.body.type !== 'compound_statement') return no('its body is not a block');
  // Its header is written out three times (init, moved and final loops): no side effects.
  const impureHeader = [...descendants(loop.node)].find((n) => !isInside(n, loop.body) && n.type === 'call_expression' && !callVerdict(state.ctx, n).pure);
  if (impureHeader) return no(`its header calls ${impureHeader.text}, which would run three times`);
  const stmts = statementsOf(loop.body).filter((s) => s.type !== 'comment');
  if (stmts.length !== 3) return no('its body is not `T acc = init; <reduction loops>; A[...] = f(acc);`');
  const [decl, nestStmt, store] = stmts as [SyntaxNode, SyntaxNode, SyntaxNode];

  // T acc = init;
  const d = accumulatorDeclaration(state, decl);
  if ('reason' in d) return no(d.reason);
  const { acc, nameNode, variable: v, type, init } = d;

  // The perfect reduction nest, independent of x.
  const first = loop.children.find((c) => c.node.id === nestStmt.id);
  if (!first) return no('the second statement is not a loop');
  const nest: LoopNode[] = [first];
  for (let c = perfectChild(first); c; c = perfectChild(c)) nest.push(c);
  const innermost = nest[nest.length - 1]!;
  if (innermost.children.length) return no(`loop ${innermost.id} holds more than a loop; the reduction loops must be perfectly nested`);
  for (const r of nest) {
    if (!r.canonical || r.kind !== 'for') return no(`the reduction loop ${r.id} is not canonical`);
    const header = [...descendants(r.node)].filter((n) => !isInside(n, r.body) && n.type === 'identifier');
    const bad = header.find((n) => n.text === loop.index || n.text === acc || (state.ctx.writes.get(n.text) ?? []).some((w) => isInside(w.node, loop.body) && !isInside(w.node, r.node)));
    if (bad) return no(`the bounds of loop ${r.id} use ${bad.text}, which the moved loop changes`);
  }
  for (const n of descendants(innermost.body)) {
    if (['return_statement', 'goto_statement', 'break_statement', 'continue_statement'].includes(n.type)) return no(`${n.type.replace('_statement', '')} at line ${n.startPosition.row + 1} would apply to the moved loop`);
    if (LOOP_TYPES.has(n.type)) return no('the innermost reduction loop holds another loop');
  }

  // A[g(x)] = h(acc);
  const assign = store.type === 'expression_statement' ? store.namedChild(0) : null;
  if (!assign || assign.type !== 'assignment_expression' || assign.child(1)?.text !== '=') return no('the last statement is not a plain store `A[...] = f(acc);`');
  const target = stripParens(assign.childForFieldName('left')!);
  const value = assign.childForFieldName('right')!;
  const storeAccess = state.accesses.find((a) => a.write && a.node.id === target.id && !a.viaCall);
  if (!storeAccess || !storeAccess.parts) return no(`the store target ${target.text} is not an array element the analysis understands`);
  const arrayVar = varAt(state.ctx, storeAccess.base.name, loop.node);
  if (!arrayVar || (storeAccess.parts.length !== arrayVar.pointerDepth + arrayVar.arrayDims)) return no(`${target.text} does not name a single element`);
  const elementType = arrayVar.baseType.replace(/\bconst\b\s*/g, '').trim();
  if (elementType !== type) return no(`${target.text} is ${elementType}, the accumulator ${type}: storing partial results would round them`);

  // Memory: the store is the only write in x's body; nothing else touches A or may alias it.
  const inBody = state.accesses.filter((a) => isInside(a.node, loop.body));
  for (const a of inBody) {
    if (a === storeAccess) continue;
    if (a.write) return no(`${a.text} (line ${a.line}) is written in the loop besides the output element`);
    if (a.viaCall) return no(`${a.text} is passed to ${a.viaCall} (line ${a.line})`);
    if (mayAlias(state.ctx, a.base, storeAccess.base)) {
      return no(a.base.name === storeAccess.base.name
        ? `${a.text} (line ${a.line}) reads ${a.base.name}, the output, which would then see partial sums`
        : `${a.text} (line ${a.line}) may alias the output ${storeAccess.base.name} (pointers without restrict/noalias)`);
    }
  }
  // The element's subscript must not use the accumulator or anything the body writes.
  for (const n of descendants(target)) {
    if (n.type !== 'identifier') continue;
    if (n.text === acc || (state.ctx.writes.get(n.text) ?? []).some((w) => isInside(w.node, loop.body))) return no(`the subscript of ${target.text} uses ${n.text}, which the loop body writes`);
  }

  // Scalars: the body writes only the accumulator and locals of the innermost body.
  for (const [name, sites] of state.ctx.writes) {
    const inside = sites.filter((w) => isInside(w.node, loop.body));
    if (!inside.length || name === acc) continue;
    if (inside.every((w) => isInside(w.node, innermost.body) && declaredInside(state, name, w.node, innermost.body))) continue;
    if (nest.some((r) => r.index === name && r.declaresIndex)) continue;
    return no(`scalar ${name} is written in the loop body (line ${inside[0]!.node.startPosition.row + 1}); only the accumulator and locals of the innermost loop may be`);
  }
  for (const n of [...descendants(init), ...descendants(value), ...descendants(first.node)]) {
    if (n.type !== 'call_expression') continue;
    if (macroFreeNames(state.ctx, n).has(acc)) return no(`macro ${n.childForFieldName('function')?.text} (line ${n.startPosition.row + 1}) refers to ${acc} in its body, where the replacement cannot reach`);
    const c = callVerdict(state.ctx, n);
    if (!c.pure) return no(c.reason ?? `calls ${c.name}`);
  }
  if ([...descendants(init)].some((n) => n.type === 'identifier' && n.text === acc)) return no('the initial value uses the accumulator');

  // Where the accumulator is used: only in the innermost body and in the stored value.
  const uses: SyntaxNode[] = [];
  for (const n of descendants(loop.body)) {
    if (n.type !== 'identifier' || n.text !== acc || n.id === nameNode.id) continue;
    if (isCallee(n)) continue;
    if (!(isInside(n, innermost.body) || isInside(n, value))) return no(`${acc} is used at line ${n.startPosition.row + 1}, outside the innermost loop and the store`);
    if (varAt(state.ctx, acc, n) !== v) return no(`${acc} is redeclared inside the loop`);
    uses.push(n);
  }
  if (!uses.some((n) => isInside(n, value))) return no(`the stored value ${value.text} does not use ${acc}`);
  if ([...descendants(value)].some((n) => n.type === 'call_expression' && callArguments(n).some((a) => stripParens(a).type === 'pointer_expression'))) return no('the stored value passes an address to a call');
  // Reads of the innermost body the moved loop does not change (the reduction indices are
  // written in x's body too, but the moved loop runs inside them).
  const invariantReads = invariantReadsIn(state, innermost.body, (name) => name === loop.index || name === acc, [storeAccess]);
  return { ok: true, accumulation: { loop, acc, type, initText: init.text, nest, storeTarget: target, storeValue: value, invariantReads } };
}

/** `T acc = init;`: one initialized plain scalar, not static, volatile or atomic (accumulate-in-output, unroll-and-jam). */
export function accumulatorDeclaration(state: AnalysisState, decl: SyntaxNode): { acc: string; nameNode: SyntaxNode; variable: VarInfo; type: string; init: SyntaxNode } | { reason: string } {
  if (decl.type !== 'declaration') return { reason: 'the first statement does not declare the accumulator' };
  const declarators = declaratorsOf(decl);
  const nameNode = declarators.length === 1 && declarators[0]!.type === 'init_declarator' ? declarators[0]!.childForFieldName('declarator') : null;
  if (!nameNode || nameNode.type !== 'identifier') return { reason: 'the first statement must declare one initialized plain scalar' };
  const acc = nameNode.text;
  const variable = varAt(state.ctx, acc, nameNode);
  if (!variable || variable.pointerDepth + variable.arrayDims > 0) return { reason: `${acc} is not a scalar` };
  if (/\b(volatile|_Atomic|static)\b/.test(decl.text.split('=')[0]!)) return { reason: `${acc} is volatile, atomic or static` };
  return { acc, nameNode, variable, type: variable.baseType.replace(/\bconst\b\s*/g, '').trim(), init: declarators[0]!.childForFieldName('value')! };
}

/** Accesses of the reduction nest (what decides whether moving the loop innermost gives unit stride). */
export function nestAccesses(state: AnalysisState, a: Accumulation): Access[] {
  return state.accesses.filter((x) => isInside(x.node, a.nest[0]!.node));
}
