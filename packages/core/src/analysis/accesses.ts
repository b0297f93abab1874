// Memory accesses of the kernel: every subscript, dereference and field access,
// resolved to a base object and a list of subscript parts, with whether it reads,
// writes or both. Local pointers defined once as `q + e`, `&q[e]` or `q[e]` are
// followed back to q so that `row[j]` with `row = a + i*n` reads a[i*n + j].
import { callArguments, descendants, isInside, lineOf, operatorOf, stripParens, stripParensAndCasts, type SyntaxNode } from './ast.js';
import { expandMacroCall, varAt, type FunctionContext, type VarInfo } from './context.js';
import { loopChainOf, type LoopNode } from './loops.js';

export type BaseKind = 'param' | 'global' | 'local-array' | 'local-fresh' | 'local-pointer' | 'derived' | 'local-struct';

export interface BaseRef {
  /** Name used in reports: the variable, or the expression text for `g->rows`. */
  name: string;
  kind: BaseKind;
  restrict: boolean;
  /** Pointer-to-pointer accessed with two subscripts: rows might overlap unless noalias. */
  rowsMayOverlap: boolean;
}

export type SubscriptPart =
  /** The sum of `nodes` (an empty list is 0). */
  | { kind: 'expr'; nodes: SyntaxNode[] }
  | { kind: 'field'; name: string };

export interface Access {
  id: number;
  base: BaseRef;
  write: boolean;
  read: boolean;
  /** Subscript parts outer-first; undefined when the address is not understood. */
  parts?: SubscriptPart[];
  node: SyntaxNode;
  /** The statement (expression statement or declaration) holding the access. */
  statement: SyntaxNode;
  line: number;
  /** Enclosing loops, outermost first. */
  loops: LoopNode[];
  text: string;
  /** Pointer passed to a call: the callee may read anything through it. */
  viaCall?: string;
  /**
   * Set when the access comes from a function-like macro's expansion (`F(a, i, j)`
   * with `#define F(a, i, j) a[(i) * n + (j)]`): the macro use in the function. `node`
   * is that use too; the subscript parts are nodes of the expansion, whose names are
   * resolved at this position (toPoly's anchor).
   */
  anchor?: SyntaxNode;
}

export function collectAccesses(ctx: FunctionContext, loops: LoopNode[]): Access[] {
  const out: Access[] = [];
  const seen = new Set<number>();
  const visit = (node: SyntaxNode) => {
    const t = node.type;
    if (t === 'subscript_expression' || t === 'field_expression' || (t === 'pointer_expression' && operatorOf(node) === '*')) {
      const r = resolve(ctx, node);
      if (r && !seen.has(node.id)) {
        seen.add(node.id);
        const { read, write } = roleOf(node);
        out.push({
          id: out.length,
          base: r.base,
          read,
          write,
          parts: r.parts,
          node,
          statement: statementOf(node),
          line: lineOf(node),
          loops: loopChainOf(loops, node),
          text: node.text,
        });
        // Subscript expressions inside the parts are reads of their own.
        for (const p of r.inner) visit(p);
        return;
      }
    }
    if (t === 'call_expression' && ctx.macros.get(node.childForFieldName('function')?.text ?? '')?.params) {
      // The expansion holds the arguments' own accesses too (`F(a, i, idx[k])`).
      macroAccesses(ctx, loops, node, out);
      return;
    }
    if (t === 'call_expression' && !ctx.macros.has(node.childForFieldName('function')?.text ?? '')) {
      // A pointer argument lets the callee read the object anywhere.
      for (const a of callArguments(node)) {
        const e = stripParensAndCasts(a);
        const name = e.type === 'identifier' ? e.text : undefined;
        const v = name ? varAt(ctx, name, e) : undefined;
        if (name && v && v.pointerDepth + v.arrayDims > 0) {
          out.push({
            id: out.length,
            base: baseRefOf(ctx, v, name, e),
            read: true,
            write: false,
            parts: undefined,
            node: e,
            statement: statementOf(node),
            line: lineOf(node),
            loops: loopChainOf(loops, node),
            text: e.text,
            viaCall: node.childForFieldName('function')?.text,
          });
        }
      }
    }
    for (let i = 0; i < node.namedChildCount; i++) visit(node.namedChild(i)!);
  };
  visit(ctx.body);
  return out;
}

