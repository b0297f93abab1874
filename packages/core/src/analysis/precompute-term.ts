// Precomputed per-element terms: a floating-point expression of array elements at one index,
//
//   for v { ... for e { u = cols[e]; sum += rank[u] / outdeg[u]; } ... }
//
// evaluated once per edge (pull-style graph kernels, gathers), is evaluated once per element
// into a table before the loop, and the loop reads the table: `sum += rank_term[u]`. Fewer
// divisions, and one gathered load instead of two. The table covers every index the arrays
// have — their lengths from the spec, which is the kernel's contract (as `noalias` is): an
// index outside it would be an out-of-bounds read in the original. Elements the loop never
// reaches are computed too, so the term may only use floating-point arithmetic (no integer
// operation that could overflow or divide by zero; a floating division by zero gives inf or
// nan, which is then never read). The results are the same values: the same operations on
// the same operands.
//
// Legal when the term's arrays are parameters the loop does not write (nor anything that may
// alias them), indexed by exactly the same integer variable, with one length; the term's
// other names do not change in the loop; every operator is + - * / on a floating operand
// (unary minus and casts to floating types too). One distinct term per loop and index.
import type { AnalysisState } from './analyze.js';
import type { Access } from './accesses.js';
import { mayAlias } from './accesses.js';
import { descendants, isInside, operatorOf, stripParens, type SyntaxNode } from './ast.js';
import { varAt } from './context.js';
import { invariantProblem } from './invariant.js';
import type { LoopNode } from './loops.js';

export interface PrecomputedTerm {
  loop: LoopNode;
  /** The index variable every array read of the term uses. */
  index: string;
  /** Occurrences of the term in the loop (the same text). */
  occurrences: SyntaxNode[];
  /** The table's element type. */
  type: 'double' | 'float';
  /** The arrays' length, as a C expression over the kernel's parameters. */
  lengthText: string;
  /** The first array's name (the table is named after it). */
  array: string;
}

export type PrecomputedTermResult = { ok: true; term: PrecomputedTerm } | { ok: false; reason: string };

const FLOATING = /^(float|double)$/;

/** The loop's term over `index` (the largest expressions built only of reads at `index`). */
export function precomputedTermOf(state: AnalysisState, loop: LoopNode, index: string): PrecomputedTermResult {
  const no = (reason: string): PrecomputedTermResult => ({ ok: false, reason: `precompute-term over ${index} in loop ${loop.id} (line ${loop.line}): ${reason}` });
  if (!loop.canonical || loop.kind !== 'for') return no('the loop is not a canonical for loop');
  // The table lives around the outermost enclosing loop: nothing may leave it but its end.
  let outer = loop;
  while (outer.parent) outer = outer.parent;
  const exit = [...descendants(outer.node)].find((n) => n.type === 'return_statement' || n.type === 'goto_statement' || (n.type === 'call_expression' && /^(exit|abort|longjmp|_Exit)$/.test(n.childForFieldName('function')?.text ?? '')));
  if (exit) return no(`the loop nest ${outer.id} leaves at line ${exit.startPosition.row + 1} (${exit.text.split('\n')[0]}); the table around it would not be freed`);
  const inLoop = state.accesses.filter((a) => a.loops.includes(loop));
  const reads = inLoop.filter((a) => !a.write && isIndexedBy(a, index));
  if (!reads.length) return no(`no array is read at ${index} in the loop`);
  // The largest expressions around those reads that are terms.
  const roots = new Map<number, SyntaxNode>();
  for (const a of reads) {
    let top: SyntaxNode | undefined;
    for (let n: SyntaxNode | null = a.node; n && isInside(n, loop.body); n = n.parent) {
      if (termProblem(state, loop, n, index) === undefined) top = n;
      else if (top) break;
    }
    if (top && isComputation(top)) roots.set(top.id, top);
  }
  const occurrences = [...roots.values()].filter((r) => ![...roots.values()].some((o) => o !== r && isInside(r, o)));
  if (!occurrences.length) return no(`no floating-point expression of the arrays at ${index} is computed in the loop`);
  const texts = new Set(occurrences.map((o) => o.text.replace(/\s+/g, '')));
  if (texts.size > 1) return no(`more than one expression over ${index} (${[...texts].join(', ')})`);
  const term = occurrences[0]!;
  const indexVar = varAt(state.ctx, index, term);
  if (!indexVar || indexVar.pointerDepth + indexVar.arrayDims > 0 || FLOATING.test(indexVar.baseType.replace(/\b(const|volatile)\b\s*/g, '').trim())) return no(`${index} is not an integer variable`);
  const termReads = inLoop.filter((a) => isInside(a.node, term));
  let lengthText: string | undefined;
  for (const a of termReads) {
    if (a.base.kind !== 'param') return no(`${a.text} (line ${a.line}) does not read a parameter array directly`);
    const written = inLoop.find((w) => w.write && mayAlias(state.ctx, w.base, a.base));
    if (written) return no(`the loop writes ${written.text} (line ${written.line}), which may be ${a.base.name}`);
    if (inLoop.some((x) => x.viaCall && mayAlias(state.ctx, x.base, a.base))) return no(`${a.base.name} is passed to a function in the loop`);
    const len = paramLengthText(state, a.base.name);
    if (!len) return no(`the spec gives no length for ${a.base.name} in terms of the kernel's size parameters`);
    if (lengthText !== undefined && len !== lengthText) return no(`the arrays have different lengths (${lengthText}, ${len})`);
    lengthText = len;
  }
  const type = /\bdouble\b/.test(typesIn(state, term).join(' ')) ? 'double' : 'float';
  return { ok: true, term: { loop, index, occurrences: occurrences.filter((o) => o.text.replace(/\s+/g, '') === [...texts][0]), type, lengthText: lengthText!, array: termReads[0]!.base.name } };
}

