// Loop invariance of an expression: whether it has the same value in every iteration of a
// loop (shared by the transforms that evaluate something once instead of per iteration).
import type { AnalysisState } from './analyze.js';
import { descendants, isInside, type SyntaxNode } from './ast.js';
import { varAt } from './context.js';
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

