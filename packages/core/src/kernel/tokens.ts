// A small C/CUDA lexer, used for two things:
//  - the normalized text of a kernel and of every closure item (what the key hashes);
//  - the identifiers a piece of code mentions (what the closure follows).
//
// Why a lexer and not tree-sitter's leaves: tree-sitter keeps a macro body
// (`preproc_arg`) as one raw leaf with its spacing and comments, and splits string
// literals into several leaves. One token definition for code and macro bodies alike
// keeps the normalized text stable under reformatting and sensitive to any token edit.
import type { Language } from './parse.js';

export type TokenKind = 'identifier' | 'number' | 'string' | 'header' | 'punct' | 'other';

export interface Token {
  kind: TokenKind;
  text: string;
  /** True for the first token of a preprocessor directive (`#` with the directive name, e.g. `#pragma`). */
  directiveStart?: boolean;
  /** True for the last token of a preprocessor directive (the line ends after it). */
  directiveEnd?: boolean;
  /** True for the `(` right after a function-like macro's name: `#define F(x)` is not `#define F (x)`. */
  gluedToPrevious?: boolean;
}

// Longest first, so `<<=` wins over `<<` and `<`.
const C_PUNCTUATORS = [
  '...', '<<=', '>>=',
  '->', '++', '--', '<<', '>>', '<=', '>=', '==', '!=', '&&', '||',
  '*=', '/=', '%=', '+=', '-=', '&=', '^=', '|=', '##', '::',
];
// CUDA launch syntax `k<<<grid, block>>>(...)`.
const CUDA_PUNCTUATORS = ['<<<', '>>>', ...C_PUNCTUATORS];

const IDENT_START = /[A-Za-z_$\u0080-\uffff]/;
const IDENT_REST = /[\w$\u0080-\uffff]*/y;
// A preprocessing number: digits, letters, dots, digit separators and exponent signs.
const PP_NUMBER = /\.?\d(?:[eEpP][+-]|[\w.']|)*/y;
const STRING_PREFIXES = new Set(['L', 'u', 'U', 'u8']);

/** Splits C or CUDA text into tokens; comments, whitespace and line splices are dropped. */
export function tokenize(text: string, language: Language = 'c'): Token[] {
  const punctuators = language === 'cuda' ? CUDA_PUNCTUATORS : C_PUNCTUATORS;
  const tokens: Token[] = [];
  let i = 0;
  let atLineStart = true; // only whitespace/comments since the last newline
  let inDirective = false;

  const endDirective = () => {
    const last = tokens[tokens.length - 1];
    if (inDirective && last) last.directiveEnd = true;
    inDirective = false;
  };
  const push = (kind: TokenKind, tokenText: string) => {
    const last = tokens[tokens.length - 1];
    if (kind === 'identifier' && last?.directiveStart && last.text === '#') {
      // `#  define` is `#define`: one token for the directive name.
      last.text += tokenText;
      return;
    }
    const token: Token = { kind, text: tokenText };
    if (atLineStart && tokenText === '#') {
      token.directiveStart = true;
      inDirective = true;
    }
    tokens.push(token);
    atLineStart = false;
  };

  while (i < text.length) {
    const c = text[i]!;
    if (c === '\n') {
      endDirective();
      atLineStart = true;
      i++;
    } else if (c === '\\' && /^\\[ \t]*\r?\n/.test(text.slice(i, i + 64))) {
      // Line splice: the logical line (and the directive) goes on.
      i = text.indexOf('\n', i) + 1;
    } else if (/\s/.test(c)) {
      i++;
    } else if (text.startsWith('//', i)) {
      const nl = text.indexOf('\n', i);
      i = nl === -1 ? text.length : nl;
    } else if (text.startsWith('/*', i)) {
      const close = text.indexOf('*/', i + 2);
      i = close === -1 ? text.length : close + 2;
    } else if (c === '"' || c === "'") {
      const end = quotedEnd(text, i);
      const prefix = takeStringPrefix(tokens, text, i);
      push('string', prefix + text.slice(i, end));
      i = end;
    } else if (c === '<' && isIncludeDirective(tokens, inDirective)) {
      const close = text.indexOf('>', i);
      const end = close === -1 ? text.length : close + 1;
      push('header', text.slice(i, end));
      i = end;
    } else if (/\d/.test(c) || (c === '.' && /\d/.test(text[i + 1] ?? ''))) {
      PP_NUMBER.lastIndex = i;
      const m = PP_NUMBER.exec(text)!;
      push('number', m[0]);
      i += m[0].length;
    } else if (IDENT_START.test(c)) {
      IDENT_REST.lastIndex = i + 1;
      const m = IDENT_REST.exec(text)!;
      push('identifier', c + m[0]);
      i += 1 + m[0].length;
    } else {
      const p = punctuators.find((candidate) => text.startsWith(candidate, i)) ?? c;
      const glued = p === '(' && isFunctionLikeMacroParen(tokens, text, i);
      push(p.length > 1 || /[[\](){}.&*+\-~!/%<>^|?:;=,#]/.test(p) ? 'punct' : 'other', p);
      if (glued) tokens[tokens.length - 1]!.gluedToPrevious = true;
      i += p.length;
    }
  }
  endDirective();
  return tokens;
}

/**
 * Normalized text: tokens joined by single spaces, with each preprocessor directive
 * on its own line (so `#pragma omp for` keeps its extent and the text stays valid C).
 * Comment, whitespace and formatting edits do not change it; any token edit does.
 */
export function normalizeTokens(text: string, language: Language = 'c'): string {
  let out = '';
  let newlineBefore = false;
  for (const token of tokenize(text, language)) {
    if (out !== '' && !token.gluedToPrevious) out += newlineBefore || token.directiveStart ? '\n' : ' ';
    out += token.text;
    newlineBefore = token.directiveEnd === true;
  }
  return out;
}

/** Every identifier a text mentions (keywords included; they match no definition). */
export function identifiersIn(text: string, language: Language = 'c'): Set<string> {
  const names = new Set<string>();
  for (const token of tokenize(text, language)) if (token.kind === 'identifier') names.add(token.text);
  return names;
}

/** Index just past the closing quote of the literal starting at `start` (or the line end). */
function quotedEnd(text: string, start: number): number {
  const quote = text[start];
  let i = start + 1;
  while (i < text.length && text[i] !== quote && text[i] !== '\n') i += text[i] === '\\' ? 2 : 1;
  return Math.min(i + 1, text.length);
}

/** `L"x"`, `u8"x"`: a prefix lexed as an identifier right before the quote belongs to the literal. */
function takeStringPrefix(tokens: Token[], text: string, quoteAt: number): string {
  const last = tokens[tokens.length - 1];
  if (last?.kind !== 'identifier' || !STRING_PREFIXES.has(last.text)) return '';
  if (text.slice(quoteAt - last.text.length, quoteAt) !== last.text) return ''; // `L "x"` is two tokens
  tokens.pop();
  return last.text;
}

/** `(` at `at` directly follows the name in `#define NAME(`. */
function isFunctionLikeMacroParen(tokens: Token[], text: string, at: number): boolean {
  const n = tokens.length;
  const name = tokens[n - 1];
  const directive = tokens[n - 2];
  return directive?.directiveStart === true && directive.text === '#define' && name?.kind === 'identifier' && text.slice(at - name.text.length, at) === name.text;
}

function isIncludeDirective(tokens: Token[], inDirective: boolean): boolean {
  const last = tokens[tokens.length - 1];
  return inDirective && last?.directiveStart === true && (last.text === '#include' || last.text === '#include_next');
}
