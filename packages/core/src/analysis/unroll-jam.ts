// Unroll and jam of a loop j whose body is a dot-product shape:
//
//   for j { T acc = init; for k acc += f(j, k); tail(j, acc); }
//
// becomes, for factor U (here 2):
//
//   { int j = lo;
//     for (; j + 1 < hi; j += 2) {
//       T acc_0 = init(j), acc_1 = init(j + 1);
//       for k { acc_0 += f(j, k); acc_1 += f(j + 1, k); }
//       { tail(j, acc_0) } { tail(j + 1, acc_1) }
//     }
//     for (; j < hi; j++) { original body } }
//
// U independent dependence chains per k instead of one, and what f reads independently
// of j (a query row, a matrix row) loaded once for U results. Every accumulator still
// adds its terms in k order and the tails run in j order: the results are bitwise those
// of the original. Legal when the k loop does not depend on j, its one statement updates
// only the accumulator, and nothing the tails write is read by the k loop or the
// initial value (the k loops of later j now run before earlier tails); no exits.
import type { AnalysisState } from './analyze.js';
import { mayAlias } from './accesses.js';
import { descendants, isInside, statementsOf, stripParens, type SyntaxNode } from './ast.js';
import { callVerdict } from './calls.js';
import { macroFreeNames, varAt } from './context.js';
import { accumulatorDeclaration } from './accumulate.js';
import type { LoopNode } from './loops.js';

export interface UnrollJam {
  loop: LoopNode;
  acc: string;
  /** The declaration statement `T acc = init;`. */
  decl: SyntaxNode;
  type: string;
  init: SyntaxNode;
  /** The k loop (innermost, one statement). */
  inner: LoopNode;
  /** The inner loop's one statement. */
  update: SyntaxNode;
  /** Statements after the k loop, in order. */
  tail: SyntaxNode[];
}

export type UnrollJamResult = { ok: true; jam: UnrollJam } | { ok: false; reason: string };

export function unrollJamOf(state: AnalysisState, loop: LoopNode): UnrollJamResult {
  const no = (reason: string): UnrollJamResult => ({ ok: false, reason: `unroll-and-jam of loop ${loop.id} (line ${loop.line}): ${reason}` });
  if (!loop.canonical || loop.kind !== 'for' || !loop.index || loop.step !== 1 || (loop.cmp !== '<' && loop.cmp !== '<=')) return no('only canonical loops counting up by 1 are unrolled');
  if (loop.body.type !== 'compound_statement') return no('its body is not a block');
  const stmts = statementsOf(loop.body).filter((s) => s.type !== 'comment');
  if (stmts.length < 2) return no('its body is not `T acc = init; for k acc += ...; <statements>`');
  const [decl, innerStmt, ...tail] = stmts as [SyntaxNode, SyntaxNode, ...SyntaxNode[]];
  const d = accumulatorDeclaration(state, decl);
  if ('reason' in d) return no(d.reason);
  const { acc, type, init } = d;
  const inner = loop.children.find((c) => c.node.id === innerStmt.id);
  if (!inner) return no('the second statement is not a loop');
  if (!inner.canonical || inner.kind !== 'for' || inner.children.length) return no(`the inner loop ${inner.id} must be a canonical innermost for loop`);
  const body = inner.body.type === 'compound_statement' ? statementsOf(inner.body).filter((s) => s.type !== 'comment') : [inner.body];
  if (body.length !== 1 || body[0]!.type !== 'expression_statement') return no(`the inner loop's body must be one statement updating ${acc}`);
  const update = body[0]!.namedChild(0);
  const target = update && (update.type === 'assignment_expression' ? update.childForFieldName('left') : undefined);
  if (!target || stripParens(target).text !== acc) return no(`the inner loop's statement must assign ${acc}`);

  // No exits, no declarations of j or acc further in, no impure calls.
  for (const n of descendants(loop.body)) {
    if (['return_statement', 'goto_statement', 'break_statement', 'continue_statement'].includes(n.type)) return no(`${n.type.replace('_statement', '')} at line ${n.startPosition.row + 1}`);
    if (n.type === 'call_expression') {
      const hidden = [loop.index, acc].find((x) => macroFreeNames(state.ctx, n).has(x));
      if (hidden) return no(`macro ${n.childForFieldName('function')?.text} (line ${n.startPosition.row + 1}) refers to ${hidden} in its body, where renaming cannot reach`);
      const c = callVerdict(state.ctx, n);
      if (!c.pure) return no(c.reason ?? `calls ${c.name}`);
    }
    if (n.type === 'identifier' && (n.text === loop.index || n.text === acc) && varAt(state.ctx, n.text, n) !== varAt(state.ctx, n.text, n.text === acc ? decl : loop.body)) return no(`${n.text} is redeclared inside the loop`);
  }
  // The inner loop's header does not depend on j or on anything the body writes.
  for (const n of descendants(inner.node)) {
    if (isInside(n, inner.body) || n.type !== 'identifier') continue;
    if (n.text === loop.index || n.text === acc || (state.ctx.writes.get(n.text) ?? []).some((w) => isInside(w.node, loop.body) && !isInside(w.node, inner.node))) return no(`the bounds of ${inner.id} use ${n.text}, which changes with ${loop.index}`);
  }
  // The inner statement writes only the accumulator (and the inner index).
  for (const [name, sites] of state.ctx.writes) {
    if (name === acc || name === inner.index) continue;
    if (sites.some((w) => isInside(w.node, inner.body))) return no(`the inner loop writes ${name}; only the accumulator may be`);
  }
  const innerAccesses = state.accesses.filter((a) => isInside(a.node, inner.node) || isInside(a.node, init));
  const written = innerAccesses.find((a) => a.write || a.viaCall);
  if (written) return no(`${written.text} (line ${written.line}) is written in the inner loop`);
  // What the tails write is not read by the inner loop or the initial value.
  const tailWrites = state.accesses.filter((a) => (a.write || a.viaCall) && tail.some((t) => isInside(a.node, t)));
  for (const w of tailWrites) {
    const r = innerAccesses.find((a) => mayAlias(state.ctx, a.base, w.base));
    if (r) return no(`${w.text} (line ${w.line}) is written after the inner loop and ${r.text} (line ${r.line}) ${r.base.name === w.base.name ? 'reads the same array' : 'may alias it'} in it; later iterations' inner loops would run first`);
  }
  const readsIn = new Set([...descendants(inner.node), ...descendants(init)].filter((n) => n.type === 'identifier').map((n) => n.text));
  for (const [name, sites] of state.ctx.writes) {
    if (name === acc || !readsIn.has(name)) continue;
    const inTail = sites.find((w) => tail.some((t) => isInside(w.node, t)));
    if (inTail) return no(`${name} is written after the inner loop (line ${inTail.node.startPosition.row + 1}) and read by it`);
  }
  if ([...descendants(init)].some((n) => n.type === 'identifier' && n.text === acc)) return no('the initial value uses the accumulator');
  return { ok: true, jam: { loop, acc, decl, type, init, inner, update: body[0]!, tail } };
}
