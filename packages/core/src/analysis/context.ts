// What the passes need to know about one kernel function: its declarations, where
// each variable is written, the macros and helper functions of its translation
// unit (from the kernel's closure), and which pointer bases may alias.
import { parse, type SyntaxNode } from '../kernel/parse.js';
import type { KernelUnit } from '../kernel/types.js';
import type { KernelSpec } from '../spec/types.js';
import { declaredName, descendants, stripParens } from './ast.js';

export interface VarInfo {
  name: string;
  kind: 'param' | 'local' | 'global';
  /** Type text as written before the declarator, e.g. 'const double'. */
  baseType: string;
  /** Number of `*` in the declarator. */
  pointerDepth: number;
  /** Number of `[..]` in the declarator. */
  arrayDims: number;
  restrict: boolean;
  decl: SyntaxNode;
  /** Initializer of a local, when it has one. */
  init?: SyntaxNode;
}

export interface WriteSite {
  node: SyntaxNode;
  kind: 'decl' | 'assign' | 'update' | 'address';
}

export interface MacroDef {
  name: string;
  /** Parameter names of a function-like macro; absent for object-like macros. */
  params?: string[];
  body: string;
}

export interface FunctionContext {
  name: string;
  /** The function_definition node (parsed from `text`). */
  fn: SyntaxNode;
  body: SyntaxNode;
  text: string;
  params: VarInfo[];
  /** Every declaration by name: params, locals (possibly several, in nested scopes) and globals. */
  vars: Map<string, VarInfo[]>;
  /** Write sites of each variable name inside the function. */
  writes: Map<string, WriteSite[]>;
  macros: Map<string, MacroDef>;
  /** Function definitions of the translation unit the kernel calls (its closure). */
  helpers: Map<string, SyntaxNode>;
  /** Pointer arguments are distinct objects (spec.noalias). */
  noalias: boolean;
  spec?: KernelSpec;
}

/** Builds the context from a kernel unit (closure supplies macros, globals and helpers). */
export function contextOf(unit: KernelUnit, spec?: KernelSpec): FunctionContext {
  return contextOfText(unit.sourceText, unit.name, unit.closure.map((c) => ({ kind: c.kind, text: c.text })), spec);
}

export function contextOfText(
  text: string,
  name: string,
  closure: { kind: string; text: string }[] = [],
  spec?: KernelSpec,
): FunctionContext {
  const root = parse(text, 'c').rootNode;
  const fn = [...descendants(root)].find(
    (n) => n.type === 'function_definition' && declaredName(n.childForFieldName('declarator')) === name,
  );
  if (!fn) throw new Error(`analysis: no definition of function ${name}`);
  const body = fn.childForFieldName('body')!;
  const vars = new Map<string, VarInfo[]>();
  const addVar = (v: VarInfo) => vars.set(v.name, [...(vars.get(v.name) ?? []), v]);

  const params: VarInfo[] = [];
  const plist = fn.childForFieldName('declarator')?.childForFieldName('parameters');
  for (let i = 0; plist && i < plist.namedChildCount; i++) {
    const p = plist.namedChild(i)!;
    if (p.type !== 'parameter_declaration') continue;
    const v = varInfoOf(p, p.childForFieldName('declarator'), 'param');
    if (v) {
      params.push(v);
      addVar(v);
    }
  }

  const macros = new Map<string, MacroDef>();
  const helpers = new Map<string, SyntaxNode>();
  for (const item of closure) {
    if (item.kind === 'macro') {
      const m = parseMacro(item.text);
      if (m) macros.set(m.name, m);
    } else if (item.kind === 'function' || item.kind === 'global') {
      const tu = parse(item.text, 'c').rootNode;
      for (const n of descendants(tu)) {
        if (n.type === 'function_definition') {
          const fname = declaredName(n.childForFieldName('declarator'));
          if (fname) helpers.set(fname, n);
        } else if (n.type === 'declaration' && n.parent?.id === tu.id) {
          for (const d of declaratorsOf(n)) {
            const v = varInfoOf(n, d, 'global');
            if (v) addVar(v);
          }
        }
      }
    }
  }

  const writes = new Map<string, WriteSite[]>();
  const addWrite = (name: string, site: WriteSite) => {
    writes.set(name, [...(writes.get(name) ?? []), site]);
  };
  for (const n of descendants(body)) {
    if (n.type === 'declaration') {
      for (const d of declaratorsOf(n)) {
        const v = varInfoOf(n, d, 'local');
        if (!v) continue;
        addVar(v);
        if (v.init) addWrite(v.name, { node: d, kind: 'decl' });
      }
    } else if (n.type === 'assignment_expression') {
      const left = stripParens(n.childForFieldName('left')!);
      if (left.type === 'identifier') addWrite(left.text, { node: n, kind: 'assign' });
    } else if (n.type === 'update_expression') {
      const arg = stripParens(n.childForFieldName('argument')!);
      if (arg.type === 'identifier') addWrite(arg.text, { node: n, kind: 'update' });
    } else if (n.type === 'pointer_expression' && n.childForFieldName('operator')?.text === '&') {
      const arg = stripParens(n.childForFieldName('argument')!);
      if (arg.type === 'identifier') addWrite(arg.text, { node: n, kind: 'address' });
    }
  }
  return { name, fn, body, text, params, vars, writes, macros, helpers, noalias: spec?.noalias === true, spec };
}

/** Declarators of a declaration node (one per declared name). */
export function declaratorsOf(decl: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  for (let i = 0; i < decl.childCount; i++) {
    if (decl.fieldNameForChild(i) === 'declarator') out.push(decl.child(i)!);
  }
  return out;
}

