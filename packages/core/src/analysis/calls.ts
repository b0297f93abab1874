// Which calls a parallel loop may contain: pure libm functions, and helper
// functions of the translation unit that write nothing but their own locals
// (no globals, nothing through pointer parameters, no I/O) and call only pure
// functions themselves. Everything else may have side effects.
import { calleeName, declaredName, descendants, stripParens, type SyntaxNode } from './ast.js';
import { declaratorsOf, expandMacroCall, type FunctionContext } from './context.js';

export const PURE_LIBRARY = new Set([
  ...['sin', 'cos', 'tan', 'asin', 'acos', 'atan', 'atan2', 'sinh', 'cosh', 'tanh', 'asinh', 'acosh', 'atanh',
    'exp', 'exp2', 'expm1', 'log', 'log2', 'log10', 'log1p', 'pow', 'sqrt', 'cbrt', 'hypot', 'fabs', 'fmax', 'fmin',
    'fmod', 'floor', 'ceil', 'round', 'trunc', 'rint', 'nearbyint', 'lround', 'copysign', 'fma', 'erf', 'erfc',
    'tgamma', 'lgamma', 'ldexp', 'remainder', 'fdim']
    .flatMap((f) => [f, `${f}f`, `${f}l`]),
  'abs', 'labs', 'llabs', 'isnan', 'isinf', 'isfinite', 'signbit',
]);

export interface CallVerdict {
  name: string;
  pure: boolean;
  reason?: string;
}

/** Verdict for one call expression inside a kernel. */
export function callVerdict(ctx: FunctionContext, call: SyntaxNode, seen: Set<string> = new Set()): CallVerdict {
  const name = calleeName(call);
  if (!name) return { name: call.childForFieldName('function')?.text ?? '?', pure: false, reason: 'call through a function pointer' };
  if (ctx.macros.has(name)) return macroVerdict(ctx, call, name, seen);
  if (PURE_LIBRARY.has(name)) return { name, pure: true };
  const helper = ctx.helpers.get(name);
  if (!helper) return { name, pure: false, reason: `calls ${name}, which is not a known pure function (may have side effects)` };
  if (seen.has(name)) return { name, pure: true }; // recursion: judged by the outer visit
  const impurity = helperImpurity(ctx, helper, new Set([...seen, name]));
  return impurity ? { name, pure: false, reason: `calls ${name}, which ${impurity}` } : { name, pure: true };
}

/** Why a helper function has side effects, or undefined when it has none. */
function helperImpurity(ctx: FunctionContext, fn: SyntaxNode, seen: Set<string>): string | undefined {
  const locals = new Set<string>();
  const pointerParams = new Set<string>();
  const localArrays = new Set<string>();
  const params = fn.childForFieldName('declarator')?.childForFieldName('parameters');
  for (let i = 0; params && i < params.namedChildCount; i++) {
    const p = params.namedChild(i)!;
    const name = declaredName(p.childForFieldName('declarator'));
    if (!name) continue;
    if (/[*[]/.test(p.childForFieldName('declarator')!.text)) pointerParams.add(name);
    else locals.add(name); // scalar parameters are copies
  }
  const body = fn.childForFieldName('body')!;
  for (const n of descendants(body)) {
    if (n.type === 'declaration') {
      if (/\bstatic\b/.test(n.text.split('=')[0]!)) return 'keeps static state';
      for (const d of declaratorsOf(n)) {
        const nm = declaredName(d);
        if (!nm) continue;
        locals.add(nm);
        // Only a local array is memory of the helper's own; a local pointer may point anywhere.
        if (/\[/.test(d.text.split('=')[0]!) && !/\*/.test(d.text.split('=')[0]!)) localArrays.add(nm);
      }
    }
  }
  for (const n of descendants(body)) {
    let target: SyntaxNode | undefined;
    if (n.type === 'assignment_expression') target = n.childForFieldName('left') ?? undefined;
    if (n.type === 'update_expression') target = n.childForFieldName('argument') ?? undefined;
    if (target) {
      const t = stripParens(target);
      if (t.type === 'identifier') {
        if (!locals.has(t.text)) return `writes the global ${t.text}`;
      } else {
        const root = rootIdentifier(t);
        if (!root || !localArrays.has(root)) return `writes memory through ${root ?? t.text}`;
      }
    }
    if (n.type === 'call_expression') {
      const v = callVerdict(ctx, n, seen);
      if (!v.pure) return v.reason?.replace(/^calls/, 'calls') ?? `calls ${v.name}`;
    }
  }
  return undefined;
}

function rootIdentifier(n: SyntaxNode): string | undefined {
  let x: SyntaxNode | null = n;
  while (x && x.type !== 'identifier') x = x.childForFieldName('argument') ?? (x.type === 'parenthesized_expression' ? x.namedChild(0) : null);
  return x?.text;
}

/**
 * A function-like macro use: its memory accesses are the analysis's (accesses.ts expands
 * them), so it is pure unless its expansion is not an expression, assigns a plain name
 * (a scalar write the scalar analysis would not see) or calls something impure.
 */
function macroVerdict(ctx: FunctionContext, call: SyntaxNode, name: string, seen: Set<string>): CallVerdict {
  const expanded = expandMacroCall(ctx, call);
  if (!expanded) return { name, pure: false, reason: `uses macro ${name}, whose expansion is not an expression the analysis can read` };
  for (const n of [expanded, ...descendants(expanded)]) {
    const target = n.type === 'assignment_expression' ? n.childForFieldName('left') : n.type === 'update_expression' ? n.childForFieldName('argument') : undefined;
    if (target && stripParens(target).type === 'identifier') return { name, pure: false, reason: `uses macro ${name}, which assigns ${stripParens(target).text}` };
    if (n.type === 'call_expression' && seen.size < 8) {
      const v = callVerdict(ctx, n, new Set([...seen, `macro:${name}`]));
      if (!v.pure) return { name, pure: false, reason: `uses macro ${name}, which ${v.reason ?? `calls ${v.name}`}` };
    }
  }
  return { name, pure: true };
}
