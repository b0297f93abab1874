// Splits one C translation unit in two, so that a kernel can be compiled on its own
// with another compiler and other flags (a compiler recipe, e.g. clang-19 + Polly)
// while the rest of its file is compiled as before; the two objects link into the
// same program.
//
// - kernelTu: the file's top-level items in source order (order matters in C),
//   reduced to what a second translation unit may hold without changing the
//   program: preprocessor lines, types and declarations as they are; the kernel;
//   copies of the static functions and read-only static tables it uses (stateless,
//   so two copies behave as one); every other function as a prototype and every
//   non-static global as an `extern` declaration (their one definition stays in
//   the rest); `main` and unused file-static things left out.
// - restTu: the file with the kernel's definition replaced by its prototype.
//
// What cannot be split without changing the program is refused with an OwnTuError
// instead of guessed: mutable file-static state the kernel uses (two copies would
// diverge), definitions inside #if blocks, static or inline kernels, CUDA files.
//
// Uses are found by name (like the closure in extract.ts), without scopes: a local
// variable that shadows a file-static one is taken for a use. That errs towards
// refusing, never towards a wrong program.
import { basename } from 'node:path';
import { extractKernels } from './extract.js';
import { languageOf, parse, type SyntaxNode } from './parse.js';
import { identifiersIn } from './tokens.js';
import type { KernelUnit } from './types.js';

export interface OwnTranslationUnits {
  /** Compiled with the recipe: everything the kernel needs from its file, plus the kernel (functionText if given, else the original definition). */
  kernelTu: string;
  /** Compiled as before: the original file with the kernel's definition replaced by a declaration (prototype ending in ';'). Everything else byte-for-byte unchanged. */
  restTu: string;
}

/** Why the kernel cannot move to a translation unit of its own; the message names the file, the kernel and the thing in the way, and says what to do. */
export class OwnTuError extends Error {
  override name = 'OwnTuError';
}

const LEAVE_OFF = 'or leave compiler recipes off';

/**
 * Splits `sourceText` (the file `sourcePath`, which `unit` was extracted from) into the
 * kernel's own translation unit and the rest. `functionText`, when given, is the
 * kernel's new definition; it goes into kernelTu only (leading `#include` lines may
 * stay on it: at file scope an include is valid anywhere).
 * Note for the build: kernelTu's `#include "..."` resolve from the source's folder
 * only if the compile passes `-I <that folder>` (or kernelTu is written next to it).
 */
/**
 * splitKernelTu for the kernel named `kernel` as it stands in `sourceText` now (a text with
 * variants spliced in, whose byte ranges differ from the original's): extracts it, then splits.
 */
export function splitNamedKernel(sourceText: string, sourcePath: string, kernel: string): OwnTranslationUnits {
  const [unit] = extractKernels(sourceText, sourcePath, [kernel]);
  return splitKernelTu(sourceText, sourcePath, unit!);
}

export function splitKernelTu(sourceText: string, sourcePath: string, unit: KernelUnit, functionText?: string): OwnTranslationUnits {
  const where = `kernel ${unit.name} in ${sourcePath}`;
  if (languageOf(sourcePath) !== 'c') {
    throw new OwnTuError(`${where}: compiler recipes split C files only, not CUDA; ${LEAVE_OFF} for this kernel`);
  }
  const root = parse(sourceText, 'c').rootNode;
  const kernel = findKernel(root, sourceText, unit, where);
  const restTu = sourceText.slice(0, kernel.startIndex) + prototypeOf(kernel) + sourceText.slice(kernel.endIndex);

  const copied = copiedStatics(root, functionText ?? kernel.text, unit.name, where);
  const file = JSON.stringify(basename(sourcePath)); // a C string literal for #line
  const parts: string[] = [];
  for (const node of root.namedChildren) {
    const text = node.id === kernel.id ? (functionText ?? kernel.text) : kernelTuText(node, copied, where);
    // #line keeps the compiler's messages (and __FILE__/__LINE__) pointing at the original file
    // (inside a new functionText, lines count from where the kernel starts).
    if (text !== '') parts.push(`#line ${node.startPosition.row + 1} ${file}\n${text.trimEnd()}\n`);
  }
  return { kernelTu: parts.join(''), restTu };
}

// ---------------------------------------------------------------------------
// The kernel