/** Index variables at which the loop computes a term (what the analyzer proposes to precompute). */
export function termIndices(state: AnalysisState, loop: LoopNode): string[] {
  const out = new Set<string>();
  for (const a of state.accesses) {
    if (!a.loops.includes(loop) || a.write || a.node.type !== 'subscript_expression') continue;
    const i = stripParens(a.node.childForFieldName('index')!);
    if (i.type === 'identifier') out.add(i.text);
  }
  return [...out].filter((i) => precomputedTermOf(state, loop, i).ok);
}

function isIndexedBy(a: Access, index: string): boolean {
  if (a.node.type !== 'subscript_expression' || a.anchor) return false;
  const i = stripParens(a.node.childForFieldName('index')!);
  const arg = stripParens(a.node.childForFieldName('argument')!);
  return i.type === 'identifier' && i.text === index && arg.type === 'identifier';
}

/** Something is computed (not a lone read or a parenthesized one). */
function isComputation(n: SyntaxNode): boolean {
  const s = stripParens(n);
  return s.type === 'binary_expression' || s.type === 'unary_expression' || s.type === 'cast_expression';
}

/** Why `n` is not a term over `index` (undefined when it is one). */
function termProblem(state: AnalysisState, loop: LoopNode, n: SyntaxNode, index: string): string | undefined {
  switch (n.type) {
    case 'subscript_expression': {
      const i = stripParens(n.childForFieldName('index')!);
      const arg = stripParens(n.childForFieldName('argument')!);
      if (i.type !== 'identifier' || i.text !== index || arg.type !== 'identifier') return 'not a read at the index';
      const v = varAt(state.ctx, arg.text, n);
      if (!v || v.kind !== 'param' || v.pointerDepth + v.arrayDims !== 1) return 'not a one-dimensional parameter array';
      if (n.parent?.type === 'assignment_expression' && n.parent.childForFieldName('left')?.id === n.id) return 'written';
      if (n.parent?.type === 'update_expression' || (n.parent?.type === 'pointer_expression' && operatorOf(n.parent) === '&')) return 'written or addressed';
      return undefined;
    }
    case 'number_literal':
      return undefined;
    case 'identifier':
      return invariantProblem(state, loop, n);
    case 'parenthesized_expression':
      return n.namedChildCount === 1 ? termProblem(state, loop, n.namedChild(0)!, index) : 'comma';
    case 'cast_expression': {
      const t = n.childForFieldName('type')?.text.trim() ?? '';
      if (!FLOATING.test(t)) return `a cast to ${t}`;
      return termProblem(state, loop, n.childForFieldName('value')!, index);
    }
    case 'unary_expression':
      if (operatorOf(n) !== '-' && operatorOf(n) !== '+') return `operator ${operatorOf(n)}`;
      return termProblem(state, loop, n.childForFieldName('argument')!, index) ?? (isFloating(state, n) ? undefined : 'integer arithmetic');
    case 'binary_expression': {
      if (!['+', '-', '*', '/'].includes(operatorOf(n))) return `operator ${operatorOf(n)}`;
      const bad = termProblem(state, loop, n.childForFieldName('left')!, index) ?? termProblem(state, loop, n.childForFieldName('right')!, index);
      if (bad) return bad;
      return isFloating(state, n) ? undefined : 'integer arithmetic (it could overflow or divide by zero where the loop never looks)';
    }
    default:
      return n.type;
  }
}

