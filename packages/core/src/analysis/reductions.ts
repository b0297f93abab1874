// Recognizes reduction statements: updates of one target (a scalar, or one array
// element written as the same text) that combine it with a value not depending on it.
//   s += e;  s -= e;  s *= e;  s = s + e;  s = e * s;  s++;  s |= e; ...
//   m = fmax(m, e);  m = e > m ? e : m;  if (e > m) m = e;   (max; min likewise)
import { calleeName, callArguments, descendants, operatorOf, statementsOf, stripParens, type SyntaxNode } from './ast.js';
import { expandMacroCall, type FunctionContext } from './context.js';

export type ReductionOp = '+' | '*' | 'min' | 'max' | '&' | '|' | '^';

export interface ReductionStatement {
  op: ReductionOp;
  /** The statement node (expression statement or if statement). */
  statement: SyntaxNode;
  /** Text of the updated target (`s`, `h[idx[i]]`). */
  target: string;
  /** The target lvalue node. */
  lvalue: SyntaxNode;
}

const COMPOUND: Record<string, ReductionOp> = { '+=': '+', '-=': '+', '*=': '*', '&=': '&', '|=': '|', '^=': '^' };
const BINARY: Record<string, ReductionOp> = { '+': '+', '*': '*', '&': '&', '|': '|', '^': '^' };

/** The reduction a statement performs, if it has one of the recognized forms. */
export function reductionOf(ctx: FunctionContext, statement: SyntaxNode): ReductionStatement | undefined {
  if (statement.type === 'expression_statement') {
    const e = statement.namedChild(0);
    return e ? reductionOfExpr(ctx, stripParens(e), statement) : undefined;
  }
  if (statement.type === 'if_statement' && !statement.childForFieldName('alternative')) {
    // if (e > m) m = e;
    const body = statementsOf(statement.childForFieldName('consequence')!);
    if (body.length !== 1 || body[0]!.type !== 'expression_statement') return undefined;
    const asg = stripParens(body[0]!.namedChild(0)!);
    if (asg.type !== 'assignment_expression' || operatorOf(asg) !== '=') return undefined;
    const lv = stripParens(asg.childForFieldName('left')!);
    const value = stripParens(asg.childForFieldName('right')!).text;
    const cond = stripParens(statement.childForFieldName('condition')!);
    const op = minMaxOfComparison(cond, lv.text, value);
    if (!op || mentions(asg.childForFieldName('right')!, lv.text)) return undefined;
    return { op, statement, target: lv.text, lvalue: lv };
  }
  return undefined;
}

function reductionOfExpr(ctx: FunctionContext, e: SyntaxNode, statement: SyntaxNode): ReductionStatement | undefined {
  if (e.type === 'update_expression') {
    const lv = stripParens(e.childForFieldName('argument')!);
    return { op: '+', statement, target: lv.text, lvalue: lv };
  }
  if (e.type !== 'assignment_expression') return undefined;
  const lv = stripParens(e.childForFieldName('left')!);
  const target = lv.text;
  const rhs = stripParens(e.childForFieldName('right')!);
  const op = operatorOf(e);
  if (COMPOUND[op]) return mentions(rhs, target) ? undefined : { op: COMPOUND[op]!, statement, target, lvalue: lv };
  if (op !== '=') return undefined;
  // s = s + e / s = e + s / s = s - e
  if (rhs.type === 'binary_expression') {
    const bop = operatorOf(rhs);
    const l = rhs.childForFieldName('left')!;
    const r = rhs.childForFieldName('right')!;
    const ops: ReductionOp | undefined = bop === '-' ? '+' : BINARY[bop];
    if (!ops) return undefined;
    if (stripParens(l).text === target && !mentions(r, target)) return { op: ops, statement, target, lvalue: lv };
    if (bop !== '-' && stripParens(r).text === target && !mentions(l, target)) return { op: ops, statement, target, lvalue: lv };
    return undefined;
  }
  // m = fmax(m, e) / MAX(m, e)
  if (rhs.type === 'call_expression') {
    const name = calleeName(rhs) ?? '';
    const args = callArguments(rhs);
    const m = /^(f?max[fl]?|MAX|max)$/.test(name) ? 'max' : /^(f?min[fl]?|MIN|min)$/.test(name) ? 'min' : undefined;
    if (m && args.length === 2) {
      const [x, y] = args.map((a) => stripParens(a));
      const other = x!.text === target ? y! : y!.text === target ? x! : undefined;
      if (other && !mentions(other, target)) return { op: m, statement, target, lvalue: lv };
    }
    const expanded = expandMacroCall(ctx, rhs);
    if (expanded) return conditionalMinMax(stripParens(expanded), target, statement, lv);
    return undefined;
  }
  if (rhs.type === 'conditional_expression') return conditionalMinMax(rhs, target, statement, lv);
  return undefined;
}

/** m = (a > b) ? a : b with {a, b} = {m, e}. */
function conditionalMinMax(rhs: SyntaxNode, target: string, statement: SyntaxNode, lv: SyntaxNode): ReductionStatement | undefined {
  if (rhs.type !== 'conditional_expression') return undefined;
  const cond = stripParens(rhs.childForFieldName('condition')!);
  if (cond.type !== 'binary_expression') return undefined;
  const t = stripParens(rhs.childForFieldName('consequence')!).text;
  const f = stripParens(rhs.childForFieldName('alternative')!).text;
  const l = stripParens(cond.childForFieldName('left')!).text;
  const r = stripParens(cond.childForFieldName('right')!).text;
  if (!((l === target && r !== target) || (r === target && l !== target))) return undefined;
  if (!((t === l && f === r) || (t === r && f === l))) return undefined;
  const other = l === target ? r : l;
  if (new RegExp(`\\b${escape(target)}\\b`).test(other)) return undefined;
  const op = operatorOf(cond);
  const greater = op === '>' || op === '>=';
  const less = op === '<' || op === '<=';
  if (!greater && !less) return undefined;
  // (l > r ? l : r) is max; (l > r ? r : l) is min; (l < r ? l : r) is min; (l < r ? r : l) is max.
  const pickLeft = t === l;
  const op2: ReductionOp = greater === pickLeft ? 'max' : 'min';
  return { op: op2, statement, target, lvalue: lv };
}

/** if (a OP b) target = value; as max/min. */
function minMaxOfComparison(cond: SyntaxNode, target: string, value: string): ReductionOp | undefined {
  if (cond.type !== 'binary_expression') return undefined;
  const l = stripParens(cond.childForFieldName('left')!).text;
  const r = stripParens(cond.childForFieldName('right')!).text;
  const op = operatorOf(cond);
  const greater = op === '>' || op === '>=';
  const less = op === '<' || op === '<=';
  if (!greater && !less) return undefined;
  if (l === value && r === target) return greater ? 'max' : 'min'; // if (e > m) m = e
  if (l === target && r === value) return less ? 'max' : 'min'; // if (m < e) m = e
  return undefined;
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Does the expression mention the target (as an identifier, or the same lvalue text)? */
export function mentions(node: SyntaxNode, target: string): boolean {
  for (const d of descendants(node)) if (d.text === target && (d.type === 'identifier' || !/^\w+$/.test(target))) return true;
  return false;
}
