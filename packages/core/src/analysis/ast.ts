// Small helpers over tree-sitter C nodes, shared by the analysis passes.
import type { SyntaxNode } from '../kernel/parse.js';

export type { SyntaxNode };

/** 1-based line of a node within the text it was parsed from. */
export function lineOf(node: SyntaxNode): number {
  return node.startPosition.row + 1;
}

/** Drops redundant parentheses and casts: `((size_t)(i))` reads as `i` for subscript purposes. */
export function stripParensAndCasts(node: SyntaxNode): SyntaxNode {
  let n = node;
  for (;;) {
    if (n.type === 'parenthesized_expression' && n.namedChildCount === 1) n = n.namedChild(0)!;
    else if (n.type === 'cast_expression' && n.childForFieldName('value')) n = n.childForFieldName('value')!;
    else return n;
  }
}

export function stripParens(node: SyntaxNode): SyntaxNode {
  let n = node;
  while (n.type === 'parenthesized_expression' && n.namedChildCount === 1) n = n.namedChild(0)!;
  return n;
}

/** Every descendant (and the node itself), pre-order. */
export function* descendants(node: SyntaxNode): Generator<SyntaxNode> {
  yield node;
  for (let i = 0; i < node.namedChildCount; i++) yield* descendants(node.namedChild(i)!);
}

export function isInside(node: SyntaxNode, container: SyntaxNode): boolean {
  return node.startIndex >= container.startIndex && node.endIndex <= container.endIndex;
}

export const LOOP_TYPES = new Set(['for_statement', 'while_statement', 'do_statement']);

/** The operator token of a binary/assignment/update/unary expression. */
export function operatorOf(node: SyntaxNode): string {
  const op = node.childForFieldName('operator');
  if (op) return op.text;
  // update_expression puts the operator before or after the argument without a field in some grammars.
  for (let i = 0; i < node.childCount; i++) {
    const c = node.child(i)!;
    if (!c.isNamed) return c.text;
  }
  return '';
}

/** Name of the declared identifier inside a declarator (`*p`, `a[n]`, `x = 3`, `(*f)(int)`). */
export function declaredName(declarator: SyntaxNode | null): string | undefined {
  let d = declarator;
  while (d) {
    if (d.type === 'identifier') return d.text;
    d = d.childForFieldName('declarator') ?? (d.type === 'parenthesized_declarator' ? d.namedChild(0) : null);
  }
  return undefined;
}

/** The function name of a call, when it is a plain identifier. */
export function calleeName(call: SyntaxNode): string | undefined {
  const f = call.childForFieldName('function');
  return f && f.type === 'identifier' ? f.text : undefined;
}

export function callArguments(call: SyntaxNode): SyntaxNode[] {
  const args = call.childForFieldName('arguments');
  if (!args) return [];
  const out: SyntaxNode[] = [];
  for (let i = 0; i < args.namedChildCount; i++) {
    const a = args.namedChild(i)!;
    if (a.type !== 'comment') out.push(a);
  }
  return out;
}

/** Statements of a compound statement, or the single statement itself. */
export function statementsOf(node: SyntaxNode): SyntaxNode[] {
  if (node.type !== 'compound_statement') return [node];
  const out: SyntaxNode[] = [];
  for (let i = 0; i < node.namedChildCount; i++) {
    const c = node.namedChild(i)!;
    if (c.type !== 'comment') out.push(c);
  }
  return out;
}
