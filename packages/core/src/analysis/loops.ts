// The loop model: every for/while/do loop of the kernel, numbered by nesting
// position (L1, L1.1, L1.2, L2, ...), and for `for` loops whether they are in the
// canonical form OpenMP accepts (and our dependence test understands):
//   init  `int i = lb` or `i = lb`;  cond `i < ub` / `<=` / `>` / `>=` (either side);
//   incr  `i++`, `++i`, `i--`, `--i`, `i += c`, `i -= c`, `i = i + c`;
//   no break/goto/return leaving the loop; the index is not assigned in the body;
//   the bound and step do not change inside the loop.
import { descendants, isInside, lineOf, LOOP_TYPES, operatorOf, statementsOf, stripParens, type SyntaxNode } from './ast.js';
import type { FunctionContext } from './context.js';
import type { Poly } from './poly.js';

export interface LoopNode {
  id: string;
  node: SyntaxNode;
  kind: 'for' | 'while' | 'do';
  line: number;
  parent?: LoopNode;
  children: LoopNode[];
  /** 0 for loops not nested in another loop. */
  depth: number;
  body: SyntaxNode;
  canonical: boolean;
  /**
   * The header is canonical (index, bound and step as OpenMP needs them) though the body
   * may leave early: every thread of a hoisted region can run the loop when all take each
   * exit alike (legality's hoist-parallel-region checks that).
   */
  canonicalHeader?: boolean;
  /** Why the loop is not canonical (for the explanation). */
  notCanonical?: string;
  index?: string;
  /** The index is declared in the for-init (`for (int i = ...`). */
  declaresIndex: boolean;
  lowerText?: string;
  upperText?: string;
  cmp?: '<' | '<=' | '>' | '>=';
  /** Constant step (negative for decreasing loops); undefined when the step is a loop-invariant expression. */
  step?: number;
  stepText?: string;
  /** +1 increasing, -1 decreasing. */
  stepSign?: number;
  /** Range of the index: lo <= i <= hi (hi may be a min of several expressions). Filled by the affine pass. */
  lo?: Poly;
  hi?: Poly[];
  tripCount?: string;
}

/** Builds the loop tree of the function body. */
export function buildLoops(ctx: FunctionContext): LoopNode[] {
  const all: LoopNode[] = [];
  const visit = (node: SyntaxNode, parent: LoopNode | undefined, siblings: LoopNode[]) => {
    if (LOOP_TYPES.has(node.type)) {
      const id = parent ? `${parent.id}.${siblings.length + 1}` : `L${siblings.length + 1}`;
      const loop = loopNodeOf(ctx, node, id, parent);
      siblings.push(loop);
      all.push(loop);
      visit(loop.body, loop, loop.children);
      return;
    }
    for (let i = 0; i < node.namedChildCount; i++) visit(node.namedChild(i)!, parent, siblings);
  };
  const top: LoopNode[] = [];
  for (let i = 0; i < ctx.body.namedChildCount; i++) visit(ctx.body.namedChild(i)!, undefined, top);
  return all;
}

function loopNodeOf(ctx: FunctionContext, node: SyntaxNode, id: string, parent: LoopNode | undefined): LoopNode {
  const kind = node.type === 'for_statement' ? 'for' : node.type === 'while_statement' ? 'while' : 'do';
  const body = node.childForFieldName('body')!;
  const loop: LoopNode = {
    id,
    node,
    kind,
    line: lineOf(node),
    parent,
    children: [],
    depth: parent ? parent.depth + 1 : 0,
    body,
    canonical: false,
    declaresIndex: false,
  };
  if (kind !== 'for') {
    loop.notCanonical = `${kind} loop (trip count not known on entry)`;
    return loop;
  }
  const problem = canonicalForm(ctx, loop);
  if (problem) loop.notCanonical = problem;
  else loop.canonical = true;
  return loop;
}