/**
 * Memory accesses inside the expansion of a function-like macro use. Without this a
 * store through `F(ey, i, j) -= ...` was invisible to the dependence test (the yee2d
 * kernel's time loop was reported parallel). The expansion is parsed on its own, so
 * its accesses carry the use as `node` (position, statement, loops) and as the anchor
 * for resolving names; an access the expansion's own operators write (`a[i]++`) gets
 * that role, the whole expansion gets the use's role (`F(...) -= e`).
 */
function macroAccesses(ctx: FunctionContext, loops: LoopNode[], call: SyntaxNode, out: Access[]): void {
  const common = { node: call, statement: statementOf(call), line: lineOf(call), loops: loopChainOf(loops, call), anchor: call };
  const unknown = (use: SyntaxNode) => {
    // Could not expand (argument count, parse error): every pointer argument may be read and written anywhere.
    for (const a of callArguments(use)) {
      const e = stripParensAndCasts(a);
      const v = e.type === 'identifier' ? varAt(ctx, e.text, call) : undefined;
      if (v && v.pointerDepth + v.arrayDims > 0) out.push({ id: out.length, base: baseRefOf(ctx, v, e.text, call), read: true, write: true, parts: undefined, ...common, text: use.text });
    }
  };
  // `use` is a macro use (the function's, or one inside an expansion); `role` is the role of its whole expansion.
  const expandUse = (use: SyntaxNode, role: { read: boolean; write: boolean }, depth: number, wholeOfCall: boolean) => {
    const expanded = depth < 8 ? expandMacroCall(ctx, use) : undefined;
    if (!expanded) return unknown(use);
    const whole = stripParens(expanded);
    const visit = (node: SyntaxNode) => {
      const t = node.type;
      const isWhole = stripParens(node).id === whole.id;
      // Reports name the macro use as written when the access is all of it.
      const text = isWhole && wholeOfCall ? call.text : node.text;
      if (t === 'subscript_expression' || t === 'field_expression' || (t === 'pointer_expression' && operatorOf(node) === '*')) {
        const r = resolve(ctx, node, 0, call);
        if (r) {
          out.push({ id: out.length, base: r.base, ...(isWhole ? role : roleOf(node)), parts: r.parts, ...common, text });
          for (const p of r.inner) visit(p);
          return;
        }
      }
      if (t === 'call_expression' && ctx.macros.get(node.childForFieldName('function')?.text ?? '')?.params) {
        expandUse(node, isWhole ? role : roleOf(node), depth + 1, isWhole && wholeOfCall);
        return;
      }
      for (let i = 0; i < node.namedChildCount; i++) visit(node.namedChild(i)!);
    };
    visit(expanded);
  };
  expandUse(call, roleOf(call), 0, true);
}

/** Is the access read, written or both (compound assignment, ++)? */
function roleOf(node: SyntaxNode): { read: boolean; write: boolean } {
  let n = node;
  while (n.parent && n.parent.type === 'parenthesized_expression') n = n.parent;
  const p = n.parent;
  if (p?.type === 'assignment_expression' && p.childForFieldName('left')?.id === n.id) {
    return { read: operatorOf(p) !== '=', write: true };
  }
  if (p?.type === 'update_expression') return { read: true, write: true };
  if (p?.type === 'pointer_expression' && operatorOf(p) === '&') return { read: false, write: false };
  return { read: true, write: false };
}

export function statementOf(node: SyntaxNode): SyntaxNode {
  let n: SyntaxNode = node;
  while (n.parent && !['expression_statement', 'declaration', 'return_statement', 'compound_statement', 'for_statement', 'if_statement', 'while_statement'].includes(n.parent.type)) n = n.parent;
  return n.parent && n.parent.type !== 'compound_statement' ? n.parent : n;
}

interface Resolved {
  base: BaseRef;
  parts?: SubscriptPart[];
  /** Subexpressions that are themselves accesses (inside subscripts). */
  inner: SyntaxNode[];
}

