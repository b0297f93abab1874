// Kernel features for few-shot example retrieval: a handful of numbers and flags read
// from the C text of one function, enough to tell "a dot product" from "a stencil" from
// "a histogram" when picking which worked examples to show a model.
//
// Token level on purpose: no parser, no analysis state, nothing imported (strategy/ is a
// leaf). Comments, string and character literals and preprocessor lines (so also
// `#pragma omp parallel for`) are removed first; the rest is split into tokens and
// walked once as statements, so loop nesting and "inside a loop" are structural, not
// guessed from indentation. The same text always gives the same features.

export interface KernelFeatures {
  /** `for` statements. */
  forLoops: number;
  /** `while` and `do … while` statements. */
  whileLoops: number;
  /** Deepest loop nesting (0: no loop, 1: loops but none nested, 2: a doubly nested loop, …). */
  maxLoopDepth: number;
  /** Distinct identifiers directly followed by `[` (arrays and pointers indexed, declarations included). */
  arrays: number;
  /** 2-D or flattened indexing: `a[i][j]`, or `a[i*n + j]` (a product of two names plus an offset in one subscript). */
  multiDimIndexing: boolean;
  /** A scalar updated from itself inside a loop: `s += …` (any compound assignment) or `s = s <op> …`, s not indexed. */
  scalarAccumulation: boolean;
  /** A subscript that contains a subscript: `a[b[i]]`. */
  indirectIndexing: boolean;
  /** `if`, `switch` or `?:` inside a loop body. */
  conditionalInLoop: boolean;
  /** Calls of <math.h> functions (sqrt, exp, pow, sin, fabs, … and their f/l forms). */
  mathCalls: number;
  /**
   * A value carried from one iteration to the next that is not a plain reduction (so the
   * loop likely stays serial): a scalar accumulated in a loop and also used elsewhere in
   * that loop (`acc += x[i]; out[i] = acc;`, a prefix sum), or an array written in a loop
   * nest and read there at a constant offset from its written subscripts (`x[i] = x[i-1] …`).
   * A heuristic: a scalar reset at the top of each iteration also counts.
   */
  recurrence: boolean;
}

const MATH_BASE = [
  'sqrt', 'cbrt', 'exp', 'exp2', 'expm1', 'log', 'log2', 'log10', 'log1p', 'pow', 'hypot',
  'sin', 'cos', 'tan', 'asin', 'acos', 'atan', 'atan2', 'sinh', 'cosh', 'tanh', 'erf', 'erfc',
  'fabs', 'floor', 'ceil', 'round', 'trunc', 'fmod', 'fmin', 'fmax', 'fma',
];
const MATH_FUNCTIONS = new Set(MATH_BASE.flatMap((f) => [f, `${f}f`, `${f}l`]));

const COMPOUND_ASSIGN = new Set(['+=', '-=', '*=', '/=', '%=', '&=', '|=', '^=', '<<=', '>>=']);
const BINARY_AFTER_SELF = new Set(['+', '-', '*', '/', '%', '&', '|', '^', '<<', '>>']);
// Longest first: the tokenizer takes the first that matches.
const PUNCTUATORS = [
  '<<=', '>>=', '...',
  '->', '++', '--', '<<', '>>', '<=', '>=', '==', '!=', '&&', '||', '+=', '-=', '*=', '/=', '%=', '&=', '|=', '^=',
];

/** Comments, string/char literals and preprocessor lines blanked out (literals become `0`). */
export function stripCode(text: string): string {
  let out = '';
  let i = 0;
  let lineStart = true; // only whitespace since the last newline
  while (i < text.length) {
    const c = text[i]!;
    const next = text[i + 1];
    if (c === '/' && next === '/') {
      while (i < text.length && text[i] !== '\n') i++;
      continue;
    }
    if (c === '/' && next === '*') {
      const end = text.indexOf('*/', i + 2);
      i = end < 0 ? text.length : end + 2;
      out += ' ';
      continue;
    }
    if (c === '"' || c === "'") {
      i++;
      while (i < text.length && text[i] !== c && text[i] !== '\n') i += text[i] === '\\' ? 2 : 1;
      i++;
      out += ' 0 ';
      lineStart = false;
      continue;
    }
    if (c === '#' && lineStart) {
      // A directive runs to the end of its line, continued by a backslash before the newline.
      while (i < text.length && text[i] !== '\n') {
        if (text[i] === '\\' && text[i + 1] === '\n') i++;
        else if (text[i] === '\\' && text[i + 1] === '\r' && text[i + 2] === '\n') i += 2;
        i++;
      }
      continue;
    }
    if (c === '\n') lineStart = true;
    else if (c !== ' ' && c !== '\t' && c !== '\r' && c !== '\f' && c !== '\v') lineStart = false;
    out += c;
    i++;
  }
  return out;
}