/** Fills the header fields of a for loop; returns why it is not canonical, or undefined. */
function canonicalForm(ctx: FunctionContext, loop: LoopNode): string | undefined {
  const n = loop.node;
  const init = n.childForFieldName('initializer');
  const cond = n.childForFieldName('condition');
  const update = n.childForFieldName('update');
  if (!init || !cond || !update) return 'for loop without init, condition or increment';

  // init
  let index: string | undefined;
  if (init.type === 'declaration') {
    const decls = [];
    for (let i = 0; i < init.childCount; i++) if (init.fieldNameForChild(i) === 'declarator') decls.push(init.child(i)!);
    const d = decls[0];
    if (decls.length !== 1 || d?.type !== 'init_declarator') return 'for-init is not a single `int i = lb`';
    const name = d.childForFieldName('declarator');
    if (name?.type !== 'identifier') return 'for-init is not a single `int i = lb`';
    index = name.text;
    loop.lowerText = d.childForFieldName('value')!.text;
    loop.declaresIndex = true;
  } else {
    const e = stripParens(init);
    if (e.type !== 'assignment_expression' || operatorOf(e) !== '=' || stripParens(e.childForFieldName('left')!).type !== 'identifier') {
      return 'for-init is not `i = lb`';
    }
    index = stripParens(e.childForFieldName('left')!).text;
    loop.lowerText = e.childForFieldName('right')!.text;
  }
  loop.index = index;

  // condition: i OP ub, or ub OP i (flipped)
  const c = stripParens(cond);
  if (c.type !== 'binary_expression') return `loop condition \`${cond.text}\` is not a comparison of ${index}`;
  let op = operatorOf(c);
  let left = stripParens(c.childForFieldName('left')!);
  let right = c.childForFieldName('right')!;
  if (!(left.type === 'identifier' && left.text === index)) {
    const r = stripParens(right);
    if (r.type === 'identifier' && r.text === index) {
      right = c.childForFieldName('left')!;
      left = r;
      op = ({ '<': '>', '<=': '>=', '>': '<', '>=': '<=' } as Record<string, string>)[op] ?? op;
    } else return `loop condition \`${cond.text}\` does not compare the index ${index}`;
  }
  if (!['<', '<=', '>', '>='].includes(op)) return `loop condition uses \`${op}\` (only < <= > >= are canonical)`;
  loop.cmp = op as LoopNode['cmp'];
  loop.upperText = right.text;

  // increment
  const u = stripParens(update);
  let stepSign = 0;
  if (u.type === 'update_expression' && stripParens(u.childForFieldName('argument')!).text === index) {
    stepSign = u.text.includes('++') ? 1 : -1;
    loop.step = stepSign;
    loop.stepText = '1';
  } else if (u.type === 'assignment_expression' && stripParens(u.childForFieldName('left')!).text === index) {
    const uop = operatorOf(u);
    const rhs = u.childForFieldName('right')!;
    let stepNode: SyntaxNode | undefined;
    let sign = 1;
    if (uop === '+=' || uop === '-=') {
      stepNode = rhs;
      sign = uop === '+=' ? 1 : -1;
    } else if (uop === '=') {
      const r = stripParens(rhs);
      if (r.type === 'binary_expression' && ['+', '-'].includes(operatorOf(r)) && stripParens(r.childForFieldName('left')!).text === index) {
        stepNode = r.childForFieldName('right')!;
        sign = operatorOf(r) === '+' ? 1 : -1;
      }
    }
    if (!stepNode) return `loop increment \`${update.text}\` is not i++/i--/i += c`;
    loop.stepText = stepNode.text;
    const k = /^\d+$/.test(stepNode.text.trim()) ? Number(stepNode.text.trim()) : undefined;
    if (k === 0) return 'loop step is 0';
    if (k !== undefined) loop.step = sign * k;
    else if (!invariantIn(ctx, stepNode, loop)) return `loop step \`${stepNode.text}\` changes inside the loop`;
    stepSign = sign;
  } else return `loop increment \`${update.text}\` is not i++/i--/i += c`;
  loop.stepSign = stepSign;
  if ((stepSign > 0) !== (op === '<' || op === '<=')) return `loop direction (${update.text}) does not match its condition (${cond.text})`;

  // body: the index must not be assigned, the bound must not change, control must not leave early.
  for (const w of ctx.writes.get(index) ?? []) {
    if (isInside(w.node, loop.body)) return `index ${index} is assigned inside the loop body (line ${lineOf(w.node)})`;
  }
  if (!invariantIn(ctx, right, loop)) return `loop bound \`${right.text}\` may change inside the loop`;
  loop.canonicalHeader = true;
  const exit = earlyExit(loop.body);
  if (exit) return exit;
  return undefined;
}