function findKernel(root: SyntaxNode, sourceText: string, unit: KernelUnit, where: string): SyntaxNode {
  const bytes = Buffer.from(sourceText, 'utf8');
  if (bytes.subarray(unit.range.start, unit.range.end).toString('utf8') !== unit.sourceText) {
    throw new Error(`splitKernelTu: the source no longer holds ${where} at bytes ${unit.range.start}..${unit.range.end}; re-extract the kernel from the current file`);
  }
  // unit.range is in UTF-8 bytes; tree-sitter's indices are JS string indices.
  const start = bytes.subarray(0, unit.range.start).toString('utf8').length;
  const kernel = root.namedChildren.find((n) => n.type === 'function_definition' && n.startIndex === start);
  if (!kernel) {
    throw new OwnTuError(`${where} is not a top-level function definition (it is inside an #if block?); move it out of the block ${LEAVE_OFF}`);
  }
  const storage = storageOf(kernel);
  if (storage.has('static') || isInline(storage)) {
    throw new OwnTuError(
      `${where} is declared ${storage.has('static') ? 'static' : 'inline'}; in a translation unit of its own the rest of the file must call it by its external name — make it a plain (non-static, non-inline) function ${LEAVE_OFF}`,
    );
  }
  return kernel;
}

/** `double f(int n)` + `;`: the definition's text up to its body. */
function prototypeOf(fn: SyntaxNode): string {
  const body = fn.childForFieldName('body')!;
  return fn.text.slice(0, body.startIndex - fn.startIndex).trimEnd() + ';';
}

// ---------------------------------------------------------------------------
// What the kernel uses

type FileLocal =
  | { kind: 'function'; node: SyntaxNode } // static function: copied
  | { kind: 'table'; node: SyntaxNode } // static read-only variable with initializer: copied
  | { kind: 'state'; node: SyntaxNode } // other static variable: refused
  | { kind: 'inline'; node: SyntaxNode }; // non-static inline function: refused

/**
 * The names of the static definitions kernelTu copies: the static functions and
 * read-only static tables the kernel uses, directly, through macros or through other
 * copied definitions. Throws when one of them is shared mutable state.
 */
function copiedStatics(root: SyntaxNode, kernelText: string, kernelName: string, where: string): Set<string> {
  const macros = new Map<string, SyntaxNode[]>();
  for (const m of root.descendantsOfType(['preproc_def', 'preproc_function_def'])) {
    const name = m.childForFieldName('name')!.text;
    macros.set(name, [...(macros.get(name) ?? []), m]);
  }
  const locals = fileLocals(root);

  const copied = new Set<string>();
  // Each name with the static helper it was reached through (for the messages).
  const pending: Array<[string, string | undefined]> = [...identifiersIn(kernelText)].map((n) => [n, undefined]);
  const seen = new Set([kernelName]);
  const follow = (node: SyntaxNode, through: string | undefined) => {
    for (const n of identifiersIn(node.text)) pending.push([n, through]);
  };
  while (pending.length) {
    const [name, through] = pending.pop()!;
    if (seen.has(name)) continue;
    seen.add(name);
    for (const m of macros.get(name) ?? []) follow(m, through);
    const local = locals.get(name);
    if (!local) continue;
    const via = through ? ` (through ${through})` : '';
    if (local.kind === 'state') {
      throw new OwnTuError(
        `${where} uses the file-static variable ${name}${via}; a compiler recipe needs the kernel in its own translation unit, and a static variable cannot be shared between two — make ${name} non-static ${LEAVE_OFF}`,
      );
    }
    if (local.kind === 'inline') {
      throw new OwnTuError(
        `${where} uses ${name}${via}, a non-static inline function, which cannot be both copied and shared between two translation units — make ${name} static inline ${LEAVE_OFF}`,
      );
    }
    if (local.kind === 'function') {
      const state = staticLocalState(local.node);
      if (state) {
        throw new OwnTuError(
          `${where} uses the static function ${name}${via}, which keeps state in its static variable ${state}; the copy in the kernel's own translation unit would not share it — move ${state} out of ${name} as a non-static global ${LEAVE_OFF}`,
        );
      }
    }
    copied.add(name);
    follow(local.node, local.kind === 'function' ? name : through);
  }
  return copied;
}

/** Top-level definitions that kernelTu must copy or refuse rather than declare (static ones, non-static inline functions), by name. */
function fileLocals(root: SyntaxNode): Map<string, FileLocal> {
  const locals = new Map<string, FileLocal>();
  for (const node of root.namedChildren) {
    const storage = storageOf(node);
    if (node.type === 'function_definition') {
      const name = declaratorInfo(node.childForFieldName('declarator')!).name;
      if (storage.has('static')) locals.set(name, { kind: 'function', node });
      else if (isInline(storage)) locals.set(name, { kind: 'inline', node });
    } else if (node.type === 'declaration' && storage.has('static')) {
      const declarators = node.childrenForFieldName('declarator').map(declaratorInfo);
      if (declarators.every((d) => d.isFunction)) continue; // static prototypes
      const kind = declarators.every((d) => d.hasInitializer && isReadOnly(node, d)) ? 'table' : 'state';
      for (const d of declarators) locals.set(d.name, { kind, node });
    }
  }
  return locals;
}