type TokenKind = 'id' | 'num' | 'punct';
interface Token {
  kind: TokenKind;
  text: string;
}

function tokenize(code: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < code.length) {
    const c = code[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (/[A-Za-z_$]/.test(c)) {
      let j = i + 1;
      while (j < code.length && /[A-Za-z0-9_$]/.test(code[j]!)) j++;
      tokens.push({ kind: 'id', text: code.slice(i, j) });
      i = j;
      continue;
    }
    if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(code[i + 1] ?? ''))) {
      // pp-number: digits, letters, dots, and a sign right after an exponent letter.
      let j = i + 1;
      while (j < code.length && (/[A-Za-z0-9_.]/.test(code[j]!) || (/[+-]/.test(code[j]!) && /[eEpP]/.test(code[j - 1]!)))) j++;
      tokens.push({ kind: 'num', text: code.slice(i, j) });
      i = j;
      continue;
    }
    const p = PUNCTUATORS.find((q) => code.startsWith(q, i)) ?? c;
    tokens.push({ kind: 'punct', text: p });
    i += p.length;
  }
  return tokens;
}

/** Per token: how many loops it sits in (body only) and whether it is part of a loop header. */
interface Placement {
  depth: number[];
  header: boolean[];
  /** Every loop statement as a token range [start, end): keyword, header, body (and a do's condition). */
  loops: Array<{ start: number; end: number }>;
  forLoops: number;
  whileLoops: number;
  maxLoopDepth: number;
}

/**
 * Walks the tokens as C statements. Tolerant: unbalanced or unusual text (a fragment,
 * a macro the walker does not know) never throws; it only makes the nesting less exact.
 */
function place(tokens: Token[]): Placement {
  const n = tokens.length;
  const depth = new Array<number>(n).fill(0);
  const header = new Array<boolean>(n).fill(false);
  const r: Placement = { depth, header, loops: [], forLoops: 0, whileLoops: 0, maxLoopDepth: 0 };
  const is = (i: number, text: string) => i < n && tokens[i]!.text === text;

  /** Index just past the bracket group opening at `i` (`(`, `[` or `{`), marking its tokens. */
  const group = (i: number, d: number, isHeader: boolean): number => {
    const open = tokens[i]!.text;
    const close = open === '(' ? ')' : open === '[' ? ']' : '}';
    let level = 0;
    for (let j = i; j < n; j++) {
      depth[j] = d;
      header[j] = isHeader;
      const t = tokens[j]!.text;
      if (t === open) level++;
      else if (t === close && --level === 0) return j + 1;
    }
    return n;
  };

  /** A parenthesized header at `i` (if present) belonging to a statement at loop depth `d`. */
  const parenHeader = (i: number, d: number, isLoopHeader: boolean): number => (is(i, '(') ? group(i, d, isLoopHeader) : i);

  const loopBody = (i: number, d: number): number => {
    r.maxLoopDepth = Math.max(r.maxLoopDepth, d + 1);
    return statement(i, d + 1);
  };

  /** One statement starting at `i` at loop depth `d`; returns the index after it. */
  const statement = (i: number, d: number): number => {
    if (i >= n) return n;
    const t = tokens[i]!;
    depth[i] = d;
    if (t.text === '{') {
      let j = i + 1;
      while (j < n && !is(j, '}')) j = statement(j, d);
      if (j < n) depth[j] = d;
      return Math.min(j + 1, n);
    }
    if (t.text === ';') return i + 1;
    if (t.kind === 'id') {
      switch (t.text) {
        case 'for':
        case 'while': {
          if (t.text === 'for') r.forLoops++;
          else r.whileLoops++;
          const end = loopBody(parenHeader(i + 1, d, true), d);
          r.loops.push({ start: i, end });
          return end;
        }
        case 'do': {
          r.whileLoops++;
          let j = loopBody(i + 1, d);
          if (is(j, 'while')) {
            depth[j] = d;
            j = parenHeader(j + 1, d, true);
          }
          if (is(j, ';')) depth[j++] = d;
          r.loops.push({ start: i, end: j });
          return j;
        }
        case 'if': {
          let j = statement(parenHeader(i + 1, d, false), d);
          if (is(j, 'else')) {
            depth[j] = d;
            j = statement(j + 1, d);
          }
          return j;
        }
        case 'switch':
          return statement(parenHeader(i + 1, d, false), d);
        case 'else':
          return statement(i + 1, d); // stray else (unbalanced text): take what follows
        default:
          break;
      }
    }
    // An expression or declaration statement: up to the `;` outside brackets. A `{` in it is
    // an initializer or a compound literal; a `}` not opened here ends the enclosing block.
    let j = i;
    while (j < n) {
      const text = tokens[j]!.text;
      if (text === ';') {
        depth[j] = d;
        return j + 1;
      }
      if (text === '}') return j === i ? j + 1 : j;
      if (text === '(' || text === '[' || text === '{') j = group(j, d, false);
      else depth[j++] = d;
    }
    return n;
  };

  // The function body is the first top-level `{`; everything before it (return type,
  // parameters) is at depth 0. Text without a body is walked as statements.
  let start = tokens.findIndex((t) => t.text === '{');
  if (start < 0) start = 0;
  let i = start;
  while (i < n) i = statement(i, 0);
  return r;
}