/** No identifier of `expr` is written inside the loop, and it reads no memory the loop writes. */
export function invariantIn(ctx: FunctionContext, expr: SyntaxNode, loop: LoopNode): boolean {
  for (const n of descendants(expr)) {
    if (n.type === 'identifier') {
      for (const w of ctx.writes.get(n.text) ?? []) if (isInside(w.node, loop.node) && !isInside(w.node, expr)) return false;
    }
    if (n.type === 'call_expression' && !ctx.macros.has(n.childForFieldName('function')?.text ?? '')) return false;
    if (n.type === 'subscript_expression' || n.type === 'pointer_expression' || n.type === 'field_expression') {
      // Memory read in a bound: invariant only when the loop writes no memory at all.
      if (writesMemory(loop.body)) return false;
    }
  }
  return true;
}

function writesMemory(body: SyntaxNode): boolean {
  for (const n of descendants(body)) {
    if (n.type === 'assignment_expression') {
      const l = stripParens(n.childForFieldName('left')!);
      if (l.type !== 'identifier') return true;
    }
    if (n.type === 'update_expression') {
      const a = stripParens(n.childForFieldName('argument')!);
      if (a.type !== 'identifier') return true;
    }
    if (n.type === 'call_expression') return true;
  }
  return false;
}

/**
 * What leaves `node` early: a break or continue that is not inside a loop (break: nor a switch)
 * within it, and any return or goto, in source order.
 */
export function escapesOf(node: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  const walk = (n: SyntaxNode, inLoop: boolean, inSwitch: boolean) => {
    if (n.type === 'return_statement' || n.type === 'goto_statement') out.push(n);
    else if (n.type === 'break_statement' && !inLoop && !inSwitch) out.push(n);
    else if (n.type === 'continue_statement' && !inLoop) out.push(n);
    for (let i = 0; i < n.namedChildCount; i++) walk(n.namedChild(i)!, inLoop || LOOP_TYPES.has(n.type), inSwitch || n.type === 'switch_statement');
  };
  walk(node, false, false);
  return out;
}

/** A break/goto/return that leaves the loop body, described; undefined when none (a continue stays in the loop). */
function earlyExit(body: SyntaxNode): string | undefined {
  const n = escapesOf(body).find((e) => e.type !== 'continue_statement');
  if (!n) return undefined;
  if (n.type === 'break_statement') return `break at line ${lineOf(n)} (loop is not canonical)`;
  if (n.type === 'return_statement') return `return at line ${lineOf(n)} leaves the loop`;
  return `goto at line ${lineOf(n)}`;
}

/** The loop enclosing `node` most closely (its body or header), if any. */
export function innermostLoopOf(loops: LoopNode[], node: SyntaxNode): LoopNode | undefined {
  let best: LoopNode | undefined;
  for (const l of loops) if (isInside(node, l.node) && (!best || l.depth > best.depth)) best = l;
  return best;
}

/** Enclosing loops of `node`, outermost first. */
export function loopChainOf(loops: LoopNode[], node: SyntaxNode): LoopNode[] {
  const inner = innermostLoopOf(loops, node);
  const chain: LoopNode[] = [];
  for (let l = inner; l; l = l.parent) chain.unshift(l);
  return chain;
}

/** The only statement of a loop body when it is a single loop (perfect nesting), else undefined. */
export function perfectChild(loop: LoopNode): LoopNode | undefined {
  const stmts = statementsOf(loop.body).filter((s) => s.type !== 'comment');
  if (stmts.length !== 1) return undefined;
  // By id: tree-sitter may hand out a new object for a node whose old one was collected.
  return loop.children.find((c) => c.node.id === stmts[0]!.id);
}

/** Whether `l` is nested (at any depth) inside `ancestor`. */
export function isDescendant(l: LoopNode, ancestor: LoopNode): boolean {
  for (let p = l.parent; p; p = p.parent) if (p === ancestor) return true;
  return false;
}
