// Scalar variables of a loop: shared (only read), private (written before read in
// every iteration), lastprivate (private and used after the loop), reduction, or
// carried (a value flows from one iteration to the next: the loop is not parallel).
import { descendants, isInside, lineOf, LOOP_TYPES, statementsOf, type SyntaxNode } from './ast.js';
import { varAt, type FunctionContext } from './context.js';
import { flowOf, flowOfSequence } from './flow.js';
import type { LoopNode } from './loops.js';
import { reductionOf, type ReductionOp } from './reductions.js';
import type { ScalarDependence } from './types.js';

export interface ScalarClasses {
  privates: string[];
  lastprivates: string[];
  reductions: Map<string, ReductionOp>;
  shared: string[];
  carried: ScalarDependence[];
}

export function classifyScalars(ctx: FunctionContext, loop: LoopNode): ScalarClasses {
  const out: ScalarClasses = { privates: [], lastprivates: [], reductions: new Map(), shared: [], carried: [] };
  const flow = flowOf(loop.body);
  const occurrences = new Map<string, SyntaxNode[]>();
  for (const d of descendants(loop.body)) {
    if (d.type !== 'identifier') continue;
    if (d.parent?.type === 'call_expression' && d.parent.childForFieldName('function')?.id === d.id) continue;
    const v = varAt(ctx, d.text, d);
    if (!v) continue; // macro, enum constant, function name
    if (v.kind === 'local' && isInside(v.decl, loop.node)) continue; // declared inside: private by scope
    occurrences.set(d.text, [...(occurrences.get(d.text) ?? []), d]);
  }
  // The loop's own index: private by OpenMP rule; lastprivate when its final value is used.
  if (loop.index && !loop.declaresIndex && liveAfter(ctx, loop, loop.index)) out.lastprivates.push(loop.index);

  for (const [name, occ] of [...occurrences].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (name === loop.index) continue;
    const v = varAt(ctx, name, occ[0]!)!;
    const writes = (ctx.writes.get(name) ?? []).filter((w) => isInside(w.node, loop.body));
    if (writes.length === 0) {
      if (v.pointerDepth + v.arrayDims === 0) out.shared.push(name);
      continue;
    }
    const addressTaken = writes.find((w) => w.kind === 'address');
    if (addressTaken) {
      out.carried.push({ name, reason: `the address of ${name} is taken (line ${lineOf(addressTaken.node)}); its uses cannot be tracked`, line: lineOf(addressTaken.node) });
      continue;
    }
    if (!flow.exposed.has(name)) {
      out.privates.push(name);
      if (liveAfter(ctx, loop, name)) {
        if (flow.defined.has(name)) out.lastprivates.push(name);
        else out.carried.push({ name, reason: `${name} is assigned only on some paths and its value is used after the loop`, line: lineOf(writes[0]!.node) });
      }
      continue;
    }
    const op = reductionOpOf(ctx, loop, name, occ);
    if (op) {
      out.reductions.set(name, op);
      continue;
    }
    out.carried.push({
      name,
      reason: `${name} is read before it is written in an iteration, so its value flows from one iteration to the next (written at line ${lineOf(writes[0]!.node)})`,
      line: lineOf(writes[0]!.node),
    });
  }
  out.privates = out.privates.filter((p) => !out.lastprivates.includes(p));
  return out;
}

/** The single reduction operator of all occurrences of `name` in the loop, if they are all reduction statements. */
function reductionOpOf(ctx: FunctionContext, loop: LoopNode, name: string, occ: SyntaxNode[]): ReductionOp | undefined {
  const ops = new Set<ReductionOp>();
  for (const o of occ) {
    const r = enclosingReduction(ctx, loop, o, name);
    if (!r) return undefined;
    ops.add(r);
  }
  return ops.size === 1 ? [...ops][0] : undefined;
}

/** The reduction statement of `target` that holds `node`, searching up to the loop. */
export function enclosingReduction(ctx: FunctionContext, loop: LoopNode, node: SyntaxNode, target: string): ReductionOp | undefined {
  for (let n: SyntaxNode | null = node; n && n.id !== loop.node.id; n = n.parent) {
    if (n.type === 'expression_statement' || n.type === 'if_statement') {
      const r = reductionOf(ctx, n);
      if (r && r.target === target) return r.op;
    }
    if (LOOP_TYPES.has(n.type)) return undefined;
  }
  return undefined;
}

/**
 * May the value `name` has when the loop ends be read later? Looks at what follows
 * the loop in each enclosing block, and at the next iteration of enclosing loops.
 */
export function liveAfter(ctx: FunctionContext, loop: LoopNode, name: string): boolean {
  let node: SyntaxNode = loop.node;
  while (node.id !== ctx.body.id && node.parent) {
    const parent: SyntaxNode = node.parent;
    if (parent.type === 'compound_statement') {
      const stmts = statementsOf(parent);
      const after = stmts.slice(stmts.findIndex((s) => s.id === node.id) + 1);
      if (flowOfSequence(after).exposed.has(name)) return true;
    } else if (LOOP_TYPES.has(parent.type)) {
      if (flowOf(parent).exposed.has(name)) return true;
    }
    node = parent;
  }
  return false;
}