/** The first static variable a function body declares that is not a read-only constant, if any. */
function staticLocalState(fn: SyntaxNode): string | undefined {
  for (const decl of fn.childForFieldName('body')!.descendantsOfType('declaration')) {
    if (!storageOf(decl).has('static')) continue;
    for (const d of decl.childrenForFieldName('declarator').map(declaratorInfo)) {
      if (!d.isFunction && !(d.hasInitializer && isReadOnly(decl, d))) return d.name;
    }
  }
  return undefined;
}

// ---------------------------------------------------------------------------
// kernelTu, item by item

/** What one top-level item (other than the kernel) becomes in kernelTu; '' leaves it out. */
function kernelTuText(node: SyntaxNode, copied: Set<string>, where: string): string {
  switch (node.type) {
    case 'comment':
    case 'preproc_include':
    case 'preproc_def':
    case 'preproc_function_def':
    case 'preproc_call': // #pragma, #undef, #line, #error...
    case 'type_definition':
      return node.text;
    case 'struct_specifier':
    case 'union_specifier':
    case 'enum_specifier':
      return node.text + ';'; // the `;` is the next (unnamed) node
    case 'preproc_if':
    case 'preproc_ifdef':
      checkPlainBlock(node, where);
      return node.text;
    case 'declaration':
      return declarationText(node, copied);
    case 'function_definition':
      return functionText(node, copied);
    case 'expression_statement': // C11 `_Static_assert(...);` is parsed as a call
      if (/^_?[Ss]tatic_assert\b/.test(node.text)) return node.text;
  }
  throw new OwnTuError(
    `${where}: cannot tell what the top-level code at line ${node.startPosition.row + 1} is (${JSON.stringify(node.text.slice(0, 60))}), so it cannot be split around; simplify it ${LEAVE_OFF}`,
  );
}

function functionText(fn: SyntaxNode, copied: Set<string>): string {
  const storage = storageOf(fn);
  const name = declaratorInfo(fn.childForFieldName('declarator')!).name;
  // main would be defined twice; unused static and inline functions are nobody's business here.
  if (name === 'main') return '';
  if (storage.has('static') || isInline(storage)) return copied.has(name) ? fn.text : '';
  // The one definition stays in the rest; the kernel may call it.
  return prototypeOf(fn);
}

function declarationText(decl: SyntaxNode, copied: Set<string>): string {
  const storage = storageOf(decl);
  const declarators = decl.childrenForFieldName('declarator').map(declaratorInfo);
  const isCopied = declarators.some((d) => copied.has(d.name));
  if (declarators.every((d) => d.isFunction)) {
    // Prototypes (or a bare type). A static prototype whose definition is left out
    // would draw a "declared static but never defined" warning.
    return storage.has('static') && !isCopied && declarators.length > 0 ? '' : decl.text;
  }
  if (storage.has('static')) {
    if (isCopied) return decl.text; // a read-only table the kernel uses
    // Unused: dropped, but a struct/union/enum it defines may be needed.
    const type = decl.childForFieldName('type');
    return type?.childForFieldName('body') ? type.text + ';' : '';
  }
  if (storage.has('extern') && declarators.every((d) => !d.hasInitializer)) return decl.text;
  // A definition of a non-static global: it stays defined in the rest, and is declared here.
  const specifiers = decl.children
    .filter((c) => c.endIndex <= declarators[0]!.node.startIndex && c.text !== 'extern')
    .map((c) => c.text)
    .join(' ');
  return `extern ${specifiers} ${declarators.map(externDeclarator).join(', ')};`;
}

/**
 * `tab[4] = {...}` → `tab[4]`. An array sized by its initializer keeps its size when
 * that is a plain count (`tab[] = {1, 2, 3}` → `tab[3]`), so `sizeof tab` still works.
 */
