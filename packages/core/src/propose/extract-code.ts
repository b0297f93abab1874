// Pulls the rewritten kernel out of a model's answer.
//
// Small models wrap code in prose, repeat the original before the rewrite, add a
// main() or cut off mid-function. The rule: look only inside fenced blocks tagged as
// C-like (or untagged), find top-level definitions of a function with the kernel's
// name (a body, not a prototype), and take the LAST complete one — models tend to
// show the original first and the rewrite after it. The #include lines of that
// block come along; everything else (prose, helpers, main) is dropped: the static
// gate checks what is left, and the verifier decides whether it is any good.

export type ExtractResult =
  | { code: string; reason?: undefined }
  | { code: null; reason: string };

/** Info strings accepted as C code. Untagged fences count too: small models often omit the tag. */
const C_LIKE = new Set(['', 'c', 'h', 'cpp', 'c++', 'cxx', 'cc', 'hpp', 'cuda', 'cu', 'objc', 'clang']);

interface Fence {
  lang: string;
  body: string;
  closed: boolean;
}

/** Fenced blocks in CommonMark style: ``` or longer at the start of a line (up to 3 spaces indent). */
export function fencedBlocks(text: string): Fence[] {
  const lines = text.split(/\r?\n/);
  const out: Fence[] = [];
  let open: { ticks: number; lang: string; lines: string[] } | null = null;
  for (const line of lines) {
    if (open === null) {
      const m = /^ {0,3}(`{3,})\s*([^`\s]*)[^`]*$/.exec(line);
      if (m) open = { ticks: m[1]!.length, lang: m[2]!.toLowerCase(), lines: [] };
      continue;
    }
    const close = /^ {0,3}(`{3,})\s*$/.exec(line);
    if (close && close[1]!.length >= open.ticks) {
      out.push({ lang: open.lang, body: open.lines.join('\n'), closed: true });
      open = null;
    } else {
      open.lines.push(line);
    }
  }
  // An unclosed fence at the end: the answer was cut off. Keep it; the function in it
  // may still be complete.
  if (open) out.push({ lang: open.lang, body: open.lines.join('\n'), closed: false });
  return out;
}

interface Definition {
  text: string;
  complete: boolean;
}

/**
 * Top-level definitions of `name` in C source `code`, in order. Skips comments, string
 * and character literals and preprocessor lines, so braces in them do not count.
 */
export function findDefinitions(code: string, name: string): { defs: Definition[]; includes: string[] } {
  const defs: Definition[] = [];
  const includes: string[] = [];
  const n = code.length;
  let i = 0;
  let depth = 0; // braces
  let itemStart = 0; // where the current top-level declaration began
  let atLineStart = true;

  const skipNonCode = (j: number): number => {
    // Returns the index after a comment or literal starting at j, or j when there is none.
    const c = code[j];
    if (c === '/' && code[j + 1] === '/') {
      const e = code.indexOf('\n', j);
      return e < 0 ? n : e;
    }
    if (c === '/' && code[j + 1] === '*') {
      const e = code.indexOf('*/', j + 2);
      return e < 0 ? n : e + 2;
    }
    if (c === '"' || c === "'") {
      let k = j + 1;
      while (k < n && code[k] !== c && code[k] !== '\n') k += code[k] === '\\' ? 2 : 1;
      return Math.min(n, k + 1);
    }
    return j;
  };
  const skipSpace = (j: number): number => {
    for (;;) {
      while (j < n && /\s/.test(code[j]!)) j++;
      const k = skipNonCode(j);
      if (k === j || code[j] === '"' || code[j] === "'") return j;
      j = k;
    }
  };
  /** Index of the bracket matching the one at j, or -1 when the text ends first. */
  const matching = (j: number, openCh: string, closeCh: string): number => {
    let d = 0;
    let k = j;
    while (k < n) {
      const s = skipNonCode(k);
      if (s !== k) {
        k = s;
        continue;
      }
      if (code[k] === openCh) d++;
      else if (code[k] === closeCh && --d === 0) return k;
      k++;
    }
    return -1;
  };

  while (i < n) {
    const ch = code[i]!;
    if (ch === '\n') {
      atLineStart = true;
      i++;
      continue;
    }
    if (atLineStart && ch === '#' && depth === 0) {
      // Preprocessor line, with backslash continuations.
      let e = i;
      for (;;) {
        const nl = code.indexOf('\n', e);
        if (nl < 0) {
          e = n;
          break;
        }
        if (code[nl - 1] === '\\') e = nl + 1;
        else {
          e = nl;
          break;
        }
      }
      const line = code.slice(i, e).trim();
      if (/^#\s*include\b/.test(line)) includes.push(line);
      i = e;
      itemStart = e;
      continue;
    }
    if (!/\s/.test(ch)) atLineStart = false;
    const s = skipNonCode(i);
    if (s !== i) {
      i = s;
      continue;
    }
    if (ch === '{') depth++;
    else if (ch === '}') {
      depth = Math.max(0, depth - 1);
      if (depth === 0) itemStart = i + 1;
    } else if (ch === ';' && depth === 0) itemStart = i + 1;
    else if (depth === 0 && code.startsWith(name, i) && !/[\w$]/.test(code[i - 1] ?? ' ') && !/[\w$]/.test(code[i + name.length] ?? ' ')) {
      const paren = skipSpace(i + name.length);
      if (code[paren] === '(') {
        const closeParen = matching(paren, '(', ')');
        if (closeParen < 0) {
          defs.push({ text: code.slice(skipSpace(itemStart)), complete: false });
          break;
        }
        const next = skipSpace(closeParen + 1);
        if (code[next] === '{') {
          const end = matching(next, '{', '}');
          const start = skipSpace(itemStart);
          if (end < 0) {
            defs.push({ text: code.slice(start), complete: false });
            break;
          }
          defs.push({ text: code.slice(start, end + 1), complete: true });
          i = end + 1;
          itemStart = i;
          continue;
        }
        i = closeParen + 1; // a prototype or a call in an initializer
        continue;
      }
    }
    i++;
  }
  return { defs, includes };
}

/** The rewritten definition of `functionName` from a model answer, or null with the reason. */
export function extractFunction(answer: string, functionName: string): ExtractResult {
  const blocks = fencedBlocks(answer);
  if (blocks.length === 0) return { code: null, reason: 'the answer has no fenced code block' };
  const cBlocks = blocks.filter((b) => C_LIKE.has(b.lang));
  if (cBlocks.length === 0) {
    const langs = [...new Set(blocks.map((b) => b.lang))].join(', ');
    return { code: null, reason: `no C code block in the answer (fenced blocks are: ${langs})` };
  }
  let best: { def: Definition; includes: string[] } | null = null;
  let sawIncomplete = false;
  for (const b of cBlocks) {
    const { defs, includes } = findDefinitions(b.body, functionName);
    for (const def of defs) {
      if (def.complete) best = { def, includes };
      else sawIncomplete = true;
    }
  }
  if (best === null) {
    return {
      code: null,
      reason: sawIncomplete
        ? `the definition of ${functionName} is incomplete (answer cut off?)`
        : `no definition of a function named ${functionName} in the answer's code blocks`,
    };
  }
  const head = [...new Set(best.includes)].join('\n');
  return { code: (head ? `${head}\n\n` : '') + best.def.text.trim() + '\n' };
}
