// Selection loops (argmin / argmax): `if (G && E < m) { m = E; x = i; }` over an
// increasing canonical loop keeps the smallest E (below the initial m) and the lowest
// index reaching it. That is a min reduction with an index payload: each thread scans
// its part from the initial (m, x) and the per-thread results combine by smaller value,
// ties to the lower index, which gives exactly the serial result (strict `<` keeps the
// first index of a tie; NaN values never pass `<`, serially or in parallel).
import { declaredName, descendants, operatorOf, statementsOf, stripParens, type SyntaxNode } from './ast.js';
import type { AnalysisState } from './analyze.js';
import { callVerdict } from './calls.js';
import { declaratorsOf, varAt } from './context.js';
import type { LoopNode } from './loops.js';

export interface Selection {
  op: 'min' | 'max';
  /** The running best value and the index that reached it. */
  value: string;
  index: string;
  valueType: string;
  indexType: string;
}

/** The selection reduction of a loop, or undefined (with no claim) when it has another form. */
export function selectionOf(state: AnalysisState, loop: LoopNode): Selection | undefined {
  if (!loop.canonical || !loop.index || (loop.stepSign ?? 0) <= 0) return undefined;
  const stmts = statementsOf(loop.body);
  if (stmts.length !== 1 || stmts[0]!.type !== 'if_statement') return undefined;
  const ifs = stmts[0]!;
  if (ifs.childForFieldName('alternative')) return undefined;
  const then = statementsOf(ifs.childForFieldName('consequence')!);
  if (then.length !== 2) return undefined;
  const asg = then.map((s) => (s.type === 'expression_statement' ? stripParens(s.namedChild(0)!) : undefined));
  if (asg.some((a) => !a || a.type !== 'assignment_expression' || operatorOf(a) !== '=' || stripParens(a.childForFieldName('left')!).type !== 'identifier')) return undefined;
  const pairs = asg.map((a) => ({ lhs: stripParens(a!.childForFieldName('left')!).text, rhs: stripParens(a!.childForFieldName('right')!) }));
  const idx = pairs.find((p) => p.rhs.type === 'identifier' && p.rhs.text === loop.index);
  const val = pairs.find((p) => p !== idx);
  if (!idx || !val || idx.lhs === val.lhs) return undefined;
  const m = val.lhs;
  const x = idx.lhs;
  const e = val.rhs;
  // Condition: [G &&] E < m  (or m > E) for min; E > m (or m < E) for max. Strict only.
  const cond = stripParens(ifs.childForFieldName('condition')!);
  const guards: SyntaxNode[] = [];
  const flatten = (n: SyntaxNode): SyntaxNode[] => {
    const s = stripParens(n);
    return s.type === 'binary_expression' && operatorOf(s) === '&&' ? [...flatten(s.childForFieldName('left')!), ...flatten(s.childForFieldName('right')!)] : [s];
  };
  const conj = flatten(cond);
  const cmp = conj[conj.length - 1]!;
  guards.push(...conj.slice(0, -1));
  if (cmp.type !== 'binary_expression') return undefined;
  const l = stripParens(cmp.childForFieldName('left')!);
  const r = stripParens(cmp.childForFieldName('right')!);
  const op = operatorOf(cmp);
  let kind: 'min' | 'max' | undefined;
  if (l.text === e.text && r.text === m) kind = op === '<' ? 'min' : op === '>' ? 'max' : undefined;
  else if (r.text === e.text && l.text === m) kind = op === '>' ? 'min' : op === '<' ? 'max' : undefined;
  if (!kind) return undefined;
  // Neither the value expression nor the guards read m or x, write anything or call anything impure.
  for (const n of [e, ...guards]) {
    for (const d of descendants(n)) {
      if (d.type === 'identifier' && (d.text === m || d.text === x)) return undefined;
      if (d.type === 'assignment_expression' || d.type === 'update_expression') return undefined;
      if (d.type === 'call_expression' && !callVerdict(state.ctx, d).pure) return undefined;
    }
  }
  const vm = varAt(state.ctx, m, ifs);
  const vx = varAt(state.ctx, x, ifs);
  if (!vm || !vx || vm.pointerDepth + vm.arrayDims > 0 || vx.pointerDepth + vx.arrayDims > 0) return undefined;
  if (vm.kind !== 'local' || vx.kind !== 'local') return undefined;
  const arithmetic = /^(const\s+)?(unsigned\s+|signed\s+)?(double|float|int|long|long long|short|char|size_t|ptrdiff_t|int\d+_t|uint\d+_t)$/;
  const clean = (t: string) => t.replace(/\bconst\b\s*/g, '').trim();
  if (!arithmetic.test(clean(vm.baseType)) || !arithmetic.test(clean(vx.baseType))) return undefined;
  return { op: kind, value: m, index: x, valueType: clean(vm.baseType), indexType: clean(vx.baseType) };
}

