// Static gate (v1): what a candidate function text must look like before anything
// compiles or runs it. It is a cheap first filter and a source of precise feedback for
// the proposer; the sandbox is what actually contains a candidate that slips through.
//
// A candidate passes when:
//  - it parses with tree-sitter without ERROR or MISSING nodes;
//  - at top level it has only comments, `#include <h>` of allow-listed headers and exactly
//    one function definition: the kernel, with the original's signature (return type,
//    parameter types and names, `static`); `restrict` may be added only when the spec
//    declares noalias, since otherwise it would promise something nobody checked;
//  - it contains no asm, no preprocessor directive other than #include and #pragma (a macro
//    could assemble a forbidden name out of pieces), no _Pragma, no digraph/trigraph or line
//    splice tricks, no constructor/section-like attributes;
//  - it mentions none of the process, file, network or loader functions in FORBIDDEN_NAMES
//    (mentions, not only calls: taking `&system` is as bad as calling it);
//  - every call (also inside #pragma clauses) is a direct call of an allowed callee
//    (allowed-calls.ts): no call through a pointer or a variable, no local prototypes or
//    function pointer declarations or casts, no `extern` or thread-local declarations, no
//    address taken of a name that is not the kernel's own or its closure's;
//  - it keeps no state: no static locals (a kernel that caches its result between calls
//    would fool the benchmark); `static const` tables of numbers are the one exception, at
//    top level or inside, since they cannot change or run anything;
//  - no spelling of asm and no `.incbin`, anywhere outside comments.
import { extractKernels } from '../kernel/extract.js';
import { parse, type SyntaxNode } from '../kernel/parse.js';
import type { KernelUnit } from '../kernel/types.js';
import type { KernelSpec } from '../spec/types.js';
import { ALLOWED_CALLEES_SUMMARY, OMP_CLOCK_CALLS, PRAGMA_WORDS, isGenerallyAllowedCallee } from './allowed-calls.js';

/**
 * Headers a candidate may include. Only headers that declare computation (math, OpenMP,
 * integer/float limits, SIMD intrinsics); no I/O, process or OS headers. <immintrin.h>
 * is allowed because hand-vectorized variants are legitimate and intrinsics cannot reach
 * the OS. stdlib.h declares system(), which FORBIDDEN_NAMES rejects by name.
 */
export const ALLOWED_HEADERS: ReadonlySet<string> = new Set([
  'math.h', 'tgmath.h', 'complex.h', 'float.h', 'limits.h',
  'stdint.h', 'stddef.h', 'stdbool.h', 'stdalign.h',
  'stdlib.h', 'string.h',
  'omp.h', 'immintrin.h',
]);

/** Functions (and other names) a kernel has no business mentioning. */
const FORBIDDEN_NAMES: ReadonlySet<string> = new Set([
  'system', 'popen', 'pclose', 'fork', 'vfork', 'clone', 'daemon',
  'execl', 'execlp', 'execle', 'execv', 'execvp', 'execvpe', 'execve', 'fexecve', 'posix_spawn', 'posix_spawnp',
  'fopen', 'freopen', 'fdopen', 'open', 'openat', 'creat', 'opendir', 'tmpfile', 'mkstemp',
  'remove', 'unlink', 'unlinkat', 'rename', 'renameat', 'chmod', 'chown', 'truncate', 'ftruncate', 'symlink', 'link',
  'socket', 'socketpair', 'connect', 'bind', 'listen', 'accept', 'accept4', 'sendto', 'recvfrom', 'getaddrinfo',
  'dlopen', 'dlsym', 'dlmopen', 'syscall', 'ptrace', 'kill', 'raise', 'signal', 'sigaction',
  'mmap', 'mprotect', 'munmap', 'setenv', 'putenv', 'unsetenv', 'getenv', 'chdir', 'setuid', 'setgid',
  'atexit', 'at_quick_exit', 'exit', '_exit', '_Exit', 'quick_exit', 'abort', 'longjmp', 'setjmp',
  'pthread_create', '__builtin_apply', '__builtin_return_address', '__builtin_frame_address',
]);