/** Index of the `]` closing the `[` at `open` (or the end). */
function closingBracket(tokens: Token[], open: number): number {
  let level = 0;
  for (let j = open; j < tokens.length; j++) {
    const t = tokens[j]!.text;
    if (t === '[') level++;
    else if (t === ']' && --level === 0) return j;
  }
  return tokens.length;
}

/** `x * y` with names (or parenthesized groups) on both sides, and a `+`/`-` beside it, at the subscript's own level. */
function isFlattened(tokens: Token[], open: number, close: number): boolean {
  let product = false;
  let offset = false;
  let level = 0;
  for (let j = open + 1; j < close; j++) {
    const t = tokens[j]!.text;
    if (t === '(' || t === '[') level++;
    else if (t === ')' || t === ']') level--;
    if (level < 0) break;
    const prev = tokens[j - 1]!;
    const next = tokens[j + 1];
    if (t === '*' && next) {
      const left = prev.kind === 'id' || prev.text === ')';
      const right = next.kind === 'id' || next.text === '(';
      if (left && right) product = true;
    } else if ((t === '+' || t === '-') && (prev.kind !== 'punct' || prev.text === ')' || prev.text === ']')) offset = true;
  }
  return product && offset;
}

/** An element access `X[…]…[…]`: where, the subscripts' text, whether it is assigned. */
interface ElementAccess {
  name: string;
  at: number;
  subscripts: string;
  write: boolean;
  /** A subscript with `± constant` at its own level (`x[i-1]`, `u[i*n + j+1]`). */
  offset: boolean;
}

function elementAccess(tokens: Token[], at: number): ElementAccess {
  let j = at + 1;
  let offset = false;
  const parts: string[] = [];
  while (tokens[j]?.text === '[') {
    const close = closingBracket(tokens, j);
    let level = 0;
    for (let k = j + 1; k < close; k++) {
      const t = tokens[k]!.text;
      if (t === '(' || t === '[') level++;
      else if (t === ')' || t === ']') level--;
      else if (level === 0 && (t === '+' || t === '-') && tokens[k + 1]?.kind === 'num') offset = true;
    }
    parts.push(tokens.slice(j, close + 1).map((t) => t.text).join(' '));
    j = close + 1;
  }
  const after = tokens[j]?.text ?? '';
  const before = tokens[at - 1]?.text ?? '';
  const write = after === '=' || COMPOUND_ASSIGN.has(after) || after === '++' || after === '--' || before === '++' || before === '--';
  return { name: tokens[at]!.text, at, subscripts: parts.join(''), write, offset };
}

/** Index of the `;` (or unmatched closer) ending the expression that contains `at`. */
function expressionEnd(tokens: Token[], at: number): number {
  let level = 0;
  for (let j = at; j < tokens.length; j++) {
    const t = tokens[j]!.text;
    if (t === '(' || t === '[' || t === '{') level++;
    else if (t === ')' || t === ']' || t === '}') {
      if (--level < 0) return j;
    } else if (t === ';' && level === 0) return j;
  }
  return tokens.length;
}

function findRecurrence(tokens: Token[], p: Placement, accumulations: number[], accesses: ElementAccess[]): boolean {
  const within = (l: { start: number; end: number }, i: number) => l.start <= i && i < l.end;
  // Loops are pushed innermost first (a loop is recorded when its body is done).
  const innermost = (i: number) => p.loops.find((l) => within(l, i));
  const outermost = (i: number) => p.loops.findLast((l) => within(l, i));
  for (const at of accumulations) {
    const loop = innermost(at);
    if (!loop) continue;
    const name = tokens[at]!.text;
    const end = expressionEnd(tokens, at);
    for (let j = loop.start; j < loop.end; j++) {
      if ((j < at || j > end) && tokens[j]!.text === name && tokens[j]!.kind === 'id' && tokens[j - 1]?.text !== '.' && tokens[j - 1]?.text !== '->') return true;
    }
  }
  for (const w of accesses) {
    if (!w.write) continue;
    const nest = outermost(w.at);
    if (!nest) continue;
    const written = new Set(accesses.filter((a) => a.write && a.name === w.name && within(nest, a.at)).map((a) => a.subscripts));
    if (accesses.some((a) => a.name === w.name && a.offset && within(nest, a.at) && !written.has(a.subscripts))) return true;
  }
  return false;
}