/** Resolves an lvalue-ish memory expression to base + parts. */
function resolve(ctx: FunctionContext, node: SyntaxNode, depth = 0, anchor?: SyntaxNode): Resolved | undefined {
  if (depth > 8) return undefined;
  const n = stripParens(node);
  if (n.type === 'subscript_expression') {
    const arg = n.childForFieldName('argument')!;
    const idx = n.childForFieldName('index')!;
    const inner = resolveBase(ctx, arg, depth, anchor);
    if (!inner) return undefined;
    const parts = inner.parts ? appendIndex(inner.parts, idx, inner.pointerStep) : undefined;
    return { base: inner.base, parts, inner: [...inner.inner, idx] };
  }
  if (n.type === 'pointer_expression' && operatorOf(n) === '*') {
    const arg = stripParensAndCasts(n.childForFieldName('argument')!);
    if (arg.type === 'binary_expression' && ['+', '-'].includes(operatorOf(arg))) {
      // *(p + e)
      const l = arg.childForFieldName('left')!;
      const r = arg.childForFieldName('right')!;
      const inner = resolveBase(ctx, l, depth, anchor);
      if (!inner) return undefined;
      if (operatorOf(arg) === '-') return { base: inner.base, parts: undefined, inner: [...inner.inner, r] };
      return { base: inner.base, parts: inner.parts ? appendIndex(inner.parts, r, inner.pointerStep) : undefined, inner: [...inner.inner, r] };
    }
    const inner = resolveBase(ctx, arg, depth, anchor);
    if (!inner) return undefined;
    return { base: inner.base, parts: inner.parts ? appendIndex(inner.parts, undefined, inner.pointerStep) : undefined, inner: inner.inner };
  }
  if (n.type === 'field_expression') {
    const arg = n.childForFieldName('argument')!;
    const field = n.childForFieldName('field')!.text;
    const arrow = operatorOf(n) === '->';
    if (arrow) {
      const inner = resolveBase(ctx, arg, depth, anchor);
      if (!inner) return undefined;
      const parts = inner.parts ? appendIndex(inner.parts, undefined, inner.pointerStep) : undefined;
      return { base: inner.base, parts: parts ? [...parts, { kind: 'field', name: field }] : undefined, inner: inner.inner };
    }
    const a = stripParens(arg);
    if (a.type === 'identifier') {
      const v = varAt(ctx, a.text, anchor ?? a);
      if (!v) return undefined;
      return { base: { name: a.text, kind: v.kind === 'local' ? 'local-struct' : v.kind, restrict: false, rowsMayOverlap: false }, parts: [{ kind: 'field', name: field }], inner: [] };
    }
    const inner = resolve(ctx, a, depth + 1, anchor);
    if (!inner) return undefined;
    return { base: inner.base, parts: inner.parts ? [...inner.parts, { kind: 'field', name: field }] : undefined, inner: inner.inner };
  }
  return undefined;
}

interface ResolvedBase extends Resolved {
  /** The parts so far end in a pointer offset that the next index adds to (true), or start a new dimension. */
  pointerStep: boolean;
}

/**
 * Resolves the thing being subscripted: an array/pointer variable (followed through
 * single-definition local pointers), or a nested subscript (a[i] of a 2-D array).
 */
function resolveBase(ctx: FunctionContext, node: SyntaxNode, depth: number, anchor?: SyntaxNode): ResolvedBase | undefined {
  const n = stripParensAndCasts(node);
  if (n.type === 'identifier') {
    const v = varAt(ctx, n.text, anchor ?? n);
    if (!v || v.pointerDepth + v.arrayDims === 0) return undefined;
    if (anchor && v.kind === 'local' && !(v.arrayDims > 0 && v.pointerDepth === 0)) {
      // A local pointer named in a macro's expansion: its definition's nodes would be
      // resolved at the macro use, not where they are; the address is left unknown.
      return { base: baseRefOf(ctx, v, n.text, anchor), parts: undefined, inner: [], pointerStep: false };
    }
    const alias = v.kind === 'local' ? followLocalPointer(ctx, v, depth) : undefined;
    if (alias) return alias;
    return { base: baseRefOf(ctx, v, n.text, n), parts: [], inner: [], pointerStep: false };
  }
  if (n.type === 'subscript_expression' || n.type === 'field_expression' || n.type === 'pointer_expression') {
    const r = resolve(ctx, n, depth + 1, anchor);
    if (!r) return undefined;
    if (n.type === 'field_expression') {
      // `g->rows[i]`: a pointer loaded from a struct is its own base.
      return { base: { name: n.text, kind: 'derived', restrict: false, rowsMayOverlap: false }, parts: [], inner: r.inner, pointerStep: false };
    }
    const root = varAt(ctx, r.base.name, anchor ?? n);
    const rowsArePointers = root !== undefined && root.arrayDims === 0 && root.pointerDepth >= 2;
    return { ...r, base: rowsArePointers ? { ...r.base, rowsMayOverlap: true } : r.base, pointerStep: false };
  }
  return undefined;
}

