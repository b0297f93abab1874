// Size expressions ("n*m+1", "g_nnz", "(n+1)/2", "batch*(1<<logn)"): the tiny language of
// lengths, scalar values and generator node counts: names, numbers, + - * / % << >> and
// parentheses, with C precedence. The harness evaluates them in C (64-bit integer
// arithmetic, truncating division); this file checks them and can evaluate them the same
// way in TypeScript.

export type Token =
  | { kind: 'name'; text: string }
  | { kind: 'number'; text: string; value: number }
  | { kind: 'op'; text: '+' | '-' | '*' | '/' | '%' | '<<' | '>>' | '(' | ')' };

export interface ExprOptions {
  /** Allow decimal literals such as 0.5 (scalar values only; lengths are integers). */
  allowDecimals?: boolean;
}

/** Splits an expression into tokens; throws Error naming the first bad character. */
export function tokenize(text: string, opts: ExprOptions = {}): Token[] {
  const tokens: Token[] = [];
  const re = /\s*(?:([A-Za-z_][A-Za-z0-9_]*)|(\d+(?:\.\d+)?)|(<<|>>|[-+*/%()]))/y;
  let pos = 0;
  while (pos < text.length) {
    if (/^\s*$/.test(text.slice(pos))) break;
    re.lastIndex = pos;
    const m = re.exec(text);
    if (!m) throw new Error(`unexpected character '${text.slice(pos).trim()[0]}' at offset ${pos}`);
    pos = re.lastIndex;
    if (m[1] !== undefined) tokens.push({ kind: 'name', text: m[1] });
    else if (m[2] !== undefined) {
      if (m[2].includes('.') && !opts.allowDecimals) throw new Error(`decimal literal ${m[2]} is not allowed here (integers only)`);
      tokens.push({ kind: 'number', text: m[2], value: Number(m[2]) });
    } else tokens.push({ kind: 'op', text: m[3] as '+' });
  }
  if (tokens.length === 0) throw new Error('empty expression');
  return tokens;
}

type Node =
  | { kind: 'num'; value: number }
  | { kind: 'name'; name: string }
  | { kind: 'neg'; arg: Node }
  | { kind: 'bin'; op: string; left: Node; right: Node };

/** Parses with C precedence; throws Error describing the first syntax problem. */
function parseTokens(tokens: Token[]): Node {
  let i = 0;
  const peek = () => tokens[i];
  const isOp = (t: Token | undefined, ...ops: string[]) => t?.kind === 'op' && ops.includes(t.text);
  function primary(): Node {
    const t = tokens[i++];
    if (!t) throw new Error('expression ends too early');
    if (t.kind === 'number') return { kind: 'num', value: t.value };
    if (t.kind === 'name') return { kind: 'name', name: t.text };
    if (t.text === '(') {
      const e = shift();
      if (!isOp(tokens[i++], ')')) throw new Error("missing ')'");
      return e;
    }
    if (t.text === '-' || t.text === '+') {
      const arg = primary();
      return t.text === '-' ? { kind: 'neg', arg } : arg;
    }
    throw new Error(`unexpected '${t.text}'`);
  }
  function product(): Node {
    let left = primary();
    while (isOp(peek(), '*', '/', '%')) {
      const op = tokens[i++]!.text;
      left = { kind: 'bin', op, left, right: primary() };
    }
    return left;
  }
  function sum(): Node {
    let left = product();
    while (isOp(peek(), '+', '-')) {
      const op = tokens[i++]!.text;
      left = { kind: 'bin', op, left, right: product() };
    }
    return left;
  }
  function shift(): Node {
    let left = sum();
    while (isOp(peek(), '<<', '>>')) {
      const op = tokens[i++]!.text;
      left = { kind: 'bin', op, left, right: sum() };
    }
    return left;
  }
  const e = shift();
  if (i < tokens.length) throw new Error(`unexpected '${tokens[i]!.text}' after a complete expression`);
  return e;
}

/**
 * Checks syntax and that every name is one of `known`. Returns the names used.
 * Throws Error with a message fit to follow a field path.
 */
export function checkExpression(text: string, known: ReadonlySet<string>, opts: ExprOptions = {}): string[] {
  const tokens = tokenize(text, opts);
  parseTokens(tokens);
  const names = tokens.filter((t) => t.kind === 'name').map((t) => t.text);
  for (const n of names) {
    if (!known.has(n)) {
      const list = [...known].sort().join(', ') || '(none)';
      throw new Error(`unknown name '${n}' in "${text}"; known sizes here: ${list}`);
    }
  }
  return names;
}

/** Evaluates like the harness does in C: integers truncate on / and %, decimals stay real. */
export function evaluateExpression(text: string, env: Readonly<Record<string, number>>, opts: ExprOptions = {}): number {
  const node = parseTokens(tokenize(text, opts));
  const ev = (n: Node): number => {
    switch (n.kind) {
      case 'num':
        return n.value;
      case 'name': {
        const v = env[n.name];
        if (v === undefined) throw new Error(`unknown name '${n.name}' in "${text}"`);
        return v;
      }
      case 'neg':
        return -ev(n.arg);
      case 'bin': {
        const a = ev(n.left);
        const b = ev(n.right);
        const ints = Number.isInteger(a) && Number.isInteger(b);
        switch (n.op) {
          case '+': return a + b;
          case '-': return a - b;
          case '*': return a * b;
          case '<<': return a * 2 ** b;
          case '>>': return Math.floor(a / 2 ** b);
          case '/':
            if (b === 0) throw new Error(`division by zero in "${text}"`);
            return ints ? Math.trunc(a / b) : a / b;
          default:
            if (b === 0) throw new Error(`division by zero in "${text}"`);
            return a % b;
        }
      }
    }
  };
  return ev(node);
}

/**
 * The expression as C source for the harness, where sizes are `long long`: integer literals
 * get an LL suffix so `1<<logn` or `65536*65536` do not overflow int.
 */
export function toCExpression(text: string, opts: ExprOptions = {}): string {
  return tokenize(text, opts)
    .map((t) => (t.kind === 'number' && !t.text.includes('.') ? `${t.text}LL` : t.text))
    .join(' ');
}