const ASM_WORDS = new Set(['asm', '__asm', '__asm__']);
/** Attributes that make code run or land somewhere other than a plain call of the kernel. */
const FORBIDDEN_ATTRIBUTES = /\b(constructor|destructor|section|alias|ifunc|weakref|naked|target_clones|used|visibility|cleanup)\b/;

export interface GateResult {
  ok: boolean;
  /** One line: the offending token and its line, or what passed. */
  reason: string;
}

export function staticGate(candidateText: string, unit: KernelUnit, spec: KernelSpec): GateResult {
  const reject = (reason: string): GateResult => ({ ok: false, reason });
  const tree = parse(candidateText, unit.language);
  const root = tree.rootNode;

  const broken = firstBrokenNode(root);
  if (broken) {
    const near = broken.text.split('\n')[0]!.slice(0, 40);
    return reject(`does not parse: ${broken.isMissing ? `missing '${broken.type}'` : 'syntax error'} at line ${line(broken)}${near ? ` near '${near}'` : ''}`);
  }

  const textProblem = lexicalTricks(candidateText);
  if (textProblem) return reject(textProblem);

  const functions: SyntaxNode[] = [];
  const tables: SyntaxNode[] = [];
  for (const node of root.namedChildren) {
    if (node.type === 'comment') continue;
    if (node.type === 'preproc_include') {
      const problem = includeProblem(node);
      if (problem) return reject(problem);
      continue;
    }
    if (node.type === 'function_definition') {
      functions.push(node);
      continue;
    }
    if (node.type === 'declaration' && isConstantTable(node)) {
      tables.push(node);
      continue;
    }
    return reject(
      `only the kernel function and #include <...> lines are allowed at top level; found ${describeNode(node)} at line ${line(node)} (static const tables of numbers are the one exception)`,
    );
  }
  if (functions.length !== 1) {
    return reject(
      functions.length === 0
        ? `defines no function; expected one definition of ${unit.name}`
        : `defines ${functions.length} functions (second at line ${line(functions[1]!)}); expected exactly one: ${unit.name}`,
    );
  }

  const fn = functions[0]!;
  for (const t of tables) {
    const problem = forbiddenConstruct(t, undefined);
    if (problem) return reject(problem);
  }
  const ctx = callContext(unit, fn, tables);
  const bodyProblem = forbiddenConstruct(fn, ctx);
  if (bodyProblem) return reject(bodyProblem);
  const clock = clockProblem(fn, ctx);
  if (clock) return reject(clock);

  let candidate: KernelUnit;
  try {
    [candidate] = extractKernels(candidateText, unit.language === 'cuda' ? 'candidate.cu' : 'candidate.c', [unit.name]) as [KernelUnit];
  } catch {
    return reject(`defines a function other than the kernel at line ${line(fn)}; expected ${unit.name}`);
  }
  const sigProblem = signatureProblem(unit, candidate, spec);
  if (sigProblem) return reject(sigProblem);

  return { ok: true, reason: 'one definition of the kernel with its signature; allowed headers and callees only; no state, asm or function pointers' };
}

function line(node: SyntaxNode): number {
  return node.startPosition.row + 1;
}

function describeNode(node: SyntaxNode): string {
  const first = node.text.split('\n')[0]!.trim().slice(0, 50);
  return `${node.type.replace(/_/g, ' ')} '${first}'`;
}

function firstBrokenNode(node: SyntaxNode): SyntaxNode | undefined {
  if (node.type === 'ERROR' || node.isMissing) return node;
  if (!node.hasError) return undefined;
  for (const child of node.children) {
    const found = firstBrokenNode(child);
    if (found) return found;
  }
  return node;
}

function includeProblem(node: SyntaxNode): string | undefined {
  const path = node.childForFieldName('path');
  const text = path?.text ?? node.text;
  if (path?.type !== 'system_lib_string') {
    return `#include ${text} at line ${line(node)}: only <...> system headers are allowed (the kernel's own file already includes what it needs)`;
  }
  const header = text.slice(1, -1).trim();
  if (!ALLOWED_HEADERS.has(header)) {
    return `#include <${header}> at line ${line(node)} is not allowed; allowed: ${[...ALLOWED_HEADERS].join(', ')}`;
  }
  return undefined;
}

