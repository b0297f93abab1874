// Kernel extraction: finds kernel function definitions in a translation unit with
// tree-sitter and computes what each one uses from that unit (its closure).
//
// Byte offsets: node-tree-sitter reports indices into the JS string it was given
// (UTF-16 code units). `KernelUnit.range` is in UTF-8 bytes of the file, which is
// what splice.ts and any byte-level tool needs; `byteOffset()` converts.
import { languageOf, parse, type Language, type SyntaxNode } from './parse.js';
import { identifiersIn, normalizeTokens } from './tokens.js';
import type { ClosureItem, KernelUnit, Param, Signature } from './types.js';

export { normalizeTokens } from './tokens.js';

/** One top-level definition of the translation unit that a kernel may depend on. */
interface Definition {
  kind: ClosureItem['kind'];
  /** Names it introduces (a typedef of a tagged struct introduces two; an enum its constants). */
  names: string[];
  node: SyntaxNode;
  normalizedText: string;
  /** Identifiers its text mentions, minus its own names: what it depends on in turn. */
  uses: Set<string>;
}

interface FunctionDefinition {
  name: string;
  isStatic: boolean;
  /** The `function_definition` node (or the `template_declaration` around it). */
  outer: SyntaxNode;
  fn: SyntaxNode;
}

// Specifiers that say how a function is compiled or linked, not what it returns.
const NON_TYPE_SPECIFIERS = new Set([
  'static', 'extern', 'inline', '__inline', '__inline__', '_Noreturn',
  '__global__', '__device__', '__host__', '__forceinline__', '__noinline__',
]);

// Nodes whose children are top-level declarations too.
const CONTAINER_TYPES = new Set([
  'preproc_if', 'preproc_ifdef', 'preproc_else', 'preproc_elif', 'preproc_elifdef',
  'linkage_specification', 'declaration_list',
]);

/**
 * Extracts the named kernels (or every non-static function definition when `names`
 * is omitted) from one translation unit. `.cu`/`.cuh` paths are parsed as CUDA.
 * Throws when a requested name has no definition, naming the file and the functions found.
 */
export function extractKernels(sourceText: string, path: string, names?: string[]): KernelUnit[] {
  const language = languageOf(path);
  const root = parse(sourceText, language).rootNode;
  const topLevel = topLevelNodes(root);
  const functions = topLevel.map(functionDefinitionOf).filter((f): f is FunctionDefinition => f !== undefined);
  const definitions = topLevel.flatMap((node) => definitionsOf(node, language));

  const chosen = names === undefined ? functions.filter((f) => !f.isStatic) : names.map((name) => findFunction(functions, name, path));
  return chosen.map((f) => kernelUnit(f, sourceText, language, definitions));
}

function findFunction(functions: FunctionDefinition[], name: string, path: string): FunctionDefinition {
  const found = functions.find((f) => f.name === name);
  if (found) return found;
  const available = functions.length ? functions.map((f) => f.name).join(', ') : '(none)';
  throw new Error(`extractKernels: kernel "${name}" is not defined in ${path}; functions defined there: ${available}`);
}

function kernelUnit(f: FunctionDefinition, sourceText: string, language: Language, definitions: Definition[]): KernelUnit {
  const text = f.outer.text;
  const normalizedText = normalizeTokens(text, language);
  return {
    name: f.name,
    language,
    signature: signatureOf(f, language),
    normalizedText,
    closure: closureOf(f, normalizedText, definitions, language),
    range: { start: byteOffset(sourceText, f.outer.startIndex), end: byteOffset(sourceText, f.outer.endIndex) },
    sourceText: text,
  };
}

/** UTF-8 byte offset of a JS string index. */
function byteOffset(text: string, index: number): number {
  return Buffer.byteLength(text.slice(0, index), 'utf8');
}

// ---------------------------------------------------------------------------
// Top-level structure

function topLevelNodes(root: SyntaxNode): SyntaxNode[] {
  const nodes: SyntaxNode[] = [];
  const visit = (node: SyntaxNode) => {
    for (const child of node.namedChildren) {
      if (CONTAINER_TYPES.has(child.type)) visit(child);
      else nodes.push(child);
    }
  };
  visit(root);
  return nodes;
}

