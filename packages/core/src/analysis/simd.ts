// Static legality of `simd` loops. The lanes of a SIMD chunk run one loop's iterations
// at once; a dependence between iterations closer than the vector length is undefined
// behaviour even where today's compiler happens not to vectorize the loop. No dynamic
// detector sees it (the lanes are one thread), so only the dependence analysis can.
//
// A `simd` loop (also `for simd`, `parallel for simd`, `taskloop simd`) is refused when
// the analysis PROVES a dependence carried by that loop: exact subscripts, an exact
// iteration distance d != 0, and |d| < safelen when the pragma gives a safelen (the
// programmer's promise that lanes never span more than safelen iterations). Unproven
// dependences (indirect subscripts, pointers that may alias) are left to the other
// checks, so correct code is never refused on a guess. Loops with an `ordered` region
// inside are skipped: `ordered simd` is how a recurrence is allowed in a simd loop.
import { parse, type SyntaxNode } from '../kernel/parse.js';
import { analyzeContext, type AnalysisState } from './analyze.js';
import { contextOfText } from './context.js';
import { dirText } from './dependence.js';
import type { LoopNode } from './loops.js';

export interface SimdHazard {
  /** Function the loop is in. */
  fn: string;
  /** 1-based line of the loop in the text given. */
  line: number;
  /** 1-based line of the pragma. */
  pragmaLine: number;
  message: string;
}

interface SimdPragma {
  node: SyntaxNode;
  line: number;
  safelen?: number;
}

const isSimdPragma = (arg: string) => /^omp\b/.test(arg) && /\bsimd\b/.test(arg) && !/\bdeclare\b/.test(arg) && !/\bordered\b/.test(arg);