/** What the kernel body may call and which names it declares itself. */
interface CallContext {
  /** Names callable besides the generally allowed ones: kernel, closure helpers and macros, the original's callees. */
  callable: ReadonlySet<string>;
  /** Parameters, locals (any scope) and the candidate's own tables. */
  declared: ReadonlySet<string>;
  /** Globals of the original's closure (their address may be taken). */
  globals: ReadonlySet<string>;
}

function callContext(unit: KernelUnit, fn: SyntaxNode, tables: SyntaxNode[]): CallContext {
  const callable = new Set<string>([unit.name]);
  for (const item of unit.closure) if (item.kind === 'function' || item.kind === 'macro') callable.add(item.name);
  for (const name of calledNames(parse(unit.sourceText, unit.language).rootNode)) callable.add(name);
  const declared = new Set<string>();
  const collect = (node: SyntaxNode) => {
    if (node.type === 'parameter_declaration' || node.type === 'declaration' || node.type === 'init_declarator') {
      const d = node.childForFieldName('declarator');
      for (const decl of node.type === 'declaration' ? node.childrenForFieldName('declarator') : d ? [d] : []) {
        const name = declaredName(decl);
        if (name) declared.add(name);
      }
    }
    if (node.type === 'enumerator') {
      const name = node.childForFieldName('name')?.text;
      if (name) declared.add(name);
    }
    for (const c of node.namedChildren) collect(c);
  };
  collect(fn);
  for (const t of tables) collect(t);
  const globals = new Set(unit.closure.filter((i) => i.kind === 'global').map((i) => i.name));
  return { callable, declared, globals };
}

/** Names of the functions (and function-like macros) a piece of code calls directly. */
function calledNames(root: SyntaxNode): Set<string> {
  const names = new Set<string>();
  const stack: SyntaxNode[] = [root];
  while (stack.length) {
    const node = stack.pop()!;
    if (node.type === 'call_expression') {
      const f = node.childForFieldName('function');
      if (f?.type === 'identifier' && !FORBIDDEN_NAMES.has(f.text)) names.add(f.text);
    }
    for (const c of node.namedChildren) stack.push(c);
  }
  return names;
}

/** The identifier a declarator declares: `*p`, `a[4]`, `x = 1`, `(*fp)(int)` all lead to one. */
function declaredName(declarator: SyntaxNode | null): string | undefined {
  let d: SyntaxNode | null = declarator;
  while (d && d.type !== 'identifier') {
    if (d.type === 'parenthesized_declarator') d = d.namedChildren.find((c) => c.type !== 'attribute_specifier') ?? null;
    else d = d.childForFieldName('declarator');
  }
  return d?.text;
}

function hasDescendant(node: SyntaxNode, types: ReadonlySet<string>): SyntaxNode | undefined {
  if (types.has(node.type)) return node;
  for (const c of node.namedChildren) {
    const found = hasDescendant(c, types);
    if (found) return found;
  }
  return undefined;
}

const FUNCTION_DECLARATORS = new Set(['function_declarator', 'abstract_function_declarator']);
const NUMERIC_TYPEDEFS = new Set(['int8_t', 'uint8_t', 'int16_t', 'uint16_t', 'int32_t', 'uint32_t', 'int64_t', 'uint64_t', 'size_t', 'ptrdiff_t']);
const LITERAL_NODES = new Set([
  'initializer_list', 'number_literal', 'char_literal', 'unary_expression', 'binary_expression', 'parenthesized_expression', 'comment',
]);

/**
 * `static const double w[4] = {0.5, -1, 2e-3, 4};`: a table of numbers in read-only memory.
 * No linkage, no code, no addresses, not writable: it cannot run anything or keep state, and
 * FFT twiddles, stencil weights or lookup tables are legitimate in a tuned kernel.
 */
