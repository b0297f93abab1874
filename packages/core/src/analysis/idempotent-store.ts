// Idempotent stores: a loop whose only carried dependence is a guarded store of one value,
//
//   for v { ... if (A[x] == d) { A[x] = c; flag = k; } ... A[y] == e ... }
//
// (level-synchronous graph search: `if (level[u] == UNVISITED) level[u] = depth + 1`) runs
// in parallel with relaxed atomic loads and stores of A, and gives the serial result:
//
// - a store only turns an element holding d into c, and every store writes the same c, so
//   which iteration gets there first does not change what A holds after the loop (an
//   iteration whose guard already sees c skips a store that would not have changed A);
// - every other test of A compares with an invariant e for which d and c compare alike
//   (`(d == e) == (c == e)`: checked at run time, in the loop's `if()` clause, so that with a
//   different e the loop runs on one thread, in order);
// - whatever else the guarded block does must be repeatable: only stores of loop-invariant
//   values into scalars (flags), which become "was it set" flags combined with `|`.
//
// Legal when every access of A in the loop is such a load or store, A is one-dimensional
// with an integer element type (the atomic builtins), nothing else the loop touches may
// alias it, the guard has no else branch and the flags are never read in the loop.
import type { AnalysisState } from './analyze.js';
import type { Access } from './accesses.js';
import { mayAlias } from './accesses.js';
import { descendants, isInside, operatorOf, statementsOf, stripParens, type SyntaxNode } from './ast.js';
import { varAt } from './context.js';
import { invariantProblem } from './invariant.js';
import type { LoopNode } from './loops.js';

export interface FlagScalar {
  name: string;
  /** The loop-invariant value every store in the loop writes. */
  valueText: string;
  /** The assignment expressions `name = value`. */
  stores: SyntaxNode[];
}

export interface IdempotentStore {
  loop: LoopNode;
  array: string;
  /** Every load (`A[y]`, inside a comparison) and store (`A[x] = c`) of the array in the loop. */
  loads: Access[];
  stores: Access[];
  /** The stored value c and the value d the guards test for, as C text. */
  valueText: string;
  guardText: string;
  /** C conditions, evaluable before the loop, under which the other tests cannot tell d from c. */
  conditions: string[];
  flags: FlagScalar[];
}

export type IdempotentStoreResult = { ok: true; store: IdempotentStore } | { ok: false; reason: string };

const INTEGER = /^(unsigned\s+|signed\s+)?(char|short|int|long|long\s+long|long\s+int|size_t|int\d+_t|uint\d+_t)$/;