/** Whether the expression's type is floating (a term's operators all are). */
function isFloating(state: AnalysisState, n: SyntaxNode): boolean {
  const s = stripParens(n);
  switch (s.type) {
    case 'number_literal':
      return !/^0x/i.test(s.text) && /[.eE]/.test(s.text);
    case 'identifier':
    case 'subscript_expression': {
      const name = s.type === 'identifier' ? s.text : stripParens(s.childForFieldName('argument')!).text;
      const v = varAt(state.ctx, name, s);
      return v !== undefined && FLOATING.test(v.baseType.replace(/\b(const|volatile)\b\s*/g, '').trim()) && v.pointerDepth + v.arrayDims === (s.type === 'identifier' ? 0 : 1);
    }
    case 'cast_expression':
      return FLOATING.test(s.childForFieldName('type')?.text.trim() ?? '');
    case 'unary_expression':
      return isFloating(state, s.childForFieldName('argument')!);
    case 'binary_expression':
      return isFloating(state, s.childForFieldName('left')!) || isFloating(state, s.childForFieldName('right')!);
    default:
      return false;
  }
}

/** The floating types the term's leaves have (double literals count as double). */
function typesIn(state: AnalysisState, term: SyntaxNode): string[] {
  const out: string[] = [];
  for (const n of descendants(term)) {
    if (n.type === 'number_literal' && isFloating(state, n)) out.push(/[fF]$/.test(n.text) ? 'float' : 'double');
    else if (n.type === 'cast_expression') out.push(n.childForFieldName('type')?.text.trim() ?? '');
    else if (n.type === 'identifier' && n.parent?.type !== 'subscript_expression') out.push(varAt(state.ctx, n.text, n)?.baseType ?? '');
    else if (n.type === 'subscript_expression') out.push(varAt(state.ctx, stripParens(n.childForFieldName('argument')!).text, n)?.baseType ?? '');
  }
  return out;
}

/**
 * The spec's length of a parameter array as C over the kernel's parameters: each size name
 * replaced by the parameter whose spec value is that name. Undefined without a spec, a length
 * or such a parameter for every size name it uses, or when one of those parameters is assigned.
 */
function paramLengthText(state: AnalysisState, array: string): string | undefined {
  const spec = state.ctx.spec;
  if (!spec) return undefined;
  const at = state.ctx.params.findIndex((p) => p.name === array);
  const arg = at >= 0 ? spec.args[at] : undefined;
  if (!arg || arg.kind === 'scalar' || typeof arg.length !== 'string' && typeof arg.length !== 'number') return undefined;
  const byName = new Map<string, string>();
  spec.args.forEach((a, i) => {
    const p = state.ctx.params[i];
    if (a.kind === 'scalar' && typeof a.value === 'string' && /^[A-Za-z_]\w*$/.test(a.value.trim()) && p) byName.set(a.value.trim(), p.name);
  });
  let ok = true;
  const text = String(arg.length).replace(/[A-Za-z_]\w*/g, (name) => {
    const p = byName.get(name);
    if (!p || state.ctx.writes.has(p)) ok = false;
    return p ?? name;
  });
  if (!ok || /[^\w\s+\-*/()]/.test(text)) return undefined;
  return `(${text})`;
}