function functionDefinitionOf(node: SyntaxNode): FunctionDefinition | undefined {
  const fn = node.type === 'template_declaration' ? node.namedChildren.find((c) => c.type === 'function_definition') : node;
  if (fn?.type !== 'function_definition') return undefined;
  const name = declaredName(fn.childForFieldName('declarator'));
  if (!name) return undefined;
  const isStatic = fn.namedChildren.some((c) => c.type === 'storage_class_specifier' && c.text === 'static');
  return { name, isStatic, outer: node, fn };
}

/** The identifier a declarator declares: `*a`, `a[n]`, `(*fp)(int)`, `f(void)` → a, a, fp, f. */
function declaredName(declarator: SyntaxNode | null | undefined): string | undefined {
  let node = declarator;
  while (node) {
    if (node.type === 'identifier' || node.type === 'type_identifier' || node.type === 'field_identifier') return node.text;
    if (node.type === 'qualified_identifier') return node.text;
    node = node.childForFieldName('declarator') ?? node.namedChildren.find((c) => c.type.endsWith('declarator') || c.type === 'identifier');
  }
  return undefined;
}

function declaredNameNode(declarator: SyntaxNode | null | undefined): SyntaxNode | undefined {
  let node = declarator;
  while (node) {
    if (node.type === 'identifier' || node.type === 'type_identifier' || node.type === 'field_identifier') return node;
    node = node.childForFieldName('declarator') ?? undefined;
  }
  return undefined;
}

// ---------------------------------------------------------------------------
// Definitions of the translation unit

function definitionsOf(node: SyntaxNode, language: Language): Definition[] {
  const make = (kind: ClosureItem['kind'], names: string[]): Definition[] => {
    if (names.length === 0) return [];
    const normalizedText = normalizeTokens(node.text, language);
    const uses = identifiersIn(normalizedText, language);
    for (const n of names) uses.delete(n);
    return [{ kind, names, node, normalizedText, uses }];
  };

  switch (node.type) {
    case 'preproc_include':
      return make('include', [(node.childForFieldName('path')?.text ?? node.text).trim()]);
    case 'preproc_def':
    case 'preproc_function_def':
      return make('macro', [node.childForFieldName('name')?.text ?? '']).filter((d) => d.names[0] !== '');
    case 'type_definition': {
      const typedefNames = node.childrenForFieldName('declarator').map(declaredName).filter(isString);
      return make('type', [...typedefNames, ...tagNames(node.childForFieldName('type'))]);
    }
    case 'struct_specifier':
    case 'union_specifier':
    case 'enum_specifier':
      return make('type', tagNames(node));
    case 'declaration': {
      const type = node.childForFieldName('type');
      const variables = node
        .childrenForFieldName('declarator')
        .filter((d) => !isFunctionPrototype(d))
        .map(declaredName)
        .filter(isString);
      // `struct S {...} s;` defines a type and a variable: one item, kind by what matters more.
      const tags = tagNames(type);
      if (variables.length) return make('global', [...variables, ...tags]);
      return make('type', tags);
    }
    case 'function_definition':
    case 'template_declaration': {
      const f = functionDefinitionOf(node);
      return f ? make('function', [f.name]) : [];
    }
    default:
      return [];
  }
}

/** Tag and enumerator names defined by a struct/union/enum specifier with a body (a mere `struct S` defines nothing). */
function tagNames(specifier: SyntaxNode | null): string[] {
  if (!specifier || !/^(struct|union|enum)_specifier$/.test(specifier.type)) return [];
  const body = specifier.childForFieldName('body');
  if (!body) return [];
  const names: string[] = [];
  const tag = specifier.childForFieldName('name');
  if (tag) names.push(tag.text);
  if (specifier.type === 'enum_specifier') {
    for (const e of body.namedChildren) if (e.type === 'enumerator') names.push(e.childForFieldName('name')!.text);
  }
  return names;
}

/** `int f(int);` declares a function defined elsewhere, not a variable. */
function isFunctionPrototype(declarator: SyntaxNode): boolean {
  let node: SyntaxNode | null = declarator;
  while (node) {
    if (node.type === 'function_declarator') return true;
    if (node.type === 'init_declarator') return false;
    node = node.childForFieldName('declarator');
  }
  return false;
}

