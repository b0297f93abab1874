// Turns C expressions (subscripts, loop bounds) into polynomials over loop indices
// and symbols, and reasons about their ranges.
//
// Identifiers become:
//  - '@<loopId>' when they are the index of an enclosing canonical loop;
//  - a symbol when nothing writes them inside the scope loop (they are constant
//    for the whole execution of that loop: size parameters, outer-loop values);
//  - the polynomial of their initializer when they are locals with a single
//    definition (`int idx = i*n + j;`) made inside the scope;
//  - nothing (not affine) otherwise.
// Function-like macros of the translation unit (IDX(i,j,n)) are expanded.
import { descendants, isInside, operatorOf, stripParensAndCasts, type SyntaxNode } from './ast.js';
import { expandMacroCall, expandObjectMacro, type FunctionContext } from './context.js';
import { innermostLoopOf, type LoopNode } from './loops.js';
import {
  add, constantValue, constPoly, factorNames, factorsOf, indexVar, INDEX_PREFIX, isIndexFactor, mul, scale, sub, substitute, varPoly,
  type Poly,
} from './poly.js';

export interface AffineEnv {
  ctx: FunctionContext;
  loops: LoopNode[];
  loopById: Map<string, LoopNode>;
  /** Symbols that stand for sizes (loop bounds, strides, unsigned values): assumed >= 0. */
  sizeSymbols: Set<string>;
  /** Polynomials of single-definition locals made before any loop, for range reasoning. */
  symbolDefs: Map<string, Poly>;
}

/**
 * Polynomial of `node` for analysis within `scope` (a loop; undefined = whole function).
 * `anchor` gives the position in the function for nodes that come from a macro expansion.
 */
export function toPoly(env: AffineEnv, node: SyntaxNode, scope: LoopNode | undefined, anchor?: SyntaxNode, depth = 0): Poly | undefined {
  if (depth > 20) return undefined;
  const n = stripParensAndCasts(node);
  const at = anchor ?? n;
  const rec = (m: SyntaxNode) => toPoly(env, m, scope, anchor, depth + 1);
  switch (n.type) {
    case 'number_literal': {
      const t = n.text.replace(/[uUlL]+$/, '');
      if (/^0[xX][0-9a-fA-F]+$/.test(t)) return constPoly(parseInt(t, 16));
      if (/^\d+$/.test(t)) return constPoly(Number(t));
      return undefined;
    }
    case 'identifier':
      return identifierPoly(env, n.text, at, scope, depth);
    case 'binary_expression': {
      const op = operatorOf(n);
      const l = rec(n.childForFieldName('left')!);
      const r = rec(n.childForFieldName('right')!);
      if (!l || !r) return undefined;
      if (op === '+') return add(l, r);
      if (op === '-') return sub(l, r);
      if (op === '*') return mul(l, r);
      if (op === '<<') {
        const k = constantValue(r);
        return k !== undefined && k >= 0 && k < 31 ? scale(l, 2 ** k) : undefined;
      }
      if (op === '/' || op === '>>') {
        // Only exact constant division of a constant.
        const a = constantValue(l);
        const b = constantValue(r);
        if (a === undefined || b === undefined || b === 0) return undefined;
        return op === '/' ? constPoly(Math.trunc(a / b)) : constPoly(a >> b);
      }
      return undefined;
    }
    case 'unary_expression': {
      const op = operatorOf(n);
      const a = rec(n.childForFieldName('argument')!);
      if (!a) return undefined;
      if (op === '-') return scale(a, -1);
      if (op === '+') return a;
      return undefined;
    }
    case 'call_expression': {
      const expanded = expandMacroCall(env.ctx, n);
      return expanded ? toPoly(env, expanded, scope, at, depth + 1) : undefined;
    }
    default:
      return undefined;
  }
}

function identifierPoly(env: AffineEnv, name: string, at: SyntaxNode, scope: LoopNode | undefined, depth: number): Poly | undefined {
  // Index of an enclosing loop (innermost with that name).
  for (let l = innermostLoopOf(env.loops, at); l; l = l.parent) {
    if (l.index === name && l.kind === 'for' && isInside(at, l.node)) return l.canonical ? varPoly(indexVar(l.id)) : undefined;
  }
  const writes = env.ctx.writes.get(name) ?? [];
  const inScope = scope ? writes.filter((w) => isInside(w.node, scope.node)) : writes;
  if (inScope.length === 0) {
    if (env.ctx.macros.has(name)) {
      const e = expandObjectMacro(env.ctx, name);
      const p = e ? toPoly(env, e, scope, at, depth + 1) : undefined;
      return p ?? varPoly(name);
    }
    if (!isScalarName(env, name)) return undefined;
    return varPoly(name);
  }
  // A local defined once (its declaration) inside the scope: use its initializer.
  if (writes.length === 1 && writes[0]!.kind === 'decl') {
    const init = writes[0]!.node.childForFieldName('value');
    if (init && writes[0]!.node.startIndex < at.startIndex) return toPoly(env, init, scope, undefined, depth + 1);
  }
  return undefined;
}