/** `double *p = q + e;` / `&q[e]` / `q[e]` / `q`, never reassigned: p[k] is q[e + k]. */
function followLocalPointer(ctx: FunctionContext, v: VarInfo, depth: number): ResolvedBase | undefined {
  const writes = ctx.writes.get(v.name) ?? [];
  if (writes.length !== 1 || writes[0]!.kind !== 'decl' || !v.init) return undefined;
  const init = stripParensAndCasts(v.init);
  if (init.type === 'call_expression' && /^(malloc|calloc|aligned_alloc)$/.test(init.childForFieldName('function')?.text ?? '')) {
    return { base: { name: v.name, kind: 'local-fresh', restrict: false, rowsMayOverlap: false }, parts: [], inner: [], pointerStep: false };
  }
  if (init.type === 'identifier') return resolveBase(ctx, init, depth + 1);
  if (init.type === 'binary_expression' && operatorOf(init) === '+') {
    const inner = resolveBase(ctx, init.childForFieldName('left')!, depth + 1);
    if (!inner || !inner.parts) return inner ? { ...inner, parts: undefined } : undefined;
    return { ...inner, parts: appendIndex(inner.parts, init.childForFieldName('right')!, inner.pointerStep), pointerStep: true };
  }
  if (init.type === 'pointer_expression' && operatorOf(init) === '&') {
    const r = resolve(ctx, init.childForFieldName('argument')!, depth + 1);
    if (!r) return undefined;
    return { ...r, pointerStep: true };
  }
  if (init.type === 'subscript_expression') {
    // Row of a 2-D array: `double *row = A[i];`
    const r = resolve(ctx, init, depth + 1);
    if (!r) return undefined;
    return { ...r, pointerStep: false };
  }
  return undefined;
}

/**
 * Adds an index to the parts: it extends the last part when the base so far is a
 * pointer offset (p = q + e; p[k] is q[e + k]), else it opens a new dimension.
 */
function appendIndex(parts: SubscriptPart[], idx: SyntaxNode | undefined, pointerStep: boolean): SubscriptPart[] {
  const last = parts[parts.length - 1];
  if (pointerStep && last && last.kind === 'expr') {
    return [...parts.slice(0, -1), { kind: 'expr', nodes: idx ? [...last.nodes, idx] : last.nodes }];
  }
  return [...parts, { kind: 'expr', nodes: idx ? [idx] : [] }];
}

export function baseRefOf(ctx: FunctionContext, v: VarInfo, name: string, _at: SyntaxNode): BaseRef {
  let kind: BaseKind;
  if (v.kind === 'param') kind = 'param';
  else if (v.kind === 'global') kind = 'global';
  else if (v.arrayDims > 0 && v.pointerDepth === 0) kind = 'local-array';
  else kind = 'local-pointer';
  return { name, kind, restrict: v.restrict, rowsMayOverlap: false };
}

/** May two different bases refer to overlapping memory? */
export function mayAlias(ctx: FunctionContext, a: BaseRef, b: BaseRef): boolean {
  if (a.name === b.name) return true;
  const distinctKinds: BaseKind[] = ['local-array', 'local-fresh', 'local-struct'];
  if (distinctKinds.includes(a.kind) || distinctKinds.includes(b.kind)) return false;
  if (a.kind === 'local-pointer' || b.kind === 'local-pointer') return true;
  if (ctx.noalias) return false;
  if (a.restrict || b.restrict) return false;
  return true;
}

/** Does any write access sit inside `node`? */
export function hasWriteIn(accesses: Access[], node: SyntaxNode): boolean {
  return accesses.some((a) => a.write && isInside(a.node, node));
}

export { descendants };