export function idempotentStoreOf(state: AnalysisState, loop: LoopNode, array: string): IdempotentStoreResult {
  const no = (reason: string): IdempotentStoreResult => ({ ok: false, reason: `idempotent store of ${array} in loop ${loop.id} (line ${loop.line}): ${reason}` });
  if (!loop.canonical || loop.kind !== 'for') return no('the loop is not a canonical for loop');
  const inLoop = state.accesses.filter((a) => a.loops.includes(loop));
  const own = inLoop.filter((a) => a.base.name === array);
  const stores = own.filter((a) => a.write);
  if (!stores.length) return no(`the loop does not store into ${array}`);
  for (const a of own) {
    if (a.viaCall) return no(`${a.text} is passed to ${a.viaCall} (line ${a.line})`);
    if (a.anchor) return no(`${a.text} (line ${a.line}) is accessed through a macro`);
    const sub = a.node.type === 'subscript_expression' ? a.node.childForFieldName('index') : null;
    if (sub && own.some((b) => b !== a && isInside(b.node, sub))) return no(`${a.text} (line ${a.line}) indexes ${array} with an element of ${array}`);
    if (a.read && a.write) return no(`${a.text} (line ${a.line}) is read and written in one expression (only \`${array}[x] = value\` stores are idempotent)`);
  }
  const other = inLoop.find((a) => a.base.name !== array && mayAlias(state.ctx, a.base, own[0]!.base));
  if (other) return no(`${other.text} (line ${other.line}) may alias ${array} (pointers without restrict/noalias)`);
  const v = varAt(state.ctx, array, own[0]!.node);
  if (!v || v.pointerDepth + v.arrayDims !== 1) return no(`${array} is not a one-dimensional array or pointer`);
  const type = v.baseType.replace(/\b(const|volatile)\b\s*/g, '').trim();
  if (!INTEGER.test(type)) return no(`${array}'s elements are ${type}, not an integer type (the atomic loads and stores need one)`);

  const invariant = (n: SyntaxNode) => invariantProblem(state, loop, n);
  const flags = flagScalarsOf(state, loop);
  const flagStores = new Set(flags.flatMap((f) => f.stores.map((s) => s.id)));
  let valueText: string | undefined;
  let guardText: string | undefined;
  const guards = new Set<number>();
  for (const s of stores) {
    const assign = parentSkippingParens(s.node);
    if (assign?.type !== 'assignment_expression' || operatorOf(assign) !== '=' || assign.parent?.type !== 'expression_statement') {
      return no(`${s.text} (line ${s.line}) is not a plain store statement \`${array}[x] = value;\``);
    }
    const value = assign.childForFieldName('right')!;
    const bad = invariant(value);
    if (bad) return no(`the value stored at line ${s.line} ${bad}`);
    if (valueText !== undefined && norm(value.text) !== norm(valueText)) return no(`the stores write different values (${valueText}, ${value.text})`);
    valueText = value.text;
    // The guard: `if (A[x] == d)` with the same subscript, no else, whose block only stores.
    const guard = guardOf(assign.parent);
    if (!guard) return no(`the store at line ${s.line} is not under \`if (${s.text} == value)\` (only elements still holding that value may be overwritten)`);
    const cond = stripParens(guard.childForFieldName('condition')!);
    const sides = cond.type === 'binary_expression' && operatorOf(cond) === '==' ? [stripParens(cond.childForFieldName('left')!), stripParens(cond.childForFieldName('right')!)] : [];
    const k = sides.findIndex((x) => own.some((a) => a.node.id === x.id && !a.write && norm(x.text) === norm(s.text)));
    if (k < 0) return no(`the store at line ${s.line} is not under \`if (${s.text} == value)\` (only elements still holding that value may be overwritten)`);
    const d = sides[1 - k]!;
    const badGuard = invariant(d);
    if (badGuard) return no(`the guard at line ${guard.startPosition.row + 1} compares with a value that ${badGuard}`);
    if (guardText !== undefined && norm(d.text) !== norm(guardText)) return no(`the guards test for different values (${guardText}, ${d.text})`);
    guardText = d.text;
    if (guard.childForFieldName('alternative')) return no(`the guard at line ${guard.startPosition.row + 1} has an else branch`);
    const body = guard.childForFieldName('consequence')!;
    for (const st of body.type === 'compound_statement' ? statementsOf(body) : [body]) {
      if (st.type === 'comment') continue;
      const e = st.type === 'expression_statement' ? st.namedChild(0) : null;
      const isStore = e !== null && stores.some((x) => parentSkippingParens(x.node)?.id === e.id);
      if (!isStore && !(e && flagStores.has(e.id))) {
        return no(`the guarded block at line ${guard.startPosition.row + 1} does more than store into ${array} and set flags (line ${st.startPosition.row + 1}); it could run more than once per element`);
      }
    }
    guards.add(sides[k]!.id);
  }
  // Every other load is a comparison with an invariant value that d and c compare alike with.
  const conditions: string[] = [];
  const loads = own.filter((a) => !a.write);
  for (const a of loads) {
    if (guards.has(a.node.id)) continue;
    const cmp = parentSkippingParens(a.node);
    if (cmp?.type !== 'binary_expression' || (operatorOf(cmp) !== '==' && operatorOf(cmp) !== '!=')) {
      return no(`${a.text} (line ${a.line}) is read other than in a comparison \`== value\` or \`!= value\``);
    }
    const sides = [stripParens(cmp.childForFieldName('left')!), stripParens(cmp.childForFieldName('right')!)];
    const e = sides.find((x) => x.id !== a.node.id && !isInside(a.node, x))!;
    const bad = invariant(e);
    if (bad) return no(`${a.text} (line ${a.line}) is compared with a value that ${bad}`);
    if (norm(e.text) === norm(guardText!)) return no(`${a.text} (line ${a.line}) is tested for ${guardText}, which the stores change, outside a guard`);
    const c = `((${guardText}) == (${e.text})) == ((${valueText}) == (${e.text}))`;
    if (!conditions.includes(c)) conditions.push(c);
  }
  return { ok: true, store: { loop, array, loads, stores, valueText: valueText!, guardText: guardText!, conditions, flags } };
}

