// Loop invariance of an expression: whether it has the same value in every iteration of a
// loop (shared by the transforms that evaluate something once instead of per iteration).
import type { AnalysisState } from './analyze.js';
import { mayAlias, type Access } from './accesses.js';
import { descendants, isInside, type SyntaxNode } from './ast.js';
import { macroFreeNames, varAt } from './context.js';
import type { LoopNode } from './loops.js';

/**
 * Why `node` may differ between iterations of `loop` (or undefined when it cannot): no call,
 * assignment or memory read (unless `readsAllowed`: the caller checks the reads), and no name
 * the loop changes or declares (macros: their bodies' names).
 */
export function invariantProblem(state: AnalysisState, loop: LoopNode, node: SyntaxNode, readsAllowed = false): string | undefined {
  for (const n of descendants(node)) {
    if (readsAllowed && (n.type === 'subscript_expression' || n.type === 'field_expression' || n.type === 'pointer_expression')) continue;
    if (n.type === 'call_expression' || n.type === 'subscript_expression' || n.type === 'pointer_expression' || n.type === 'field_expression') return 'reads memory or calls a function';
    if (n.type === 'assignment_expression' || n.type === 'update_expression') return 'assigns';
    if (n.type !== 'identifier') continue;
    const macro = state.ctx.macros.get(n.text);
    if (macro && !state.ctx.vars.has(n.text)) {
      if (macro.params) return `uses the function-like macro ${n.text}`;
      const names = [...macro.body.matchAll(/[A-Za-z_]\w*/g)].map((m) => m[0]);
      if (names.some((x) => changedIn(state, loop, x) || state.ctx.macros.has(x))) return `uses ${n.text}, whose value may change in the loop`;
      continue;
    }
    if (changedIn(state, loop, n.text)) return `uses ${n.text}, which the loop changes`;
    const decl = varAt(state.ctx, n.text, n);
    if (decl && isInside(decl.decl, loop.node)) return `uses ${n.text}, declared in the loop`;
  }
  return undefined;
}

export function changedIn(state: AnalysisState, loop: LoopNode, name: string): boolean {
  return name === loop.index || (state.ctx.writes.get(name) ?? []).some((w) => isInside(w.node, loop.node));
}


/** A read of a whole array element that a loop does not change, and the element's type. */
export interface InvariantRead {
  node: SyntaxNode;
  type: string;
}

/**
 * Reads in `body` (a loop's body) that have the same value in every iteration: not under a
 * condition (the first iteration makes them all), no name in them (macro bodies included)
 * that `varies`, is a local of the body or is written in it, whole elements of arrays that
 * none of `stores` may alias. Outermost first; a read inside a listed one goes with it.
 */
export function invariantReadsIn(state: AnalysisState, body: SyntaxNode, varies: (name: string) => boolean, stores: Access[]): InvariantRead[] {
  const out: InvariantRead[] = [];
  const reads = state.accesses
    .filter((a) => a.read && !a.write && !a.viaCall && !a.anchor && a.parts && a.node.type === 'subscript_expression' && isInside(a.node, body))
    .sort((a, b) => a.node.startIndex - b.node.startIndex || b.node.endIndex - a.node.endIndex);
  const changes = (name: string, at: SyntaxNode) =>
    varies(name) || declaredInside(state, name, at, body) || (state.ctx.writes.get(name) ?? []).some((w) => isInside(w.node, body));
  for (const a of reads) {
    if (out.some((o) => isInside(a.node, o.node))) continue;
    if (stores.some((s) => mayAlias(state.ctx, a.base, s.base))) continue;
    if (underCondition(a.node, body)) continue;
    const names = new Set<string>();
    for (const n of descendants(a.node)) {
      if (n.type === 'identifier' && !isCallee(n)) names.add(n.text);
      if (n.type === 'call_expression') {
        const fn = n.childForFieldName('function');
        if (!fn || fn.type !== 'identifier' || !state.ctx.macros.has(fn.text)) names.add('(call)');
        for (const m of macroFreeNames(state.ctx, n)) names.add(m);
      }
    }
    if (names.has('(call)') || [...names].some((name) => changes(name, a.node))) continue;
    const v = varAt(state.ctx, a.base.name, a.node);
    if (!v || a.parts!.length !== v.pointerDepth + v.arrayDims) continue;
    out.push({ node: a.node, type: v.baseType.replace(/\b(const|volatile)\b\s*/g, '').trim() });
  }
  return out;
}

/** Inside an if, a loop, a ?: branch or the right operand of && / || between `node` and `block`. */
function underCondition(node: SyntaxNode, block: SyntaxNode): boolean {
  for (let n = node.parent, child = node; n && n.id !== block.id; child = n, n = n.parent) {
    if (['if_statement', 'switch_statement', 'while_statement', 'do_statement', 'for_statement'].includes(n.type)) return true;
    if (n.type === 'conditional_expression' && n.childForFieldName('condition')?.id !== child.id) return true;
    if (n.type === 'binary_expression' && ['&&', '||'].includes(n.child(1)?.text ?? '') && n.childForFieldName('right')?.id === child.id) return true;
  }
  return false;
}

export function isCallee(n: SyntaxNode): boolean {
  return n.parent?.type === 'call_expression' && n.parent.childForFieldName('function')?.id === n.id;
}

export function declaredInside(state: AnalysisState, name: string, at: SyntaxNode, block: SyntaxNode): boolean {
  const v = varAt(state.ctx, name, at);
  return v !== undefined && v.kind === 'local' && isInside(v.decl, block);
}

/** Whether a loop's bounds can be evaluated once more before it (no call, assignment or ++/-- in them). */
export function boundsReevaluable(loop: LoopNode): boolean {
  return [loop.lowerText ?? '', loop.upperText ?? ''].every((t) => !/[A-Za-z_]\w*\s*\(|[^=!<>]=[^=]|\+\+|--/.test(t));
}