/** Selection whose scalars are the loop's only obstacle to parallel execution. */
export function parallelSelectionOf(state: AnalysisState, loop: LoopNode): Selection | undefined {
  const sel = selectionOf(state, loop);
  if (!sel) return undefined;
  const f = state.factsById.get(loop.id)!;
  if (f.carried.some((d) => !d.coveredBy) || f.impureCalls.length || f.arrayReductions.length) return undefined;
  if (f.arraysWritten.length) return undefined;
  if (!f.scalarCarried.every((c) => c.name === sel.value || c.name === sel.index)) return undefined;
  if (f.reductions.length) return undefined;
  return sel;
}

/**
 * Per-thread scalars of a time loop that a parallel region is hoisted around: the value and
 * index of the selections directly in its body, declared there. In the region every thread
 * keeps its own copy, scans its block, and combines all blocks alike after a barrier, so
 * every copy holds the serial result.
 */
export function hoistedSelectionProblem(loop: LoopNode, sel: { value: string; index: string }): string | undefined {
  const t = loop.parent;
  if (!t) return 'the selection loop is not inside a time loop';
  const declared = new Set<string>();
  for (const s of statementsOf(t.body)) {
    if (s.type !== 'declaration') continue;
    for (const d of declaratorsOf(s)) {
      const name = declaredName(d);
      if (name) declared.add(name);
    }
  }
  const missing = [sel.value, sel.index].filter((n) => !declared.has(n));
  if (missing.length) return `${missing.join(' and ')} must be declared in the body of ${t.id} (each thread of the hoisted region keeps its own copy)`;
  return undefined;
}

/**
 * `if (C) break;` where C reads only `uniform` names (values every thread of a hoisted region
 * holds alike: a combined selection), literals and macros: every thread leaves the time loop
 * in the same round, so the exit may stay outside the region's single blocks.
 */
export function isUniformExit(state: AnalysisState, stmt: SyntaxNode, uniform: ReadonlySet<string>): boolean {
  if (stmt.type !== 'if_statement' || stmt.childForFieldName('alternative')) return false;
  const then = statementsOf(stmt.childForFieldName('consequence')!);
  if (then.length !== 1 || then[0]!.type !== 'break_statement') return false;
  return isUniformExpression(state, stmt.childForFieldName('condition')!, uniform);
}

/**
 * A macro of the kernel's unit, or an all-caps name that is no variable of it: a constant from
 * a header (INFINITY, DBL_MAX, INT_MAX), the same in every thread.
 */
function isConstantName(state: AnalysisState, name: string): boolean {
  return state.ctx.macros.has(name) || (/^[A-Z][A-Z0-9_]*$/.test(name) && !state.ctx.vars.has(name));
}

/**
 * An expression every thread evaluates alike: literals, constants and the `uniform` names
 * only — no memory read, call or side effect (`-1`, `INFINITY`, `best < 0`).
 */
export function isUniformExpression(state: AnalysisState, expr: SyntaxNode, uniform: ReadonlySet<string> = new Set()): boolean {
  for (const d of descendants(expr)) {
    if (d.type === 'identifier' && !uniform.has(d.text) && !isConstantName(state, d.text)) return false;
    if (d.type === 'call_expression' || d.type === 'assignment_expression' || d.type === 'update_expression' || d.type === 'subscript_expression') return false;
  }
  return true;
}