export function kernelFeatures(functionText: string): KernelFeatures {
  const tokens = tokenize(stripCode(functionText));
  const placement = place(tokens);
  const { depth, header, forLoops, whileLoops, maxLoopDepth } = placement;
  const arrays = new Set<string>();
  const accumulations: number[] = [];
  const accesses: ElementAccess[] = [];
  let multiDimIndexing = false;
  let indirectIndexing = false;
  let conditionalInLoop = false;
  let mathCalls = 0;
  let subscriptLevel = 0;

  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    const prev = tokens[i - 1];
    const next = tokens[i + 1];
    const inBody = depth[i]! > 0 && !header[i];
    if (t.text === '[') {
      subscriptLevel++;
      if (prev?.text === ']') multiDimIndexing = true;
      if (!multiDimIndexing && isFlattened(tokens, i, closingBracket(tokens, i))) multiDimIndexing = true;
    } else if (t.text === ']') subscriptLevel = Math.max(0, subscriptLevel - 1);
    if (t.kind !== 'id') {
      if (t.text === '?' && inBody) conditionalInLoop = true;
      continue;
    }
    if (next?.text === '[') {
      arrays.add(t.text);
      if (subscriptLevel > 0) indirectIndexing = true;
      if (inBody) accesses.push(elementAccess(tokens, i));
    }
    if ((t.text === 'if' || t.text === 'switch') && depth[i]! > 0) conditionalInLoop = true;
    if (next?.text === '(' && MATH_FUNCTIONS.has(t.text) && prev?.text !== '.' && prev?.text !== '->') mathCalls++;
    // A scalar (not a member, not dereferenced, not an element) updated from itself.
    if (inBody && prev?.text !== '.' && prev?.text !== '->' && prev?.text !== '*' && next) {
      if (COMPOUND_ASSIGN.has(next.text)) accumulations.push(i);
      else if (next.text === '=' && tokens[i + 2]?.text === t.text && BINARY_AFTER_SELF.has(tokens[i + 3]?.text ?? '')) accumulations.push(i);
    }
  }

  return {
    forLoops,
    whileLoops,
    maxLoopDepth,
    arrays: arrays.size,
    multiDimIndexing,
    scalarAccumulation: accumulations.length > 0,
    indirectIndexing,
    conditionalInLoop,
    mathCalls,
    recurrence: findRecurrence(tokens, placement, accumulations, accesses),
  };
}

/**
 * How much each difference counts in featureDistance. The flags weigh most: they decide
 * the shape of the answer (a reduction clause, collapse, atomics, a serial loop), while
 * counts only say how big the kernel is. Counts are capped so one huge kernel does not
 * drown every other difference.
 */
export const FEATURE_WEIGHTS = {
  /** per level of nesting difference, at most 3 levels */
  maxLoopDepth: 2,
  /** per `for` loop of difference, at most 4 */
  forLoops: 1,
  /** when one has while/do loops and the other none */
  whileLoops: 2,
  /** per distinct array of difference, at most 6 */
  arrays: 0.5,
  multiDimIndexing: 3,
  scalarAccumulation: 3,
  indirectIndexing: 3,
  conditionalInLoop: 2,
  /** when one calls math functions and the other does not */
  mathPresence: 1,
  /** per math call of difference, at most 4 */
  mathCalls: 0.25,
  recurrence: 3,
} as const;

/**
 * Weighted L1 distance between two kernels' features (FEATURE_WEIGHTS): symmetric, never
 * negative, 0 for identical features. Smaller is more alike.
 */
export function featureDistance(a: KernelFeatures, b: KernelFeatures): number {
  const w = FEATURE_WEIGHTS;
  const diff = (x: number, y: number, cap: number) => Math.min(Math.abs(x - y), cap);
  const flag = (x: boolean, y: boolean) => (x === y ? 0 : 1);
  return (
    w.maxLoopDepth * diff(a.maxLoopDepth, b.maxLoopDepth, 3) +
    w.forLoops * diff(a.forLoops, b.forLoops, 4) +
    w.whileLoops * flag(a.whileLoops > 0, b.whileLoops > 0) +
    w.arrays * diff(a.arrays, b.arrays, 6) +
    w.multiDimIndexing * flag(a.multiDimIndexing, b.multiDimIndexing) +
    w.scalarAccumulation * flag(a.scalarAccumulation, b.scalarAccumulation) +
    w.indirectIndexing * flag(a.indirectIndexing, b.indirectIndexing) +
    w.conditionalInLoop * flag(a.conditionalInLoop, b.conditionalInLoop) +
    w.mathPresence * flag(a.mathCalls > 0, b.mathCalls > 0) +
    w.mathCalls * diff(a.mathCalls, b.mathCalls, 4) +
    w.recurrence * flag(a.recurrence, b.recurrence)
  );
}