function externDeclarator(d: DeclaratorInfo): string {
  const declarator = d.node.type === 'init_declarator' ? d.node.childForFieldName('declarator')! : d.node;
  const value = d.node.childForFieldName('value');
  if (declarator.type === 'array_declarator' && declarator.namedChildren.length === 1 && declarator.namedChildren[0]!.type === 'identifier' && !declarator.childForFieldName('size') && value?.type === 'initializer_list') {
    const elements = value.namedChildren.filter((c) => c.type !== 'comment');
    if (!elements.some((e) => e.type === 'initializer_pair')) return `${d.name}[${elements.length}]`;
  }
  return declarator.text;
}

/** A #if/#ifdef block is copied whole, so it may hold only what kernelTu keeps as is. */
function checkPlainBlock(block: SyntaxNode, where: string): void {
  for (const item of blockItems(block)) {
    if (/^preproc_(include|def|function_def|call)$/.test(item.type) || ['comment', 'type_definition', 'struct_specifier', 'union_specifier', 'enum_specifier'].includes(item.type)) continue;
    if (item.type === 'preproc_if' || item.type === 'preproc_ifdef') {
      checkPlainBlock(item, where);
      continue;
    }
    if (item.type === 'declaration') {
      const storage = storageOf(item);
      const declarators = item.childrenForFieldName('declarator').map(declaratorInfo);
      if (declarators.every((d) => d.isFunction)) continue; // prototypes (an unused static one only draws a warning)
      if (storage.has('extern') && declarators.every((d) => !d.hasInitializer)) continue;
    }
    const name = item.type === 'function_definition' ? declaratorInfo(item.childForFieldName('declarator')!).name : item.childrenForFieldName('declarator').map((d) => declaratorInfo(d).name).join(', ');
    throw new OwnTuError(
      `${where}: the #if block at line ${block.startPosition.row + 1} defines ${name || JSON.stringify(item.text.slice(0, 40))} (line ${item.startPosition.row + 1}); splitting the file around definitions inside #if blocks is not supported — move the definition out of the block ${LEAVE_OFF}`,
    );
  }
}

/** The items of a #if/#ifdef block and of its #elif/#else branches, without the conditions. */
function blockItems(block: SyntaxNode): SyntaxNode[] {
  const conditions = new Set([block.childForFieldName('condition')?.id, block.childForFieldName('name')?.id]);
  return block.namedChildren
    .filter((c) => !conditions.has(c.id))
    .flatMap((c) => (/^preproc_(else|elif|elifdef)$/.test(c.type) ? blockItems(c) : [c]));
}

// ---------------------------------------------------------------------------
// Declarators and specifiers

interface DeclaratorInfo {
  node: SyntaxNode;
  name: string;
  hasInitializer: boolean;
  /** Derivations from the identifier outwards: `*p[4]` → [array, pointer]. Parentheses skipped. */
  derivations: SyntaxNode[];
  /** Declares a function (`f(int)`, `*f(int)`), not a variable (`(*fp)(int)` is a pointer). */
  isFunction: boolean;
}

function declaratorInfo(declarator: SyntaxNode): DeclaratorInfo {
  const derivations: SyntaxNode[] = [];
  let node: SyntaxNode | undefined = declarator;
  while (node && node.type !== 'identifier') {
    if (node.type !== 'init_declarator' && node.type !== 'parenthesized_declarator' && node.type !== 'attributed_declarator') derivations.unshift(node);
    node = node.childForFieldName('declarator') ?? node.namedChildren.find((c) => c.type === 'identifier' || c.type.endsWith('declarator'));
  }
  return {
    node: declarator,
    name: node?.text ?? '',
    hasInitializer: declarator.type === 'init_declarator',
    derivations,
    isFunction: derivations[0]?.type === 'function_declarator',
  };
}

/**
 * The declared object itself is const, so a copy is as good as the original: the
 * derivation next to the identifier (arrays take their element's) decides —
 * `const double t[4]`, `const char *const names[]`, `int *const p` — while
 * `const char *s` is a mutable pointer.
 */
function isReadOnly(decl: SyntaxNode, d: DeclaratorInfo): boolean {
  for (const derivation of d.derivations) {
    if (derivation.type === 'array_declarator') continue;
    return derivation.type === 'pointer_declarator' && derivation.namedChildren.some((c) => c.type === 'type_qualifier' && c.text === 'const');
  }
  return decl.namedChildren.some((c) => c.type === 'type_qualifier' && c.text === 'const');
}

/** Storage class and inline specifiers of a declaration or function definition. */
function storageOf(node: SyntaxNode): Set<string> {
  return new Set(node.namedChildren.filter((c) => c.type === 'storage_class_specifier').map((c) => c.text));
}

function isInline(storage: Set<string>): boolean {
  return storage.has('inline') || storage.has('__inline') || storage.has('__inline__');
}
