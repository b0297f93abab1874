// One place that knows how to get a tree-sitter tree for C or CUDA source.
// Parsers are created lazily (nothing happens at import time) and reused.
import { createRequire } from 'node:module';
import type ParserType from 'tree-sitter';

const require = createRequire(import.meta.url);

export type Language = 'c' | 'cuda';
export type SyntaxNode = ParserType.SyntaxNode;
export type Tree = ParserType.Tree;

const parsers = new Map<Language, ParserType>();

function parserFor(language: Language): ParserType {
  let p = parsers.get(language);
  if (!p) {
    const Parser = require('tree-sitter') as typeof ParserType;
    p = new Parser();
    p.setLanguage(require(language === 'c' ? 'tree-sitter-c' : 'tree-sitter-cuda'));
    parsers.set(language, p);
  }
  return p;
}

/** The language a source path is parsed as: .cu/.cuh are CUDA, everything else C. */
export function languageOf(path: string): Language {
  return /\.cuh?$/i.test(path) ? 'cuda' : 'c';
}

export function parse(text: string, language: Language = 'c'): Tree {
  // tree-sitter's default buffer is 32 KiB; larger sources need a bigger one.
  return parserFor(language).parse(text, undefined, { bufferSize: Math.max(32 * 1024, text.length * 2 + 1024) });
}
