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
//    (mentions, not only calls: taking `&system` is as bad as calling it).
import { extractKernels } from '../kernel/extract.js';
import { parse, type SyntaxNode } from '../kernel/parse.js';
import type { KernelUnit } from '../kernel/types.js';
import type { KernelSpec } from '../spec/types.js';

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
const FORBIDDEN_ATTRIBUTES = /\b(constructor|destructor|section|alias|ifunc|weakref|naked|target_clones|used|visibility)\b/;

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
    return reject(
      `only the kernel function and #include <...> lines are allowed at top level; found ${describeNode(node)} at line ${line(node)}`,
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
  const bodyProblem = forbiddenConstruct(fn);
  if (bodyProblem) return reject(bodyProblem);

  let candidate: KernelUnit;
  try {
    [candidate] = extractKernels(candidateText, unit.language === 'cuda' ? 'candidate.cu' : 'candidate.c', [unit.name]) as [KernelUnit];
  } catch {
    return reject(`defines a function other than the kernel at line ${line(fn)}; expected ${unit.name}`);
  }
  const sigProblem = signatureProblem(unit, candidate, spec);
  if (sigProblem) return reject(sigProblem);

  return { ok: true, reason: 'one definition of the kernel with its signature; allowed headers only; no forbidden calls or asm' };
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

/** The first forbidden construct inside the function, as a reason. */
function forbiddenConstruct(fn: SyntaxNode): string | undefined {
  const stack: SyntaxNode[] = [fn];
  while (stack.length) {
    const node = stack.pop()!;
    const t = node.type;
    if (t === 'gnu_asm_expression' || t === 'asm_statement' || (node.childCount === 0 && ASM_WORDS.has(node.text))) {
      return `uses inline assembly ('${node.text.split(/[\s(]/)[0]}') at line ${line(node)}`;
    }
    if (t.startsWith('preproc_')) {
      const directive = node.type === 'preproc_call' ? node.childForFieldName('directive')?.text : undefined;
      if (directive !== '#pragma') {
        const shown = directive ?? node.text.split(/\s/)[0];
        return `preprocessor directive '${shown}' at line ${line(node)} is not allowed inside the kernel (only #pragma)`;
      }
      continue; // a #pragma's argument is not code
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
  const lines = text.split('\n');
  let inDirective = false;
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!.replace(/\r$/, '');
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