function isScalarName(env: AffineEnv, name: string): boolean {
  const decls = env.ctx.vars.get(name);
  if (!decls) return true; // enum constants, macros without value, etc.
  return decls.every((v) => v.pointerDepth === 0 && v.arrayDims === 0);
}

/** Fills lo/hi/tripCount of canonical loops and collects the size symbols and symbol definitions. */
export function prepareAffine(env: AffineEnv): void {
  for (const loop of env.loops) {
    if (!loop.canonical) continue;
    const n = loop.node;
    const init = n.childForFieldName('initializer')!;
    const lowerNode = init.type === 'declaration'
      ? descendantsOfType(init, 'init_declarator')[0]!.childForFieldName('value')!
      : init.childForFieldName('right') ?? stripParensAndCasts(init).childForFieldName('right')!;
    const cond = stripParensAndCasts(n.childForFieldName('condition')!);
    const boundNode = [cond.childForFieldName('left')!, cond.childForFieldName('right')!].find(
      (s) => stripParensAndCasts(s).text !== loop.index,
    )!;
    const start = toPoly(env, lowerNode, loop);
    const bound = boundPolys(env, boundNode, loop);
    if (start && bound) {
      for (const p of [start, ...bound]) for (const f of factorNames(p)) if (!isIndexFactor(f)) env.sizeSymbols.add(f);
      if (loop.stepSign! > 0) {
        loop.lo = start;
        loop.hi = bound.map((b) => (loop.cmp === '<' ? sub(b, constPoly(1)) : b));
      } else {
        loop.hi = [start];
        // Decreasing: i > b means i >= b+1.
        loop.lo = loop.cmp === '>' ? add(bound[0]!, constPoly(1)) : bound[0]!;
        if (bound.length > 1) loop.lo = undefined;
      }
    }
    loop.tripCount = tripCountText(loop);
  }
  for (const [name, ws] of env.ctx.writes) {
    if (ws.length !== 1 || ws[0]!.kind !== 'decl') continue;
    const init = ws[0]!.node.childForFieldName('value');
    const p = init ? toPoly(env, init, undefined) : undefined;
    if (p) env.symbolDefs.set(name, p);
  }
  for (const v of env.ctx.params) if (/unsigned|size_t/.test(v.baseType) && v.pointerDepth === 0) env.sizeSymbols.add(v.name);
}

/** Bound of a loop as a list of upper candidates: `min(a, b)` written as a ternary gives both. */
function boundPolys(env: AffineEnv, node: SyntaxNode, loop: LoopNode): Poly[] | undefined {
  const n = stripParensAndCasts(node);
  if (n.type === 'conditional_expression') {
    // (x < y ? x : y) is min(x, y); (x > y ? y : x) too.
    const c = stripParensAndCasts(n.childForFieldName('condition')!);
    const t = stripParensAndCasts(n.childForFieldName('consequence')!).text;
    const e = stripParensAndCasts(n.childForFieldName('alternative')!).text;
    if (c.type === 'binary_expression') {
      const op = operatorOf(c);
      const l = stripParensAndCasts(c.childForFieldName('left')!).text;
      const r = stripParensAndCasts(c.childForFieldName('right')!).text;
      const isMin = ((op === '<' || op === '<=') && t === l && e === r) || ((op === '>' || op === '>=') && t === r && e === l);
      if (isMin) {
        const a = toPoly(env, n.childForFieldName('consequence')!, loop);
        const b = toPoly(env, n.childForFieldName('alternative')!, loop);
        if (a && b) return [a, b];
      }
    }
    return undefined;
  }
  if (n.type === 'call_expression') {
    const name = n.childForFieldName('function')?.text ?? '';
    if (/^(min|MIN|imin|fmin)$/.test(name)) {
      const args = n.childForFieldName('arguments')!;
      const ps = [];
      for (let i = 0; i < args.namedChildCount; i++) ps.push(toPoly(env, args.namedChild(i)!, loop));
      if (ps.every((p) => p)) return ps as Poly[];
    }
  }
  const p = toPoly(env, node, loop);
  return p ? [p] : undefined;
}

