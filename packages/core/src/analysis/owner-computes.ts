// Owner-computes rounds: a serial round loop whose body is a selection (argmin/argmax) scan
// followed by updates (Dijkstra's relaxation, Prim's key update) runs in one parallel region
// with ONE barrier per round instead of a barrier per worksharing construct.
//
// Every thread owns a fixed block [lo, hi) of the scan's range for the whole loop (the first
// thread also everything below it, the last everything above it, so every index has exactly
// one owner). A thread scans only its block, the blocks combine after the selection's barrier
// (every thread then holds the same selected index x and value m), and every thread runs the
// rest of the round itself, writing only the elements it owns:
//   - `B[x] = c;` (c uniform): only x's owner stores;
//   - a loop over the scan's range that touches the written arrays only at its own index: each
//     thread runs its block of it;
//   - a loop whose iteration computes an index w first and then reads and writes the selection's
//     array P only at P[w] and P[x]: the iteration runs on w's owner (and on every thread when
//     w == x). P[x] is read from a per-thread shadow that starts as m (the scan stored m = P[x],
//     and nothing wrote P since) and takes every value stored to P[x], so no thread ever reads
//     an element another thread may be writing. m is P[x] only when the scan selected
//     something, so such a loop must come after an exit that fires when it did not
//     (`if (x < 0) break;` with x starting at -1, or `if (m == m0) break;`).
// The next round's scan reads only the thread's own block, which only the thread itself
// writes: no second barrier is needed. Anything else in the round makes the transform refuse.
import { declaredName, descendants, isInside, operatorOf, statementsOf, stripParens, type SyntaxNode } from './ast.js';
import type { AnalysisState } from './analyze.js';
import { mayAlias, type Access } from './accesses.js';
import { callVerdict } from './calls.js';
import { declaratorsOf, varAt } from './context.js';
import { escapesOf, type LoopNode } from './loops.js';
import { hoistedSelectionProblem, isUniformExit, isUniformExpression, parallelSelectionOf, type Selection } from './selection.js';

/** A loop of the round whose iterations run on the owner of the index they compute first. */
export interface GuardedLoop {
  loop: LoopNode;
  /** The index variable w (declared by `decl`, the statement after which the guard opens). */
  target: string;
  decl: SyntaxNode;
  /** Reads of P[x] and P[w] (subscript nodes) outside the stores. */
  shadowReads: SyntaxNode[];
  targetReads: SyntaxNode[];
  /** `P[w] = v;` expression statements, with v. */
  stores: { statement: SyntaxNode; value: SyntaxNode }[];
  /** The body's last statement (the guard closes after it). */
  last: SyntaxNode;
}

export interface OwnerComputes {
  round: LoopNode;
  scan: LoopNode;
  selection: Selection;
  /** The scan's range, [lowerText, upperText): the blocks of the threads. */
  lowerText: string;
  upperText: string;
  /** Arrays the round writes (each element only by its owner). */
  owned: string[];
  /** The selection's array P (the scan stores m = P[i]) and its element type, when a guarded loop needs its shadow. */
  shadow?: { array: string; type: string };
  ownerStores: SyntaxNode[];
  blockLoops: LoopNode[];
  guardedLoops: GuardedLoop[];
}

export type OwnerComputesResult = { ok: true; owner: OwnerComputes } | { ok: false; reason: string };

const INTEGER = /^(unsigned\s+|signed\s+)?(int|long|long long|short|size_t|ptrdiff_t|int\d+_t|uint\d+_t)$/;

/** `A[i]` with A a plain name and i exactly `index`: the array name, else undefined. */
export function subscriptAt(node: SyntaxNode, index: string): string | undefined {
  const n = stripParens(node);
  if (n.type !== 'subscript_expression') return undefined;
  const arg = stripParens(n.childForFieldName('argument')!);
  const idx = n.childForFieldName('index') ?? n.namedChild(1);
  if (arg.type !== 'identifier' || !idx || stripParens(idx).type !== 'identifier' || stripParens(idx).text !== index) return undefined;
  return arg.text;
}

/** Is `name` declared (as an automatic local, one per thread and iteration) inside `container`? */
function declaredInside(state: AnalysisState, name: string, at: SyntaxNode, container: SyntaxNode): boolean {
  const v = varAt(state.ctx, name, at);
  return v !== undefined && v.kind === 'local' && isInside(v.decl, container) && !/^\s*(static|extern)\b/.test(v.decl.text);
}

