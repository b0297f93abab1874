// Kernel identity: what extraction produces from a translation unit.

export interface Param {
  name: string;
  /** Type text as written, normalized (e.g. "const double *"). */
  type: string;
}

export interface Signature {
  returnType: string;
  params: Param[];
  /** Normalized text of the whole declarator, e.g. "void matmul(int n, const double *a)". */
  text: string;
}

/** One item of the kernel's closure in its translation unit. */
export interface ClosureItem {
  kind: 'include' | 'macro' | 'type' | 'function' | 'global';
  name: string;
  /** Normalized token text of the item's definition. */
  text: string;
}

export interface KernelUnit {
  name: string;
  /** 'c' or 'cuda' (by file extension). */
  language: 'c' | 'cuda';
  signature: Signature;
  /** Normalized token text of the function definition (comments and formatting removed). */
  normalizedText: string;
  /** Everything the kernel uses from its TU, transitively, sorted by (kind, name). */
  closure: ClosureItem[];
  /** Byte range of the function definition in the source file (for splicing). */
  range: { start: number; end: number };
  /** Exact source text of the function definition. */
  sourceText: string;
}