/**
 * Scalars declared outside the loop whose only uses in it are stores of one loop-invariant
 * value (`changed = 1;` as a statement): after the loop they hold that value when any
 * iteration stored it, else what they held before.
 */
export function flagScalarsOf(state: AnalysisState, loop: LoopNode): FlagScalar[] {
  const out: FlagScalar[] = [];
  for (const [name, sites] of state.ctx.writes) {
    const inside = sites.filter((w) => isInside(w.node, loop.node));
    if (!inside.length || name === loop.index) continue;
    const decl = varAt(state.ctx, name, loop.node);
    if (!decl || decl.pointerDepth + decl.arrayDims > 0 || isInside(decl.decl, loop.node)) continue;
    const stores: SyntaxNode[] = [];
    let valueText: string | undefined;
    let ok = true;
    for (const w of inside) {
      const assign = w.kind === 'assign' ? enclosingAssignment(w.node, name) : undefined;
      const value = assign?.childForFieldName('right');
      if (!assign || !value || operatorOf(assign) !== '=' || assign.parent?.type !== 'expression_statement' || invariantProblem(state, loop, value)) { ok = false; break; }
      if (valueText !== undefined && norm(valueText) !== norm(value.text)) { ok = false; break; }
      valueText = value.text;
      stores.push(assign);
    }
    if (!ok) continue;
    // Never read in the loop: every mention is a store's left side.
    const mentions = [...descendants(loop.node)].filter((n) => n.type === 'identifier' && n.text === name && varAt(state.ctx, name, n) === decl);
    if (mentions.some((n) => !stores.some((s) => s.childForFieldName('left')?.id === stripParensUp(n).id))) continue;
    out.push({ name, valueText: valueText!, stores });
  }
  return out;
}

function parentSkippingParens(node: SyntaxNode): SyntaxNode | null {
  let n = node;
  while (n.parent?.type === 'parenthesized_expression') n = n.parent;
  return n.parent;
}

function stripParensUp(node: SyntaxNode): SyntaxNode {
  let n = node;
  while (n.parent?.type === 'parenthesized_expression') n = n.parent;
  return n;
}

function enclosingAssignment(node: SyntaxNode, name: string): SyntaxNode | undefined {
  for (let n: SyntaxNode | null = node; n; n = n.parent) {
    if (n.type === 'assignment_expression') {
      const left = n.childForFieldName('left');
      return left && stripParens(left).type === 'identifier' && stripParens(left).text === name ? n : undefined;
    }
  }
  return undefined;
}

/** The `if` whose consequence is (or directly holds) the statement, when there is one. */
function guardOf(statement: SyntaxNode): SyntaxNode | undefined {
  const p = statement.parent;
  if (p?.type === 'if_statement' && p.childForFieldName('consequence')?.id === statement.id) return p;
  if (p?.type === 'compound_statement' && p.parent?.type === 'if_statement' && p.parent.childForFieldName('consequence')?.id === p.id) return p.parent;
  return undefined;
}

function norm(s: string): string {
  return s.replace(/\s+/g, '');
}
