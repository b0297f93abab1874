// A small definite-assignment walk: which variables are read before being written
// (upward-exposed) along some path through a piece of code, and which are surely
// written by its end. It drives privatization: a scalar written in every iteration
// before it is read needs no value from other iterations.
import { operatorOf, statementsOf, stripParens, type SyntaxNode } from './ast.js';

export interface FlowResult {
  /** Variables read before any write on some path. */
  exposed: Set<string>;
  /** Variables surely written at the end. */
  defined: Set<string>;
}

export function flowOf(node: SyntaxNode, initiallyDefined: Iterable<string> = []): FlowResult {
  const exposed = new Set<string>();
  const defined = walkStatement(node, new Set(initiallyDefined), exposed);
  return { exposed, defined };
}

/** Flow over several statements in sequence. */
export function flowOfSequence(nodes: SyntaxNode[]): FlowResult {
  const exposed = new Set<string>();
  let defined = new Set<string>();
  for (const n of nodes) defined = walkStatement(n, defined, exposed);
  return { exposed, defined };
}

function walkStatement(node: SyntaxNode, defined: Set<string>, exposed: Set<string>): Set<string> {
  switch (node.type) {
    case 'compound_statement': {
      let d = defined;
      for (const s of statementsOf(node)) d = walkStatement(s, d, exposed);
      return d;
    }
    case 'declaration': {
      const d = new Set(defined);
      for (let i = 0; i < node.childCount; i++) {
        if (node.fieldNameForChild(i) !== 'declarator') continue;
        const decl = node.child(i)!;
        if (decl.type === 'init_declarator') {
          walkExpr(decl.childForFieldName('value')!, d, exposed);
          const name = declName(decl.childForFieldName('declarator'));
          if (name) d.add(name);
        }
      }
      return d;
    }
    case 'expression_statement':
    case 'return_statement': {
      const d = new Set(defined);
      for (let i = 0; i < node.namedChildCount; i++) walkExpr(node.namedChild(i)!, d, exposed);
      return d;
    }
    case 'if_statement': {
      const d = new Set(defined);
      walkExpr(node.childForFieldName('condition')!, d, exposed);
      const then = walkStatement(node.childForFieldName('consequence')!, new Set(d), exposed);
      const alt = node.childForFieldName('alternative');
      const otherwise = alt ? walkStatement(alt.type === 'else_clause' ? alt.namedChild(0)! : alt, new Set(d), exposed) : d;
      return new Set([...then].filter((v) => otherwise.has(v)));
    }
    case 'else_clause':
      return walkStatement(node.namedChild(0)!, defined, exposed);
    case 'for_statement': {
      let d = new Set(defined);
      const init = node.childForFieldName('initializer');
      if (init) d = init.type === 'declaration' ? walkStatement(init, d, exposed) : (walkExpr(init, d, exposed), d);
      const cond = node.childForFieldName('condition');
      if (cond) walkExpr(cond, d, exposed);
      const inBody = walkStatement(node.childForFieldName('body')!, new Set(d), exposed);
      const update = node.childForFieldName('update');
      if (update) walkExpr(update, inBody, exposed);
      if (cond) walkExpr(cond, inBody, exposed);
      return d;
    }
    case 'while_statement': {
      const d = new Set(defined);
      walkExpr(node.childForFieldName('condition')!, d, exposed);
      walkStatement(node.childForFieldName('body')!, new Set(d), exposed);
      return d;
    }
    case 'do_statement': {
      const d = walkStatement(node.childForFieldName('body')!, new Set(defined), exposed);
      walkExpr(node.childForFieldName('condition')!, d, exposed);
      return d;
    }
    case 'switch_statement': {
      const d = new Set(defined);
      walkExpr(node.childForFieldName('condition')!, d, exposed);
      walkStatement(node.childForFieldName('body')!, new Set(d), exposed);
      return d;
    }
    case 'case_statement': {
      let d = new Set(defined);
      for (let i = 0; i < node.namedChildCount; i++) {
        const c = node.namedChild(i)!;
        if (node.fieldNameForChild(i) === 'value') walkExpr(c, d, exposed);
        else d = walkStatement(c, d, exposed);
      }
      return d;
    }
    case 'comment':
    case 'break_statement':
    case 'continue_statement':
    case 'goto_statement':
    case 'preproc_call':
      return defined;
    case 'labeled_statement':
      return walkStatement(node.namedChild(node.namedChildCount - 1)!, defined, exposed);
    default: {
      const d = new Set(defined);
      walkExpr(node, d, exposed);
      return d;
    }
  }
}

function declName(d: SyntaxNode | null): string | undefined {
  let n = d;
  while (n && n.type !== 'identifier') n = n.childForFieldName('declarator');
  return n?.text;
}

/** Walks an expression in evaluation order, updating `defined` in place. */
function walkExpr(node: SyntaxNode, defined: Set<string>, exposed: Set<string>): void {
  const n = node;
  switch (n.type) {
    case 'identifier':
      if (!defined.has(n.text)) exposed.add(n.text);
      return;
    case 'assignment_expression': {
      const left = stripParens(n.childForFieldName('left')!);
      walkExpr(n.childForFieldName('right')!, defined, exposed);
      if (left.type === 'identifier') {
        if (operatorOf(n) !== '=' && !defined.has(left.text)) exposed.add(left.text);
        defined.add(left.text);
      } else walkExpr(left, defined, exposed);
      return;
    }
    case 'update_expression': {
      const arg = stripParens(n.childForFieldName('argument')!);
      if (arg.type === 'identifier') {
        if (!defined.has(arg.text)) exposed.add(arg.text);
        defined.add(arg.text);
      } else walkExpr(arg, defined, exposed);
      return;
    }
    case 'conditional_expression': {
      walkExpr(n.childForFieldName('condition')!, defined, exposed);
      walkExpr(n.childForFieldName('consequence')!, new Set(defined), exposed);
      walkExpr(n.childForFieldName('alternative')!, new Set(defined), exposed);
      return;
    }
    case 'binary_expression': {
      walkExpr(n.childForFieldName('left')!, defined, exposed);
      const op = operatorOf(n);
      walkExpr(n.childForFieldName('right')!, op === '&&' || op === '||' ? new Set(defined) : defined, exposed);
      return;
    }
    case 'call_expression': {
      const args = n.childForFieldName('arguments');
      if (args) walkExpr(args, defined, exposed);
      return;
    }
    case 'field_expression':
      walkExpr(n.childForFieldName('argument')!, defined, exposed);
      return;
    case 'sizeof_expression':
      return;
    default:
      for (let i = 0; i < n.namedChildCount; i++) walkExpr(n.namedChild(i)!, defined, exposed);
  }
}