function isConstantTable(decl: SyntaxNode): boolean {
  const typeId = decl.childForFieldName('type')?.id;
  const specifiers = decl.namedChildren.filter((c) => c.id !== typeId && !decl.childrenForFieldName('declarator').some((d) => d.id === c.id));
  const isStatic = specifiers.some((c) => c.type === 'storage_class_specifier' && c.text === 'static');
  const onlyStaticConst = specifiers.every((c) => (c.type === 'storage_class_specifier' && c.text === 'static') || (c.type === 'type_qualifier' && c.text === 'const') || c.type === 'comment');
  const isConst = specifiers.some((c) => c.type === 'type_qualifier' && c.text === 'const');
  const type = decl.childForFieldName('type');
  const numeric = type !== null && (type.type === 'primitive_type' || type.type === 'sized_type_specifier' || (type.type === 'type_identifier' && NUMERIC_TYPEDEFS.has(type.text)));
  if (!isStatic || !isConst || !onlyStaticConst || !numeric) return false;
  const declarators = decl.childrenForFieldName('declarator');
  return declarators.length > 0 && declarators.every((d) => {
    if (d.type !== 'init_declarator') return false;
    let inner = d.childForFieldName('declarator');
    while (inner && inner.type === 'array_declarator') inner = inner.childForFieldName('declarator');
    const value = d.childForFieldName('value');
    return inner?.type === 'identifier' && value !== null && onlyLiterals(value);
  });
}

function onlyLiterals(node: SyntaxNode): boolean {
  if (!LITERAL_NODES.has(node.type)) return false;
  return node.namedChildren.every(onlyLiterals);
}

function forbiddenMention(node: SyntaxNode): SyntaxNode | undefined {
  if (node.type === 'identifier' && (FORBIDDEN_NAMES.has(node.text) || /^exec/.test(node.text))) return node;
  for (const c of node.namedChildren) {
    const found = forbiddenMention(c);
    if (found) return found;
  }
  return undefined;
}

/** A problem with a declaration inside the kernel body, if any. */
function declarationProblem(node: SyntaxNode): string | undefined {
  const names = node.childrenForFieldName('declarator').map((d) => declaredName(d) ?? d.text).join(', ');
  const fnDecl = node.childrenForFieldName('declarator').map((d) => hasDescendant(d, FUNCTION_DECLARATORS)).find(Boolean);
  if (fnDecl) {
    return `declares function or function pointer '${names}' at line ${line(node)}; a kernel may not declare functions, only call allowed ones directly`;
  }
  for (const c of node.namedChildren) {
    const word = c.text;
    if (c.type === 'storage_class_specifier' && word === 'extern') {
      return `extern declaration of '${names}' at line ${line(node)}: a kernel may not declare outside symbols`;
    }
    if ((c.type === 'storage_class_specifier' || c.type === 'type_qualifier') && /^(__thread|_Thread_local|thread_local)$/.test(word)) {
      return `thread-local variable '${names}' at line ${line(node)} keeps state between calls; kernels must be stateless`;
    }
    if (c.type === 'storage_class_specifier' && word === 'static' && !isConstantTable(node)) {
      return `static local variable '${names}' at line ${line(node)} keeps state between calls; kernels must be stateless (only static const tables of numbers are allowed)`;
    }
  }
  return undefined;
}