function varInfoOf(decl: SyntaxNode, declarator: SyntaxNode | null, kind: VarInfo['kind']): VarInfo | undefined {
  if (!declarator) return undefined;
  let pointerDepth = 0;
  let arrayDims = 0;
  let restrict = false;
  let init: SyntaxNode | undefined;
  let d: SyntaxNode | null = declarator;
  while (d && d.type !== 'identifier') {
    if (d.type === 'init_declarator') init = d.childForFieldName('value') ?? undefined;
    if (d.type === 'pointer_declarator') {
      pointerDepth++;
      for (let i = 0; i < d.namedChildCount; i++) if (/restrict/.test(d.namedChild(i)!.text) && d.namedChild(i)!.type === 'type_qualifier') restrict = true;
    }
    if (d.type === 'array_declarator') arrayDims++;
    if (d.type === 'function_declarator') return undefined;
    d = d.childForFieldName('declarator') ?? (d.type === 'parenthesized_declarator' ? d.namedChild(0) : null);
  }
  if (!d) return undefined;
  const typeNode = decl.childForFieldName('type');
  const qualifiers: string[] = [];
  for (let i = 0; i < decl.namedChildCount; i++) {
    const c = decl.namedChild(i)!;
    if (c.type === 'type_qualifier') qualifiers.push(c.text);
  }
  return {
    name: d.text,
    kind,
    baseType: [...qualifiers, typeNode?.text ?? 'int'].join(' '),
    pointerDepth,
    arrayDims,
    restrict,
    decl,
    init,
  };
}

function parseMacro(text: string): MacroDef | undefined {
  const m = /^#\s*define\s+([A-Za-z_]\w*)(\(([^)]*)\))?\s*([\s\S]*)$/.exec(text.trim());
  if (!m) return undefined;
  const params = m[2] !== undefined ? m[3]!.split(',').map((s) => s.trim()).filter((s) => s !== '') : undefined;
  return { name: m[1]!, params, body: m[4]!.replace(/\\\n/g, ' ').trim() };
}

/** The declaration of `name` visible at `at` (nearest enclosing scope), or a param/global. */
export function varAt(ctx: FunctionContext, name: string, at: SyntaxNode): VarInfo | undefined {
  const all = ctx.vars.get(name);
  if (!all) return undefined;
  let best: VarInfo | undefined;
  for (const v of all) {
    if (v.kind !== 'local') {
      if (!best) best = v;
      continue;
    }
    // A local is visible when its enclosing block contains `at` and it is declared before `at`.
    const scope = v.decl.parent?.type === 'for_statement' ? v.decl.parent : v.decl.parent;
    if (scope && at.startIndex >= v.decl.startIndex && at.endIndex <= scope.endIndex) {
      if (!best || best.kind !== 'local' || v.decl.startIndex > best.decl.startIndex) best = v;
    }
  }
  return best;
}

/** Is `name` a pointer or array (something subscripts index into)? */
export function isPointerLike(v: VarInfo | undefined): boolean {
  return v !== undefined && v.pointerDepth + v.arrayDims > 0;
}

const cacheExpanded = new Map<string, SyntaxNode | undefined>();

/**
 * Expands a use of a function-like macro (`IDX(i, j, n)`) into an expression node,
 * substituting the argument texts for the parameters. Undefined when `call` is not a macro use.
 */
export function expandMacroCall(ctx: FunctionContext, call: SyntaxNode): SyntaxNode | undefined {
  const fnode = call.childForFieldName('function');
  const macro = fnode?.type === 'identifier' ? ctx.macros.get(fnode.text) : undefined;
  if (!macro || !macro.params) return undefined;
  const argsNode = call.childForFieldName('arguments');
  const args: string[] = [];
  for (let i = 0; argsNode && i < argsNode.namedChildCount; i++) {
    const a = argsNode.namedChild(i)!;
    if (a.type !== 'comment') args.push(a.text);
  }
  if (args.length !== macro.params.length) return undefined;
  const byParam = new Map(macro.params.map((p, i) => [p, args[i]!]));
  const expanded = macro.body.replace(/[A-Za-z_]\w*/g, (tok) => (byParam.has(tok) ? `(${byParam.get(tok)})` : tok));
  return parseExpression(expanded);
}

/** Value of an object-like macro when it is an expression (e.g. `#define N 1024`). */
export function expandObjectMacro(ctx: FunctionContext, name: string): SyntaxNode | undefined {
  const macro = ctx.macros.get(name);
  if (!macro || macro.params || macro.body === '') return undefined;
  return parseExpression(macro.body);
}

function parseExpression(text: string): SyntaxNode | undefined {
  if (cacheExpanded.has(text)) return cacheExpanded.get(text);
  const root = parse(`void __autopar_m(void) { __autopar_v = (${text}); }`, 'c').rootNode;
  let found: SyntaxNode | undefined;
  for (const n of descendants(root)) {
    if (n.type === 'assignment_expression') {
      found = n.childForFieldName('right') ?? undefined;
      break;
    }
  }
  if (found && found.hasError) found = undefined;
  cacheExpanded.set(text, found);
  return found;
}

/** Names a macro use refers to from its body other than through its parameters (`#define AT(k) K[j * d + k]` names j and K, d). */
export function macroFreeNames(ctx: FunctionContext, call: SyntaxNode): Set<string> {
  const fnode = call.childForFieldName('function');
  const macro = fnode?.type === 'identifier' ? ctx.macros.get(fnode.text) : undefined;
  if (!macro) return new Set();
  const params = new Set(macro.params ?? []);
  return new Set([...macro.body.matchAll(/[A-Za-z_]\w*/g)].map((m) => m[0]).filter((t) => !params.has(t)));
}