function pragmaArg(n: SyntaxNode): string | undefined {
  if (n.type !== 'preproc_call' || n.child(0)?.text !== '#pragma') return undefined;
  return (n.childForFieldName('argument')?.text ?? n.text.replace(/^#\s*pragma/, '')).replace(/\\\r?\n/g, ' ').trim();
}

function pragmasIn(node: SyntaxNode): { node: SyntaxNode; arg: string }[] {
  const out: { node: SyntaxNode; arg: string }[] = [];
  const visit = (n: SyntaxNode) => {
    const arg = pragmaArg(n);
    if (arg !== undefined) out.push({ node: n, arg });
    for (let i = 0; i < n.namedChildCount; i++) visit(n.namedChild(i)!);
  };
  visit(node);
  return out;
}

/** The text with every #pragma blanked out (same offsets and lines), so the analysis sees plain C. */
function blankPragmas(text: string, pragmas: SyntaxNode[]): string {
  let out = text;
  for (const p of pragmas) out = out.slice(0, p.startIndex) + text.slice(p.startIndex, p.endIndex).replace(/[^\n]/g, ' ') + out.slice(p.endIndex);
  return out;
}

/** The statement a pragma applies to: its next named sibling, comments and other pragmas skipped. */
function targetOf(p: SyntaxNode): SyntaxNode | null {
  let s = p.nextNamedSibling;
  while (s && (s.type === 'comment' || pragmaArg(s) !== undefined)) s = s.nextNamedSibling;
  return s;
}

/** Proven dependences carried by `loop` whose distance is shorter than `safelen` (any, without one). */
export function simdLoopHazards(state: AnalysisState, loop: LoopNode, safelen?: number): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  for (const v of state.dependences(loop)) {
    const k = v.loops.indexOf(loop);
    if (k !== 0) continue;
    const d = v.distance[0];
    if (v.cause !== 'subscripts' || d === undefined || d === 0) continue;
    if (safelen !== undefined && Math.abs(d) >= safelen) continue;
    const what = `${v.a.text} (line ${v.a.line}) and ${v.b.text} (line ${v.b.line})`;
    if (seen.has(what)) continue;
    seen.add(what);
    out.push(
      `simd loop at line ${loop.line} carries a dependence of distance ${Math.abs(d)} on ${v.a.base.name} between ${what} ${dirText(v)}` +
        `${safelen !== undefined ? `, shorter than safelen(${safelen})` : ''}; its SIMD lanes would race`,
    );
  }
  return out;
}

function simdPragmasOf(fn: SyntaxNode): SimdPragma[] {
  return pragmasIn(fn)
    .filter((p) => isSimdPragma(p.arg))
    .map((p) => {
      const s = /\bsafelen\s*\(\s*(\d+)\s*\)/.exec(p.arg);
      return { node: p.node, line: p.node.startPosition.row + 1, safelen: s ? Number(s[1]) : undefined };
    });
}

function functionName(fn: SyntaxNode): string | undefined {
  let d: SyntaxNode | null = fn.childForFieldName('declarator');
  while (d && d.type !== 'function_declarator') d = d.childForFieldName('declarator');
  const id = d?.childForFieldName('declarator');
  return id?.type === 'identifier' ? id.text : undefined;
}

/**
 * Simd hazards of one function in `text` (a candidate, or a whole translation unit).
 * `closure` gives the globals and macros the function uses (as the kernel's closure does);
 * without it the top-level declarations and #defines of `text` itself are used.
 */
export function simdHazardsOf(text: string, fnName: string, closure?: { kind: string; text: string }[]): SimdHazard[] {
  const root = parse(text, 'c').rootNode;
  const fn = root.namedChildren.find((n) => n.type === 'function_definition' && functionName(n) === fnName);
  if (!fn) return [];
  const simd = simdPragmasOf(fn);
  if (simd.length === 0) return [];
  const allPragmas = pragmasIn(root);
  const clean = inlineConstants(blankPragmas(text, allPragmas.map((p) => p.node)), fnName);
  const items = closure ?? topLevelClosure(root, fnName);
  let state: AnalysisState;
  try {
    state = analyzeContext(contextOfText(clean, fnName, items));
  } catch {
    return []; // what the analysis cannot read it does not judge
  }
  const loopAt = new Map(state.loops.map((l) => [l.node.startIndex, l]));
  const out: SimdHazard[] = [];
  for (const p of simd) {
    const t = targetOf(p.node);
    const loop = t ? loopAt.get(t.startIndex) : undefined;
    if (!loop) continue;
    const inside = allPragmas.filter((q) => q.node.startIndex >= loop.node.startIndex && q.node.endIndex <= loop.node.endIndex);
    if (inside.some((q) => /^omp\b.*\bordered\b/.test(q.arg))) continue;
    for (const message of simdLoopHazards(state, loop, p.safelen)) out.push({ fn: fnName, line: loop.line, pragmaLine: p.line, message });
  }
  return out;
}

/** Simd hazards of every function of a translation unit. */
export function simdHazardsOfUnit(text: string): SimdHazard[] {
  const root = parse(text, 'c').rootNode;
  return root.namedChildren
    .filter((n) => n.type === 'function_definition')
    .map(functionName)
    .filter((n): n is string => n !== undefined)
    .flatMap((name) => simdHazardsOf(text, name));
}

/** Globals and macros of a translation unit, in the form contextOfText takes. */
function topLevelClosure(root: SyntaxNode, except: string): { kind: string; text: string }[] {
  const items: { kind: string; text: string }[] = [];
  for (const n of root.namedChildren) {
    if (n.type === 'declaration') items.push({ kind: 'global', text: n.text });
    else if (n.type === 'preproc_def' || n.type === 'preproc_function_def') items.push({ kind: 'macro', text: n.text });
    else if (n.type === 'function_definition' && functionName(n) !== except) items.push({ kind: 'function', text: n.text });
  }
  return items;
}

/**
 * Locals of `fnName` initialized with an integer literal and never written again are
 * constants: `int m = 1; ... b[i] = b[i - m]` has distance 1, which the analysis (that treats
 * m as an unknown symbol) cannot prove. Their reads are replaced by the literal, padded to
 * the name's length so offsets and lines stay as they were; a literal longer than the name
 * is left alone.
 */
function inlineConstants(text: string, fnName: string): string {
  const root = parse(text, 'c').rootNode;
  const fn = root.namedChildren.find((n) => n.type === 'function_definition' && functionName(n) === fnName);
  const body = fn?.childForFieldName('body');
  if (!body) return text;
  const ids: SyntaxNode[] = [];
  const consts = new Map<string, string>();
  const declared = new Map<string, number>();
  const walk = (n: SyntaxNode) => {
    if (n.type === 'identifier') ids.push(n);
    if (n.type === 'init_declarator') {
      const d = n.childForFieldName('declarator');
      const v = n.childForFieldName('value');
      if (d?.type === 'identifier') {
        declared.set(d.text, (declared.get(d.text) ?? 0) + 1);
        if (v?.type === 'number_literal' && /^\d+$/.test(v.text)) consts.set(d.text, v.text);
      }
    } else if (n.type === 'declaration') {
      for (const d of n.childrenForFieldName('declarator')) if (d.type === 'identifier') declared.set(d.text, (declared.get(d.text) ?? 0) + 1);
    }
    for (const c of n.namedChildren) walk(c);
  };
  walk(body);
  const written = (id: SyntaxNode) => {
    const p = id.parent;
    if (!p) return false;
    if (p.type === 'assignment_expression' && p.childForFieldName('left')?.id === id.id) return true;
    if (p.type === 'update_expression') return true;
    if (p.type === 'pointer_expression' && p.child(0)?.type === '&') return true;
    return false;
  };
  for (const id of ids) if (consts.has(id.text) && (written(id) || declared.get(id.text) !== 1)) consts.delete(id.text);
  // A parameter or global of the same name shadows nothing here only when declared once in the body (checked above).
  let out = text;
  for (const id of ids) {
    const lit = consts.get(id.text);
    if (lit === undefined || lit.length > id.text.length) continue;
    const p = id.parent;
    if (p?.type === 'init_declarator' && p.childForFieldName('declarator')?.id === id.id) continue;
    out = out.slice(0, id.startIndex) + lit.padEnd(id.text.length, ' ') + out.slice(id.endIndex);
  }
  return out;
}