/** The first call in a #pragma line's text that is not allowed (OpenMP clauses such as num_threads(f()) hold expressions). */
function pragmaProblem(node: SyntaxNode, ctx: CallContext | undefined): string | undefined {
  const text = node.text.replace(/\\\r?\n/g, ' ');
  for (const m of text.matchAll(/\b([A-Za-z_]\w*)\b/g)) {
    if (FORBIDDEN_NAMES.has(m[1]!) && !PRAGMA_WORDS.has(m[1]!)) return `mentions forbidden function '${m[1]}' in a #pragma at line ${line(node)}`;
  }
  if (!ctx) return undefined;
  for (const m of text.matchAll(/\b([A-Za-z_]\w*)\s*\(/g)) {
    const name = m[1]!;
    if (PRAGMA_WORDS.has(name) || ctx.callable.has(name) || isGenerallyAllowedCallee(name)) continue;
    return `calls '${name}' in a #pragma at line ${line(node)}, which is not allowed; a kernel may call only ${ALLOWED_CALLEES_SUMMARY}`;
  }
  return undefined;
}

/** The problem with a call expression, if any. */
function callProblem(node: SyntaxNode, ctx: CallContext): string | undefined {
  const f = node.childForFieldName('function');
  if (!f) return undefined;
  if (f.type !== 'identifier') {
    return `calls through an expression ('${f.text.split('\n')[0]!.slice(0, 40)}') at line ${line(node)}; only direct calls of allowed functions are allowed`;
  }
  const name = f.text;
  if (FORBIDDEN_NAMES.has(name) || /^exec/.test(name)) return undefined; // reported as a forbidden name, below
  if (NOT_CALLS.has(name)) return undefined;
  if (ctx.declared.has(name)) return `calls '${name}' at line ${line(node)}, a variable of the kernel (function pointer); only direct calls of allowed functions are allowed`;
  if (ctx.callable.has(name) || isGenerallyAllowedCallee(name)) return undefined;
  if (/^omp_set_/.test(name)) return `calls '${name}' at line ${line(node)}: a kernel may not change the OpenMP settings of its caller (they outlive the call); set what a region needs with its clauses (num_threads, schedule)`;
  if (/^omp_/.test(name)) return `calls '${name}' at line ${line(node)}, which is not a compute-only OpenMP call (no printing, host or affinity queries, devices or settings); a kernel may call only ${ALLOWED_CALLEES_SUMMARY}`;
  return `calls '${name}' at line ${line(node)}, which is not allowed; a kernel may call only ${ALLOWED_CALLEES_SUMMARY}`;
}

/** Parsed as calls but are operators. */
const NOT_CALLS = new Set(['sizeof', '_Alignof', '__alignof__', 'alignof', 'typeof', '__typeof__', '__typeof', 'offsetof', '_Static_assert', 'static_assert']);

/** The first forbidden construct inside the function (or a constant table), as a reason. */
function forbiddenConstruct(fn: SyntaxNode, ctx: CallContext | undefined): string | undefined {
  const stack: SyntaxNode[] = [fn];
  while (stack.length) {
    const node = stack.pop()!;
    const t = node.type;
    if (ctx && t === 'call_expression') {
      const problem = callProblem(node, ctx);
      if (problem) return problem;
    }
    if (ctx && t === 'declaration' && node.id !== fn.id) {
      // A forbidden name inside (`int (*f)(const char *) = system;`) is the more telling reason.
      const named = forbiddenMention(node);
      const problem = named ? `mentions forbidden function '${named.text}' at line ${line(named)}` : declarationProblem(node);
      if (problem) return problem;
    }
    if (ctx && t === 'type_descriptor' && hasDescendant(node, FUNCTION_DECLARATORS)) {
      return `function pointer type '${node.text.slice(0, 40)}' at line ${line(node)}; a kernel may only call allowed functions directly`;
    }
    if (ctx && t === 'pointer_expression' && node.child(0)?.type === '&') {
      const arg = node.childForFieldName('argument');
      if (arg?.type === 'identifier' && !ctx.declared.has(arg.text) && !ctx.globals.has(arg.text) && !FORBIDDEN_NAMES.has(arg.text)) {
        return `takes the address of '${arg.text}' at line ${line(node)}, which is not a variable of the kernel or of its closure`;
      }
    }
    if (t === 'gnu_asm_expression' || t === 'asm_statement' || (node.childCount === 0 && ASM_WORDS.has(node.text))) {
      return `uses inline assembly ('${node.text.split(/[\s(]/)[0]}') at line ${line(node)}`;
    }
    if (t.startsWith('preproc_')) {
      const directive = node.type === 'preproc_call' ? node.childForFieldName('directive')?.text : undefined;
      if (directive !== '#pragma') {
        const shown = directive ?? node.text.split(/\s/)[0];
        return `preprocessor directive '${shown}' at line ${line(node)} is not allowed inside the kernel (only #pragma)`;
      }
      // A #pragma's argument is not parsed as code, but OpenMP clauses hold expressions.
      const problem = pragmaProblem(node, ctx);
      if (problem) return problem;
      continue;
    }
    if (t === 'attribute_specifier' || t === 'attribute_declaration' || t === 'ms_declspec_modifier') {
      const m = FORBIDDEN_ATTRIBUTES.exec(node.text);
      if (m) return `attribute '${m[1]}' at line ${line(node)} is not allowed`;
    }
    if (t === 'identifier' || t === 'field_identifier' || t === 'type_identifier') {
      if (node.text === '_Pragma') return `_Pragma at line ${line(node)} is not allowed; write #pragma`;
      if (t === 'identifier' && (FORBIDDEN_NAMES.has(node.text) || /^exec/.test(node.text))) {
        const called = node.parent?.type === 'call_expression' && node.parent.childForFieldName('function')?.id === node.id;
        return `${called ? 'calls' : 'mentions'} forbidden function '${node.text}' at line ${line(node)}`;
      }
    }
    for (let i = node.childCount - 1; i >= 0; i--) stack.push(node.child(i)!);
  }
  return undefined;
}

/**
 * Text-level tricks tree-sitter does not see the way the compiler does: a backslash-newline
 * splices tokens (`sys\⏎tem`), `%:` is `#`, and trigraphs are live under -std=c99/c11.
 * Splices are fine inside #pragma lines, where long OpenMP clauses need them.
 */
function lexicalTricks(text: string): string | undefined {
  const lines = withoutBlockComments(text).split('\n');
  let inDirective = false;
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!.replace(/\r$/, '');
    // Assembler directives can pull in any file (.incbin) or emit any code; no spelling of asm is allowed.
    if (/incbin/i.test(l.replace(/\/\/.*$/, ''))) return `'.incbin' at line ${i + 1} is not allowed (assembler directive)`;
    const asm = /\b(__asm__|__asm|asm)\b/.exec(stripLiterals(l));
    if (asm) return `uses inline assembly ('${asm[1]}') at line ${i + 1}`;
    const startsDirective = /^\s*#\s*pragma\b/.test(l);
    const continued = /\\$/.test(l);
    if (continued && !startsDirective && !inDirective) return `line splice (backslash at end of line) at line ${i + 1} outside a #pragma`;
    inDirective = continued && (startsDirective || inDirective);
    const code = stripLiterals(l);
    if (code.includes('%:')) return `digraph '%:' (a '#') at line ${i + 1} is not allowed`;
    if (/\?\?[=/'()!<>-]/.test(code)) return `trigraph at line ${i + 1} is not allowed`;
  }
  return undefined;
}

/** Block comments replaced by spaces (line numbers kept); string literals are left alone. */
function withoutBlockComments(text: string): string {
  return text.replace(/"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|\/\*[\s\S]*?\*\//g, (m) => (m.startsWith('/*') ? m.replace(/[^\n]/g, ' ') : m));
}

function stripLiterals(line: string): string {
  return line.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, '""').replace(/\/\/.*$/, '');
}

const RESTRICT = /\b(restrict|__restrict|__restrict__)\b/g;
const squash = (s: string) => s.replace(/\s+/g, ' ').trim();

function signatureProblem(original: KernelUnit, candidate: KernelUnit, spec: KernelSpec): string | undefined {
  const o = original.signature;
  const c = candidate.signature;
  const shown = `expected '${o.text}'`;
  if (squash(o.returnType) !== squash(c.returnType)) {
    return `signature differs: returns '${c.returnType}' instead of '${o.returnType}'; ${shown}`;
  }
  if (o.params.length !== c.params.length) {
    return `signature differs: ${c.params.length} parameter(s) instead of ${o.params.length}; ${shown}`;
  }
  for (let i = 0; i < o.params.length; i++) {
    const op = o.params[i]!;
    const cp = c.params[i]!;
    if (op.name !== cp.name) return `signature differs: parameter ${i + 1} is named '${cp.name}' instead of '${op.name}'; ${shown}`;
    if (squash(op.type) === squash(cp.type)) continue;
    const sameButRestrict = squash(op.type.replace(RESTRICT, ' ')) === squash(cp.type.replace(RESTRICT, ' '));
    if (sameButRestrict && spec.noalias) continue;
    if (sameButRestrict) {
      return `signature differs: parameter '${op.name}' changes restrict ('${cp.type}' vs '${op.type}') but the spec does not declare noalias`;
    }
    return `signature differs: parameter '${op.name}' has type '${cp.type}' instead of '${op.type}'; ${shown}`;
  }
  const isStatic = (u: KernelUnit) => /(^|\s)static\s/.test(`${u.sourceText.slice(0, u.sourceText.indexOf(u.name))} `);
  if (isStatic(original) !== isStatic(candidate)) {
    return `signature differs: the original is ${isStatic(original) ? '' : 'not '}static; keep its linkage; ${shown}`;
  }
  return undefined;
}

/** Wrappers a value passes through unchanged in kind (arithmetic on a clock value is still a clock value). */
const CLOCK_PASS_THROUGH = new Set(['binary_expression', 'parenthesized_expression', 'unary_expression', 'cast_expression']);

/**
 * A clock read (omp_get_wtime) may time a phase, but its value must not reach a result, a
 * branch, a subscript, a call or a clause: a kernel whose output depends on how long
 * something took is correct only on the schedules the tests happened to see. Values are
 * followed through plain local variables; a clock value may only be discarded or stored in
 * a variable that itself steers nothing.
 */
function clockProblem(fn: SyntaxNode, ctx: CallContext): string | undefined {
  const all: SyntaxNode[] = [];
  const walk = (n: SyntaxNode) => {
    all.push(n);
    for (const c of n.namedChildren) walk(c);
  };
  walk(fn);
  const isClockCall = (n: SyntaxNode) => n.type === 'call_expression' && n.childForFieldName('function')?.type === 'identifier' && OMP_CLOCK_CALLS.has(n.childForFieldName('function')!.text) && !ctx.callable.has(n.childForFieldName('function')!.text);
  const clocks = all.filter(isClockCall);
  if (clocks.length === 0) return undefined;
  const tainted = new Set<string>();
  const carries = (n: SyntaxNode | null): boolean => {
    if (!n) return false;
    if (isClockCall(n) || (n.type === 'identifier' && tainted.has(n.text))) return true;
    return n.namedChildren.some(carries);
  };
  for (let changed = true; changed; ) {
    changed = false;
    for (const n of all) {
      let target: string | undefined;
      if (n.type === 'assignment_expression' && n.childForFieldName('left')?.type === 'identifier' && carries(n.childForFieldName('right'))) target = n.childForFieldName('left')!.text;
      if (n.type === 'init_declarator' && carries(n.childForFieldName('value'))) target = declaredName(n.childForFieldName('declarator'));
      if (target && !tainted.has(target)) {
        tainted.add(target);
        changed = true;
      }
    }
  }
  const sources = [...clocks, ...all.filter((n) => n.type === 'identifier' && tainted.has(n.text))];
  for (const src of sources) {
    let child = src;
    let p = src.parent;
    while (p && CLOCK_PASS_THROUGH.has(p.type)) {
      child = p;
      p = p.parent;
    }
    if (!p) continue;
    if (p.type === 'expression_statement') continue; // value discarded
    if (p.type === 'update_expression' && src.type === 'identifier') continue; // t++ on a clock variable
    if (p.type === 'assignment_expression') {
      const left = p.childForFieldName('left');
      if (left?.id === child.id && src.type === 'identifier') continue; // being assigned
      if (left?.type === 'identifier' && tainted.has(left.text)) continue; // into another clock variable
    }
    if (p.type === 'init_declarator') {
      const name = declaredName(p.childForFieldName('declarator'));
      if (name && tainted.has(name)) continue;
      if (p.childForFieldName('declarator')?.id === child.id) continue;
    }
    if (src.type === 'identifier' && (p.type === 'init_declarator' || p.type === 'declaration' || p.type === 'pointer_declarator')) continue;
    const what = src.type === 'identifier' ? `'${src.text}' (a value read from the clock)` : `${src.childForFieldName('function')!.text}()`;
    return `${what} at line ${line(src)} reaches ${p.type.replace(/_/g, ' ')} '${p.text.split('\n')[0]!.slice(0, 40)}'; a clock read may time a phase but must not steer a result, branch, subscript or call`;
  }
  // Clauses are text: a clock variable named in a pragma (num_threads(t), if(t > x)) steers the region.
  for (const n of all) {
    if (n.type !== 'preproc_call') continue;
    for (const m of n.text.matchAll(/\b([A-Za-z_]\w*)\b/g)) {
      if (tainted.has(m[1]!)) return `'${m[1]}' (a value read from the clock) is used in a #pragma at line ${line(n)}; a clock read must not steer a result or a parallel region`;
    }
  }
  return undefined;
}