/** A text of literals, names and arithmetic only (no memory, calls or side effects). */
function plainBound(text: string | undefined): boolean {
  return text !== undefined && /^[\w\s+\-*/%()]+$/.test(text) && !/\w\s*\(/.test(text);
}

function exclusiveUpperOf(loop: LoopNode): string | undefined {
  if (loop.cmp === '<') return loop.upperText;
  if (loop.cmp === '<=') return `(${loop.upperText}) + 1`;
  return undefined;
}

/** The counting loop a block of the scan's range can replace: `for (T j = L; j < U; j++)`. */
function blockLoopProblem(loop: LoopNode, lower: string, upper: string): string | undefined {
  const counting = loop.kind === 'for' && loop.canonical && loop.declaresIndex && loop.step === 1;
  if (!counting || loop.lowerText?.trim() !== lower.trim() || exclusiveUpperOf(loop)?.trim() !== upper.trim()) return `${loop.id} is not a loop over the selection's range [${lower}, ${upper}) that declares its index`;
  return undefined;
}

export function ownerComputesOf(state: AnalysisState, round: LoopNode): OwnerComputesResult {
  const no = (reason: string): OwnerComputesResult => ({ ok: false, reason: `owner-computes ${round.id}: ${reason}` });
  if (round.kind !== 'for' || (!round.canonical && !round.canonicalHeader) || round.body.type !== 'compound_statement') return no('the round loop must be a canonical for loop with a block body');
  const scans = round.children.map((c) => ({ c, sel: parallelSelectionOf(state, c) })).filter((s) => s.sel && !hoistedSelectionProblem(s.c, s.sel));
  if (scans.length !== 1) return no('the round must hold exactly one selection loop, with its value and index declared in the round');
  const scan = scans[0]!.c;
  const sel = scans[0]!.sel!;
  if (!scan.declaresIndex || scan.step !== 1 || !exclusiveUpperOf(scan)) return no(`the selection loop ${scan.id} must declare its index and count up by 1 with < or <=`);
  const lower = scan.lowerText!;
  const upper = exclusiveUpperOf(scan)!;
  // The blocks are computed once, on entry: the range must be the same in every round.
  if (!plainBound(lower) || !plainBound(upper)) return no(`the selection's range [${lower}, ${upper}) must be plain arithmetic on names`);
  for (const m of `${lower} ${upper}`.matchAll(/[A-Za-z_]\w*/g)) {
    const v = varAt(state.ctx, m[0], scan.node);
    if (v && v.pointerDepth + v.arrayDims > 0) return no(`the selection's range reads ${m[0]}, not a scalar`);
    if (v && isInside(v.decl, round.node)) return no(`${m[0]} (in the selection's range) is declared inside the round loop`);
    if ((state.ctx.writes.get(m[0]) ?? []).some((w) => isInside(w.node, round.node) && w.kind !== 'decl')) return no(`${m[0]} (in the selection's range) changes inside the round loop`);
  }

  const inRound = state.accesses.filter((a) => isInside(a.node, round.node));
  if (inRound.some((a) => a.viaCall)) return no('a pointer is passed to a call in the round loop');
  for (const n of descendants(round.node)) {
    if (n.type === 'call_expression' && !callVerdict(state.ctx, n).pure) return no(`the call ${n.text} may write memory`);
  }
  const owned = [...new Set(inRound.filter((a) => a.write).map((a) => a.base.name))];
  const ownedAccess = (a: Access) => owned.includes(a.base.name);
  for (const a of inRound) {
    if (a.write && (a.base.kind !== 'param' && a.base.kind !== 'global' && a.base.kind !== 'local-array')) return no(`${a.text} (line ${a.line}) writes through ${a.base.name}, which is not an array parameter or a named array`);
    for (const b of inRound) {
      if (a.write && b.base.name !== a.base.name && mayAlias(state.ctx, a.base, b.base)) return no(`${a.base.name} may overlap ${b.base.name} (declare them restrict or the spec noalias)`);
    }
  }
  // The round loop's own header touches no owned array.
  const header = inRound.filter((a) => !isInside(a.node, round.body));
  if (header.some(ownedAccess)) return no('the round loop\'s header reads an array the round writes');
  // The scan reads owned arrays only at its own index (its block).
  for (const a of inRound.filter((x) => isInside(x.node, scan.node) && ownedAccess(x))) {
    if (subscriptAt(a.node, scan.index!) !== a.base.name) return no(`the selection reads ${a.text} (line ${a.line}); it may read arrays the round writes only at its own index`);
  }

  // The selection's array, for the shadow: `m = P[i]` with P's element type the type of m.
  let shadow: OwnerComputes['shadow'];
  const valueStore = [...descendants(scan.body)].find((n) => n.type === 'assignment_expression' && stripParens(n.childForFieldName('left')!).text === sel.value);
  const selArray = valueStore ? subscriptAt(valueStore.childForFieldName('right')!, scan.index!) : undefined;
  if (selArray) {
    const v = varAt(state.ctx, selArray, scan.node);
    const type = v?.baseType.replace(/\bconst\b\s*/g, '').trim();
    if (v && v.pointerDepth + v.arrayDims === 1 && type === sel.valueType) shadow = { array: selArray, type };
  }

  const selected = new Set([sel.value, sel.index]);
  // The shadow starts as m, which is P[x] only when the scan selected something: a guarded
  // loop must come after an exit that leaves the rounds when x still holds its initial value.
  const x0 = initialOf(round, sel.index);
  const m0 = initialOf(round, sel.value);
  let exitsUnselected = false;
  const ownerStores: SyntaxNode[] = [];
  const blockLoops: LoopNode[] = [];
  const guardedLoops: GuardedLoop[] = [];
  let afterScan = false;
  for (const s of statementsOf(round.body)) {
    if (s.type === 'comment') continue;
    if (s.id === scan.node.id) { afterScan = true; continue; }
    if (!afterScan) {
      // The selection's scalars (the hoisted region checks their initial values); another
      // thread may still be storing the previous round's elements here.
      if (s.type === 'declaration' && !inRound.some((a) => isInside(a.node, s) && ownedAccess(a))) continue;
      return no(`line ${s.startPosition.row + 1} comes before the selection; only its scalars' declarations may`);
    }
    if (isUniformExit(state, s, selected)) {
      if (exitsWhen(s, sel, x0, m0)) exitsUnselected = true;
      continue;
    }
    const where = `line ${s.startPosition.row + 1}`;
    const loop = state.loops.find((l) => l.node.id === s.id);
    if (loop) {
      const blockProblem = blockLoopProblem(loop, lower, upper);
      const r = blockProblem ? guardedLoopOf(state, loop, sel, shadow, owned) : blockLoopOf(state, loop, owned);
      if (typeof r === 'string') return no(blockProblem ? `${blockProblem}, and ${r}` : r);
      if (blockProblem && !exitsUnselected) return no(`${loop.id} reads ${sel.index}'s element before an exit such as \`if (${sel.index} < 0) break;\` leaves the rounds when the selection found nothing (${sel.index} and ${sel.value} keep their initial values)`);
      if (blockProblem) guardedLoops.push(r as GuardedLoop);
      else blockLoops.push(loop);
      continue;
    }
    const stored = ownerStoreOf(state, s, sel, owned);
    if ('problem' in stored) return no(`${where}: ${stored.problem}`);
    if (shadow && stored.array === shadow.array) return no(`${where} stores the selection's array ${stored.array} outside a loop`);
    ownerStores.push(s);
  }
  // The shadow is m from the scan on: no other statement of the round may store to P first.
  const storesP = blockLoops.find((l) => inRound.some((a) => a.write && a.base.name === shadow?.array && isInside(a.node, l.node)));
  if (guardedLoops.length && storesP) return no(`${storesP.id} stores to ${shadow!.array}, whose selected element the round reads from a per-thread copy`);
  return { ok: true, owner: { round, scan, selection: sel, lowerText: lower, upperText: upper, owned, shadow: guardedLoops.length ? shadow : undefined, ownerStores, blockLoops, guardedLoops } };
}

/** The initializer of the round's declaration of `name` (`int best = -1;`), if it has one. */
function initialOf(round: LoopNode, name: string): SyntaxNode | undefined {
  for (const s of statementsOf(round.body)) {
    if (s.type !== 'declaration') continue;
    for (const d of declaratorsOf(s)) if (declaredName(d) === name && d.type === 'init_declarator') return d.childForFieldName('value') ?? undefined;
  }
  return undefined;
}

function integerConstant(node: SyntaxNode | undefined): number | undefined {
  const n = node && stripParens(node);
  if (n?.type === 'number_literal' && /^-?\d+$/.test(n.text)) return Number(n.text);
  if (n?.type === 'unary_expression' && operatorOf(n) === '-') {
    const v = integerConstant(n.childForFieldName('argument')!);
    return v === undefined ? undefined : -v;
  }
  return undefined;
}

/**
 * Does the exit `if (C) break;` fire when the scan selected nothing (x and m still x0 and m0)?
 * C, an `||` of terms, has a term `x op K` (or `K op x`) that holds at the integer x0, or
 * `m == m0` with m0 written as in m's declaration (`bd == INFINITY`).
 */
function exitsWhen(exit: SyntaxNode, sel: Selection, x0: SyntaxNode | undefined, m0: SyntaxNode | undefined): boolean {
  const terms = (n: SyntaxNode): SyntaxNode[] => {
    const t = stripParens(n);
    return t.type === 'binary_expression' && operatorOf(t) === '||' ? [...terms(t.childForFieldName('left')!), ...terms(t.childForFieldName('right')!)] : [t];
  };
  const holds: Record<string, (a: number, b: number) => boolean> = { '<': (a, b) => a < b, '<=': (a, b) => a <= b, '>': (a, b) => a > b, '>=': (a, b) => a >= b, '==': (a, b) => a === b, '!=': (a, b) => a !== b };
  const x = integerConstant(x0);
  return terms(exit.childForFieldName('condition')!).some((t) => {
    if (t.type !== 'binary_expression') return false;
    const op = operatorOf(t);
    const l = stripParens(t.childForFieldName('left')!);
    const r = stripParens(t.childForFieldName('right')!);
    if (op === '==' && m0 && ((l.text === sel.value && r.text === stripParens(m0).text) || (r.text === sel.value && l.text === stripParens(m0).text))) return true;
    if (x === undefined || !holds[op]) return false;
    if (l.type === 'identifier' && l.text === sel.index && integerConstant(r) !== undefined) return holds[op]!(x, integerConstant(r)!);
    if (r.type === 'identifier' && r.text === sel.index && integerConstant(l) !== undefined) return holds[op]!(integerConstant(l)!, x);
    return false;
  });
}

/** `B[x] = c;` with c uniform: the array B, or why not. */
function ownerStoreOf(state: AnalysisState, s: SyntaxNode, sel: Selection, owned: string[]): { array: string } | { problem: string } {
  const e = s.type === 'expression_statement' ? stripParens(s.namedChild(0)!) : undefined;
  if (!e || e.type !== 'assignment_expression' || operatorOf(e) !== '=') return { problem: 'after the selection, only stores at the selected index, loops and exits on the selection may stand in the round' };
  const array = subscriptAt(e.childForFieldName('left')!, sel.index);
  if (!array || !owned.includes(array)) return { problem: `${e.childForFieldName('left')!.text} is not a store at the selected index ${sel.index}` };
  if (!isUniformExpression(state, e.childForFieldName('right')!, new Set([sel.value, sel.index]))) return { problem: `the stored value ${e.childForFieldName('right')!.text} must be a constant or the selection's result` };
  return { array };
}

/** Writes inside `node` that are not to locals declared inside `container`: their nodes. */
function nonLocalWrites(state: AnalysisState, node: SyntaxNode, container: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  for (const n of descendants(node)) {
    const target = n.type === 'assignment_expression' ? n.childForFieldName('left') : n.type === 'update_expression' ? n.childForFieldName('argument') : undefined;
    if (!target) continue;
    const t = stripParens(target);
    if (t.type === 'identifier' && declaredInside(state, t.text, n, container)) continue;
    out.push(t);
  }
  return out;
}

/** A loop over the selection's range that touches owned arrays only at its index. */
function blockLoopOf(state: AnalysisState, loop: LoopNode, owned: string[]): LoopNode | string {
  const j = loop.index!;
  if (escapesOf(loop.body).some((e) => e.type !== 'continue_statement')) return `${loop.id} may leave early`;
  for (const a of state.accesses.filter((x) => isInside(x.node, loop.node) && owned.includes(x.base.name))) {
    if (subscriptAt(a.node, j) !== a.base.name) return `${loop.id} reads or writes ${a.text} (line ${a.line}); a loop over the selection's range may touch the arrays the round writes only at its own index`;
  }
  for (const t of nonLocalWrites(state, loop.body, loop.node)) {
    if (subscriptAt(t, j) === undefined) return `${loop.id} writes ${t.text}, which is neither an owned element at its index nor a local of the loop`;
  }
  return loop;
}

/**
 * A loop whose body declares an index w first (from anything but owned arrays) and then
 * touches owned memory only as P[w] and P[x] (P the selection's array), writing P[w] only by
 * `P[w] = v;`, and nothing else but its own locals. Else why not.
 */
function guardedLoopOf(state: AnalysisState, loop: LoopNode, sel: Selection, shadow: OwnerComputes['shadow'], owned: string[]): GuardedLoop | string {
  const no = (r: string) => `${loop.id} ${r}`;
  if (loop.kind !== 'for' || !loop.declaresIndex || loop.body.type !== 'compound_statement') return no('is not a for loop that declares its index, with a block body');
  if (!shadow) return no(`needs the selection to store its value from an array at its index (m = P[i], of m's type)`);
  const P = shadow.array;
  const accesses = state.accesses.filter((a) => isInside(a.node, loop.node) && owned.includes(a.base.name));
  const headerAccess = accesses.find((a) => !isInside(a.node, loop.body));
  if (headerAccess) return no(`reads ${headerAccess.text} in its header`);
  // The header writes only the loop's index.
  for (const t of nonLocalWrites(state, loop.node, loop.node)) if (!isInside(t, loop.body)) return no(`writes ${t.text} in its header`);
  if (escapesOf(loop.body).length) return no('has a break, continue, return or goto');
  const stmts = statementsOf(loop.body).filter((s) => s.type !== 'comment');
  let decl: SyntaxNode | undefined;
  let target: string | undefined;
  for (const s of stmts) {
    if (s.type !== 'declaration') break;
    const ds = declaratorsOf(s);
    const name = ds.length === 1 ? declaredName(ds[0]!) : undefined;
    const v = name ? varAt(state.ctx, name, s) : undefined;
    const init = ds.length === 1 && ds[0]!.type === 'init_declarator' ? ds[0]!.childForFieldName('value') : undefined;
    if (!decl && name && v && init && v.pointerDepth + v.arrayDims === 0 && INTEGER.test(v.baseType.replace(/\bconst\b\s*/g, '').trim())
      && !accesses.some((a) => isInside(a.node, init))) {
      decl = s;
      target = name;
      break;
    }
  }
  if (!decl || !target) return no('does not begin by declaring an integer index from arrays the round does not write');
  const w = target;
  const before = stmts.slice(0, stmts.indexOf(decl));
  const rest = stmts.slice(stmts.indexOf(decl) + 1);
  if (!rest.length) return no('does nothing after declaring its index');
  if ((state.ctx.writes.get(w) ?? []).some((x) => isInside(x.node, loop.body) && x.kind !== 'decl')) return no(`changes ${w} after declaring it`);
  if ((state.ctx.writes.get(sel.index) ?? []).some((x) => isInside(x.node, loop.node))) return no(`changes the selected index ${sel.index}`);
  const shadowReads: SyntaxNode[] = [];
  const targetReads: SyntaxNode[] = [];
  const stores: GuardedLoop['stores'] = [];
  for (const a of accesses) {
    if (a.base.name !== P) return no(`touches ${a.text} (line ${a.line}); only the selection's array ${P} may be written or read here`);
    if (a.write) {
      const asg = a.node.parent;
      if (a.read || !asg || asg.type !== 'assignment_expression' || operatorOf(asg) !== '=' || asg.parent?.type !== 'expression_statement' || subscriptAt(a.node, w) !== P) return no(`writes ${a.text} (line ${a.line}); only \`${P}[${w}] = value;\` may`);
      if (!rest.some((s) => isInside(a.node, s))) return no(`writes ${a.text} before declaring ${w}`);
      stores.push({ statement: asg.parent, value: asg.childForFieldName('right')! });
      continue;
    }
    if (subscriptAt(a.node, sel.index) === P) shadowReads.push(a.node);
    else if (subscriptAt(a.node, w) === P && rest.some((s) => isInside(a.node, s))) targetReads.push(a.node);
    else return no(`reads ${a.text} (line ${a.line}); only ${P}[${sel.index}] and, after its declaration, ${P}[${w}] may be read here`);
  }
  // Statements before the index only declare locals; everything after writes only P[w] and its own locals.
  for (const s of before) {
    if (s.type !== 'declaration' || nonLocalWrites(state, s, loop.body).length) return no(`line ${s.startPosition.row + 1} comes before ${w} and is not a declaration`);
  }
  for (const s of rest) {
    for (const t of nonLocalWrites(state, s, loop.body)) {
      if (!stores.some((st) => isInside(t, st.statement))) return no(`writes ${t.text}, which is neither ${P}[${w}] nor a local of the loop body`);
    }
  }
  return { loop, target: w, decl, shadowReads: shadowReads.filter((r) => !stores.some((st) => isInside(r, st.statement))), targetReads: targetReads.filter((r) => !stores.some((st) => isInside(r, st.statement))), stores, last: stmts[stmts.length - 1]! };
}