function isString(x: string | undefined): x is string {
  return typeof x === 'string' && x !== '';
}

// ---------------------------------------------------------------------------
// Closure

/**
 * Everything the kernel uses from its TU, transitively: every `#include` of the file
 * (what a header provides cannot be told apart without preprocessing), plus each
 * macro, type, function and global whose name the kernel — or something already in
 * the closure — mentions. Sorted by (kind, name, text).
 */
function closureOf(kernel: FunctionDefinition, kernelText: string, definitions: Definition[], language: Language): ClosureItem[] {
  const byName = new Map<string, Definition[]>();
  for (const d of definitions) {
    for (const n of d.names) byName.set(n, [...(byName.get(n) ?? []), d]);
  }

  const included = new Set<Definition>(definitions.filter((d) => d.kind === 'include'));
  const pending = [...identifiersIn(kernelText, language)];
  const seenNames = new Set<string>([kernel.name]);
  while (pending.length) {
    const name = pending.pop()!;
    if (seenNames.has(name)) continue;
    seenNames.add(name);
    for (const d of byName.get(name) ?? []) {
      if (included.has(d) || d.node.id === kernel.outer.id) continue;
      included.add(d);
      pending.push(...d.uses);
    }
  }

  return [...included]
    .map((d) => ({ kind: d.kind, name: d.names.join(','), text: d.normalizedText }))
    .sort((a, b) => compare(a.kind, b.kind) || compare(a.name, b.name) || compare(a.text, b.text));
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

// ---------------------------------------------------------------------------
// Signature

function signatureOf(f: FunctionDefinition, language: Language): Signature {
  const body = f.fn.childForFieldName('body')!;
  const headerText = f.outer.text.slice(0, body.startIndex - f.outer.startIndex);
  const functionDeclarator = findFunctionDeclarator(f.fn.childForFieldName('declarator'));
  return {
    returnType: returnTypeOf(f.fn, functionDeclarator, language),
    params: functionDeclarator ? paramsOf(functionDeclarator, language) : [],
    text: normalizeTokens(headerText, language),
  };
}

function findFunctionDeclarator(declarator: SyntaxNode | null): SyntaxNode | undefined {
  let node = declarator;
  while (node) {
    if (node.type === 'function_declarator') return node;
    node = node.childForFieldName('declarator');
  }
  return undefined;
}

/** Specifiers before the declarator (minus storage class, inline, CUDA space qualifiers) plus pointer stars. */
function returnTypeOf(fn: SyntaxNode, functionDeclarator: SyntaxNode | undefined, language: Language): string {
  const declarator = fn.childForFieldName('declarator');
  const parts: string[] = [];
  for (const child of fn.children) {
    if (declarator && child.startIndex >= declarator.startIndex) break;
    if (NON_TYPE_SPECIFIERS.has(child.text)) continue;
    parts.push(child.text);
  }
  if (declarator && functionDeclarator) {
    // `double *f(...)`: the stars belong to the return type.
    parts.push(fn.text.slice(declarator.startIndex - fn.startIndex, functionDeclarator.startIndex - fn.startIndex));
  }
  return normalizeTokens(parts.join(' '), language);
}

function paramsOf(functionDeclarator: SyntaxNode, language: Language): Param[] {
  const list = functionDeclarator.childForFieldName('parameters');
  if (!list) return [];
  const params: Param[] = [];
  for (const p of list.namedChildren) {
    if (p.type === 'comment') continue;
    if (p.type === 'variadic_parameter') {
      params.push({ name: '...', type: '...' });
      continue;
    }
    const nameNode = declaredNameNode(p.childForFieldName('declarator'));
    // The type is the parameter's text without its name: `const double *restrict a` → `const double * restrict`.
    const typeText = nameNode
      ? p.text.slice(0, nameNode.startIndex - p.startIndex) + ' ' + p.text.slice(nameNode.endIndex - p.startIndex)
      : p.text;
    params.push({ name: nameNode?.text ?? '', type: normalizeTokens(typeText, language) });
  }
  // `f(void)` takes no parameters.
  if (params.length === 1 && params[0]!.name === '' && params[0]!.type === 'void') return [];
  return params;
}