function descendantsOfType(node: SyntaxNode, type: string): SyntaxNode[] {
  return [...descendants(node)].filter((d) => d.type === type);
}

function tripCountText(loop: LoopNode): string {
  const lb = loop.lowerText ?? '?';
  const ub = loop.upperText ?? '?';
  const inclusive = loop.cmp === '<=' || loop.cmp === '>=';
  const step = loop.step !== undefined ? Math.abs(loop.step) : undefined;
  const [hiT, loT] = loop.stepSign! > 0 ? [ub, lb] : [lb, ub];
  let span = loT.trim() === '0' ? hiT : `${paren(hiT)} - ${paren(loT)}`;
  if (inclusive) span = `${span} + 1`;
  if (step === 1) return span;
  const st = step !== undefined ? String(step) : paren(loop.stepText ?? '?');
  return `(${span} + ${st} - 1) / ${st}`;
}

function paren(s: string): string {
  return /^[\w.]+$/.test(s.trim()) ? s.trim() : `(${s.trim()})`;
}

// ---- range reasoning -------------------------------------------------------

/** Expands symbols that have a single definition into their definition (a few levels deep). */
export function expandDefs(env: AffineEnv, p: Poly): Poly {
  let out = p;
  for (let round = 0; round < 4; round++) {
    let changed = false;
    for (const f of factorNames(out)) {
      const def = env.symbolDefs.get(f);
      if (def && !isIndexFactor(f)) {
        out = substitute(out, f, def);
        changed = true;
      }
    }
    if (!changed) break;
  }
  return out;
}

/** True when p >= 0 is certain, given that size symbols are >= 0. */
export function provablyNonNegative(env: AffineEnv, p: Poly): boolean {
  const check = (q: Poly) =>
    [...q].every(([m, c]) => c >= 0 && factorsOf(m).every((f) => !isIndexFactor(f) && env.sizeSymbols.has(f)));
  return check(p) || check(expandDefs(env, p));
}

/**
 * Candidate upper (or lower) bounds of p over the loop indices it mentions: each
 * index is replaced by its bound, innermost loops first, until none remain.
 * Returns several candidates when a bound is a min(); an empty list when unknown.
 */
export function boundsOf(env: AffineEnv, p: Poly, want: 'max' | 'min'): Poly[] {
  let frontier: Poly[] = [p];
  for (let round = 0; round < 12; round++) {
    const next: Poly[] = [];
    let done = true;
    for (const q of frontier) {
      const idx = [...factorNames(q)].filter(isIndexFactor);
      if (idx.length === 0) {
        next.push(q);
        continue;
      }
      done = false;
      // Innermost first: its bounds may mention outer indices.
      idx.sort((a, b) => (env.loopById.get(b.slice(1))?.depth ?? 0) - (env.loopById.get(a.slice(1))?.depth ?? 0));
      const v = idx[0]!;
      const loop = env.loopById.get(v.slice(INDEX_PREFIX.length).replace(/'$/, ''));
      if (!loop?.lo || !loop.hi) continue;
      // Coefficient of v must have a known sign.
      const coeff: Poly = new Map();
      for (const [m, c] of q) {
        const fs = factorsOf(m);
        const k = fs.indexOf(v);
        if (k < 0) continue;
        if (fs.filter((f) => f === v).length > 1) return [];
        coeff.set(fs.filter((_, i) => i !== k).join('*'), c);
      }
      const positive = provablyNonNegative(env, coeff);
      const negative = provablyNonNegative(env, scale(coeff, -1));
      if (!positive && !negative) continue;
      const useHigh = (want === 'max') === positive;
      for (const b of useHigh ? loop.hi : [loop.lo]) next.push(substitute(q, v, b));
    }
    frontier = next.slice(0, 16);
    if (done) break;
  }
  return frontier.filter((q) => ![...factorNames(q)].some(isIndexFactor));
}

/** lo <= p <= hi certain? */
export function provablyWithin(env: AffineEnv, p: Poly, lo: Poly, hi: Poly): boolean {
  const mins = boundsOf(env, p, 'min');
  const maxs = boundsOf(env, p, 'max');
  return mins.some((m) => provablyNonNegative(env, sub(m, lo))) && maxs.some((m) => provablyNonNegative(env, sub(hi, m)));
}
