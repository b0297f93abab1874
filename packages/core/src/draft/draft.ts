// Drafting a kernel spec from its code: what `autopar spec init`, `nx g @autopar/nx:kernel`
// and `autopar spec calibrate` start from. (Its own folder: it reads the analysis, the spec
// types and the verifier, and only the CLI and the Nx generator read it — no folder cycle.)
// Everything here is a guess read off the source and the dependence analysis (packages/core/src/analysis), never a fact: every guessed
// field is listed in `confirm` with why it was chosen, for the user to check.
//
//  - arguments: signature order; pointers are buffers, the rest scalars;
//  - element types: the pointee/declared type (const and restrict dropped);
//  - input/output/inout: from the analysis' reads and writes of each pointer (a buffer whose
//    every read follows a plain store to the same element is an output);
//  - lengths: 1 + the largest subscript the loop bounds allow (`A[i*n+k]`, 0<=i,k<n → n*n),
//    or the declared dimensions of a C99 array parameter (`double C[ni][nj]` → ni*nj);
//  - CSR graphs: `for (j = P[i]; j < P[i+1]; j++) ... Q[j]` makes P a row-pointer array and Q
//    column indices/weights of a generated csr_graph;
//  - sizes: integer scalars that bound loops or lengths; those that only count repetitions
//    of an outer loop (time steps, iterations) get small test values;
//  - test sizes: 1, 2, primes and odd tails; the bench size is a placeholder until
//    `calibrate` times the original;
//  - tolerance: from the floating element type of the outputs.
import type { KernelUnit } from '../kernel/types.js';
import { analyzeState, type AnalysisState } from '../analysis/analyze.js';
import { boundsOf, expandDefs, provablyNonNegative, toPoly } from '../analysis/affine.js';
import { add, constPoly, factorNames, isIndexFactor, polyText, type Poly } from '../analysis/poly.js';
import type { Access } from '../analysis/accesses.js';
import type { LoopNode } from '../analysis/loops.js';
import type { ArgSpec, ElemType, GeneratorSpec, InitSpec, KernelSpec, SizeBinding, Tolerance } from '../spec/types.js';

/** One guess the user should confirm: the JSON path of the field and why it was chosen. */
export interface DraftNote {
  field: string;
  guess: string;
}

export interface SpecDraft {
  spec: KernelSpec;
  confirm: DraftNote[];
  /** Names of the size parameters (integer scalars that bound loops or lengths). */
  sizeNames: string[];
  /** Size names that only count repetitions of an outer loop (kept small when scaling). */
  repetitionNames: string[];
  /** Size names used as shift counts (`1 << logn`): small values, never scaled linearly. */
  exponentNames: string[];
}

const ELEM_TYPES: ReadonlySet<string> = new Set([
  'float', 'double', 'char', 'int8_t', 'uint8_t', 'short', 'int16_t', 'uint16_t', 'int', 'unsigned', 'int32_t',
  'uint32_t', 'long', 'int64_t', 'uint64_t', 'size_t',
]);
const TYPE_ALIASES: Record<string, ElemType> = {
  'unsigned int': 'unsigned', 'signed int': 'int', 'signed': 'int', 'long int': 'long', 'signed char': 'int8_t',
  'unsigned char': 'uint8_t', 'short int': 'short', 'unsigned short': 'uint16_t', 'long long': 'int64_t',
  'long long int': 'int64_t', 'unsigned long': 'uint64_t', 'unsigned long long': 'uint64_t',
};

/** Small sizes every draft tests: 1, 2, primes and odd tails, one power of two. */
export const TEST_VALUES = [1, 2, 7, 13, 31, 64, 97];
const REPETITION_VALUES = [1, 2, 3, 1, 5, 4, 3];

export function elemTypeOf(baseType: string): ElemType | undefined {
  const t = baseType.replace(/\b(const|volatile|restrict|__restrict__|__restrict|register|static|struct)\b/g, ' ').replace(/\s+/g, ' ').trim();
  if (ELEM_TYPES.has(t)) return t as ElemType;
  return TYPE_ALIASES[t];
}

export function isFloatType(t: ElemType): boolean {
  return t === 'float' || t === 'double';
}

/** Tolerance of a floating output by element type: a few thousand ulps of reordering. */
export function toleranceFor(t: ElemType): Tolerance | undefined {
  if (t === 'double') return { rel: 1e-9, abs: 1e-12 };
  if (t === 'float') return { rel: 1e-4, abs: 1e-6 };
  return undefined;
}

export function draftSpec(unit: KernelUnit, source: string): SpecDraft {
  const confirm: DraftNote[] = [];
  // Analyze as if the pointers did not alias: the draft proposes noalias for the user to confirm.
  const provisional: KernelSpec = { name: unit.name, source, sizes: { test: [{}], bench: {} }, args: [], noalias: true };
  const state = analyzeState(unit, provisional);
  const ctx = state.ctx;
  const k = `kernels[${unit.name}]`;

  // Size names: integer scalar parameters that bound a loop or index a buffer.
  const intScalars = ctx.params.filter((p) => p.pointerDepth + p.arrayDims === 0 && isIntegral(elemTypeOf(p.baseType)));
  const symbolsInBounds = new Set<string>();
  for (const loop of state.loops) {
    for (const p of [loop.lo, ...(loop.hi ?? [])]) if (p) for (const f of factorNames(expandDefs(state.env, p))) if (!isIndexFactor(f)) symbolsInBounds.add(f);
    for (const text of [loop.lowerText, loop.upperText]) if (text) for (const id of identifiers(text)) symbolsInBounds.add(id);
  }
  for (const s of state.env.sizeSymbols) symbolsInBounds.add(s);
  // A local that bounds a loop (`int n = 1 << logn;`) makes the parameters of its initializer sizes.
  for (const name of [...symbolsInBounds]) {
    for (const v of ctx.vars.get(name) ?? []) if (v.kind === 'local' && v.init) for (const id of identifiers(v.init.text)) symbolsInBounds.add(id);
  }
  const sizeNames = intScalars.map((p) => p.name).filter((n) => symbolsInBounds.has(n));
  const repetitionNames = sizeNames.filter((n) => isRepetitionCount(state, n));
  // `1 << logn`: an exponent, tested at 0..6 and benched at 12.
  const exponentNames = sizeNames.filter((n) => new RegExp(`<<\\s*\\(?\\s*${n}\\b`).test(unit.sourceText));

  // CSR shape: for (j = P[i]; j < P[i+1]; j++) … Q[j].
  const csr = csrShape(state);
  const generators: GeneratorSpec[] = [];
  if (csr) {
    generators.push({ name: 'g', kind: 'csr_graph', nodes: csr.nodes, degree: 8, weightType: 'double', weightMin: 0.1, weightMax: 10 });
    confirm.push({ field: `${k}.generators[g]`, guess: `${csr.rowptr} bounds an inner loop as ${csr.rowptr}[i]..${csr.rowptr}[i+1]: a CSR graph of ${csr.nodes} nodes, about 8 edges each` });
  }

  const args: ArgSpec[] = [];
  for (const p of ctx.params) {
    const type = elemTypeOf(p.baseType);
    const at = `${k}.args[${p.name}]`;
    if (!type) {
      throw new Error(
        `${source}: parameter ${p.name} of ${unit.name} has type "${p.baseType}", which specs cannot describe yet (element types: ${[...ELEM_TYPES].join(', ')})`,
      );
    }
    if (p.pointerDepth + p.arrayDims === 0) {
      if (sizeNames.includes(p.name)) {
        args.push({ name: p.name, kind: 'scalar', type, value: p.name });
      } else if (isFloatType(type)) {
        args.push({ name: p.name, kind: 'scalar', type, value: 0.5 });
        confirm.push({ field: `${at}.value`, guess: '0.5: a floating scalar; set the value the kernel is normally called with' });
      } else {
        args.push({ name: p.name, kind: 'scalar', type, value: 0 });
        confirm.push({ field: `${at}.value`, guess: `0: an integer that bounds no loop; set a value legal at every test size (an expression over ${sizeNames.join(', ') || 'the sizes'} is allowed)` });
      }
      continue;
    }
    if (p.pointerDepth + p.arrayDims > 1 && p.arrayDims === 0) {
      throw new Error(`${source}: parameter ${p.name} of ${unit.name} is a pointer to pointers; specs describe flat buffers and C99 array parameters only`);
    }
    const accesses = state.accesses.filter((a) => a.base.kind === 'param' && a.base.name === p.name);
    const kind = bufferKind(accesses, p.baseType);
    if (kind.note) confirm.push({ field: `${at}.kind`, guess: kind.note });
    const length = lengthOf(state, p.name, p.decl, accesses, csr, sizeNames);
    confirm.push({ field: `${at}.length`, guess: length.why });
    const arg: ArgSpec = { name: p.name, kind: kind.kind, type, length: length.expr };
    if (kind.kind !== 'output') {
      const init = initFor(p.name, type, csr, sizeNames);
      arg.init = init.init;
      confirm.push({ field: `${at}.init`, guess: init.why });
    }
    args.push(arg);
  }

  boundIndexInputs(state, args, confirm, k);

  const sizes = draftSizes(sizeNames, repetitionNames, exponentNames);
  if (sizeNames.some((n) => !args.some((a) => a.kind !== 'scalar' && identifiers(a.length).includes(n))) && sizeNames.length > 1) {
    confirm.push({ field: `${k}.sizes`, guess: `test sizes vary every size name independently; add sizes.limits if some combinations are illegal (e.g. a filter larger than the image)` });
  }
  confirm.push({
    field: `${k}.sizes.test`,
    guess: sizeNames.length
      ? `1, 2, primes and odd tails per size name${repetitionNames.length ? ` (${repetitionNames.join(', ')} only repeat an outer loop: small values)` : ''}; check they are legal for the kernel`
      : 'no size parameters found: one binding',
  });
  confirm.push({ field: `${k}.sizes.bench`, guess: 'placeholder: run `autopar spec calibrate` to time the original and pick a size that runs about 100 ms' });

  const floatOutputs = args.filter((a) => a.kind !== 'scalar' && a.kind !== 'input' && isFloatType(a.type));
  const spec: KernelSpec = {
    name: unit.name,
    source,
    sizes,
    args,
    ...(generators.length ? { generators } : {}),
    seeds: [1, 2],
  };
  const returnType = elemTypeOf(unit.signature.returnType);
  if (unit.signature.returnType.trim() !== 'void') {
    if (!returnType) throw new Error(`${source}: ${unit.name} returns "${unit.signature.returnType}", which specs cannot describe yet`);
    spec.returns = { type: returnType, ...(toleranceFor(returnType) ? { tolerance: toleranceFor(returnType) } : {}) };
  }
  const tolType = floatOutputs.some((a) => a.type === 'float') || returnType === 'float' ? 'float' : floatOutputs.length || returnType === 'double' ? 'double' : undefined;
  if (tolType) {
    spec.tolerance = toleranceFor(tolType)!;
    confirm.push({ field: `${k}.tolerance`, guess: `${tolType} outputs: ${JSON.stringify(spec.tolerance)}; loosen for long reductions, or give \`reduction\` on the output` });
  }
  spec.noalias = true;
  confirm.push({ field: `${k}.noalias`, guess: 'true: the pointer arguments are assumed to be distinct objects; remove it if callers pass overlapping buffers (then loops that might alias stay serial)' });
  return { spec, confirm, sizeNames, repetitionNames, exponentNames };
}

function isIntegral(t: ElemType | undefined): boolean {
  return t !== undefined && !isFloatType(t);
}

function identifiers(text: string): string[] {
  return text.match(/[A-Za-z_]\w*/g) ?? [];
}

/** A size that only bounds outer loops whose index no subscript uses (time steps, iterations). */
function isRepetitionCount(state: AnalysisState, name: string): boolean {
  const bounding = state.loops.filter((l) => identifiers(`${l.lowerText ?? ''} ${l.upperText ?? ''}`).includes(name));
  if (bounding.length === 0) return false;
  // Used anywhere but in the bounds of its loops (a subscript, a local, a call): a real size.
  const body = state.ctx.body;
  let uses = 0;
  for (const id of identifierNodes(body)) if (id.text === name) uses++;
  if (uses > bounding.length) return false;
  return bounding.every((l) => l.index !== undefined && ![...identifierNodes(l.body)].some((id) => id.text === l.index));
}

function* identifierNodes(node: import('../analysis/ast.js').SyntaxNode): Generator<import('../analysis/ast.js').SyntaxNode> {
  if (node.type === 'identifier') yield node;
  for (let i = 0; i < node.namedChildCount; i++) yield* identifierNodes(node.namedChild(i)!);
}

function bufferKind(accesses: Access[], baseType: string): { kind: 'input' | 'output' | 'inout'; note?: string } {
  const reads = accesses.filter((a) => a.read);
  const writes = accesses.filter((a) => a.write);
  if (/\bconst\b/.test(baseType)) return { kind: 'input' };
  if (writes.length === 0) return { kind: 'input', note: 'only read (declare it const to make this certain)' };
  if (reads.length === 0) return { kind: 'output' };
  // The first access in program order is a plain store: the kernel initializes it before
  // reading it back, so its values on entry do not matter.
  // Within one statement the right-hand side runs first: `y[i] = a*x[i] + y[i]` reads y.
  const firstStatement = [...accesses].sort((a, b) => a.statement.startIndex - b.statement.startIndex)[0]!.statement;
  const inFirst = accesses.filter((a) => a.statement.id === firstStatement.id);
  const first = inFirst[0]!;
  if (inFirst.every((a) => a.write && !a.read)) {
    return { kind: 'output', note: `read and written, but its first access (line ${first.line}) stores: an output; make it inout if that store does not cover every element the kernel reads` };
  }
  return { kind: 'inout', note: `read before it is written (line ${first.line}): inout` };
}

interface CsrShape {
  rowptr: string;
  nodes: string;
  /** Buffers indexed by the edge loop's index. */
  edgeArrays: Set<string>;
  /** Locals that hold a column index (`int u = cols[e];`). */
  localColumns: Set<string>;
}

function csrShape(state: AnalysisState): CsrShape | undefined {
  for (const loop of state.loops) {
    const lo = loop.lowerText?.replace(/\s+/g, '');
    const hi = loop.upperText?.replace(/\s+/g, '');
    const m = lo && hi ? /^(\w+)\[(\w+)\]$/.exec(lo) : null;
    if (!m || !loop.index) continue;
    const [, rowptr, i] = m;
    if (hi !== `${rowptr}[${i}+1]`) continue;
    const param = state.ctx.params.find((p) => p.name === rowptr && p.pointerDepth === 1);
    if (!param) continue;
    // nodes: the bound of the loop over i.
    const outer = enclosingWithIndex(loop, i!);
    const nodes = outer?.upperText?.trim() ?? 'n';
    const edgeArrays = new Set<string>();
    for (const a of state.accesses) {
      if (a.base.kind !== 'param' || a.base.name === rowptr) continue;
      const parts = a.parts ?? [];
      if (parts.length === 1 && parts[0]!.kind === 'expr' && parts[0]!.nodes.length === 1 && parts[0]!.nodes[0]!.text.trim() === loop.index) edgeArrays.add(a.base.name);
    }
    const localColumns = new Set<string>();
    for (const [name, vs] of state.ctx.vars) {
      for (const v of vs) {
        const init = v.kind === 'local' ? v.init?.text.replace(/\s+/g, '') : undefined;
        if (init && [...edgeArrays].some((e) => new RegExp(`^${e}\\[${loop.index}\\]$`).test(init))) localColumns.add(name);
      }
    }
    return { rowptr: rowptr!, nodes, edgeArrays, localColumns };
  }
  return undefined;
}

function enclosingWithIndex(loop: LoopNode, index: string): LoopNode | undefined {
  for (let l = loop.parent; l; l = l.parent) if (l.index === index) return l;
  return undefined;
}

/** Declared dimensions of a C99 array parameter (`double C[ni][nj]` → ['ni', 'nj']), outer first. */
export function arrayDimsOf(decl: { text: string }, name: string): string[] | undefined {
  const m = new RegExp(`\\b${name}\\s*((?:\\[[^\\]]*\\]\\s*)+)`).exec(decl.text);
  if (!m) return undefined;
  return [...m[1]!.matchAll(/\[([^\]]*)\]/g)].map((d) => d[1]!.replace(/\b(static|const|restrict)\b/g, '').trim());
}

function lengthOf(
  state: AnalysisState,
  name: string,
  decl: { text: string },
  accesses: Access[],
  csr: CsrShape | undefined,
  sizeNames: string[],
): { expr: string; why: string } {
  if (csr?.rowptr === name) return { expr: `${csr.nodes}+1`, why: `row pointers of the CSR graph: ${csr.nodes}+1` };
  if (csr?.edgeArrays.has(name)) return { expr: 'g_nnz', why: 'indexed by the edge loop of the CSR graph: one element per edge (g_nnz)' };
  const dims = arrayDimsOf(decl, name);
  if (dims && dims.length > 0 && dims.every((d) => d !== '')) {
    return { expr: dims.map((d) => (/^[\w]+$/.test(d) ? d : `(${d})`)).join('*'), why: `C99 array parameter: ${dims.map((d) => `[${d}]`).join('')}` };
  }
  // Largest subscript over every access the loop bounds allow.
  const maxima: Poly[] = [];
  const unknown: string[] = [];
  for (const a of accesses) {
    if (a.viaCall) continue;
    // x[cols[e]] in a CSR kernel: column indices are node numbers.
    if (csr && isColumnIndexed(a, csr)) {
      maxima.push(add(polyOfText(csr.nodes), constPoly(-1)));
      continue;
    }
    const p = flatSubscript(state, a);
    const bounds = p ? boundsOf(state.env, p, 'max').map((b) => expandDefs(state.env, b)) : [];
    // Only bounds over size names: `level[source]` says nothing about the length.
    const usable = bounds.filter((b) => [...factorNames(b)].every((f) => sizeNames.includes(f)));
    if (usable.length === 0) {
      unknown.push(`${a.text} (line ${a.line})`);
      continue;
    }
    maxima.push(smallest(state, usable));
  }
  if (maxima.length === 0) {
    return { expr: '1', why: `could not bound any subscript of ${name} (${unknown.slice(0, 2).join(', ') || 'no subscripted access'}): SET THE LENGTH` };
  }
  const top = largest(state, maxima);
  let len = add(top, constPoly(1));
  let why = `1 + the largest subscript the loop bounds allow`;
  // n*n-1 (a stencil that never touches the last element): round up to the whole n*n.
  const c = len.get('') ?? 0;
  if (c < 0 && len.size > 1 && [...len].every(([m, v]) => m === '' || v > 0)) {
    len = new Map([...len].filter(([m]) => m !== ''));
    why += ` (rounded up from ${polyText(add(len, constPoly(c))).replace(/\s+/g, '')}: the last ${-c} element(s) are never touched)`;
  }
  const expr = polyText(len).replace(/\s+/g, '');
  return unknown.length
    ? { expr, why: `${why}; but ${unknown.slice(0, 2).join(', ')} could not be bounded: CHECK THE LENGTH` }
    : { expr, why };
}

function isColumnIndexed(a: Access, csr: CsrShape): boolean {
  const parts = a.parts ?? [];
  if (parts.length !== 1 || parts[0]!.kind !== 'expr' || parts[0]!.nodes.length !== 1) return false;
  const t = parts[0]!.nodes[0]!.text.replace(/\s+/g, '');
  return [...csr.edgeArrays].some((e) => new RegExp(`^${e}\\[\\w+\\]$`).test(t)) || csr.localColumns.has(t);
}

function polyOfText(text: string): Poly {
  const t = text.trim();
  if (/^\d+$/.test(t)) return constPoly(Number(t));
  return new Map([[t, 1]]);
}

/** The element offset of an access with one subscript (a flat buffer). */
function flatSubscript(state: AnalysisState, a: Access): Poly | undefined {
  const parts = a.parts;
  if (!parts || parts.length === 0 || parts.some((p) => p.kind !== 'expr')) return undefined;
  const scope = a.loops[0];
  const polyOf = (nodes: import('../analysis/ast.js').SyntaxNode[]) => {
    let sum: Poly = constPoly(0);
    for (const n of nodes) {
      const p = toPoly(state.env, n, scope);
      if (!p) return undefined;
      sum = add(sum, p);
    }
    return sum;
  };
  if (parts.length === 1) return polyOf((parts[0] as { nodes: import('../analysis/ast.js').SyntaxNode[] }).nodes);
  return undefined;
}

/** A bound's value at a typical size (every symbol 64), to order bounds the analysis cannot compare. */
function sample(p: Poly): number {
  let v = 0;
  for (const [m, c] of p) v += c * (m === '' ? 1 : m.split('*').reduce((acc) => acc * 64, 1));
  return v;
}

function smallest(state: AnalysisState, ps: Poly[]): Poly {
  return ps.reduce((best, p) => (provablyNonNegative(state.env, subPoly(best, p)) || sample(p) < sample(best) ? p : best));
}

function largest(state: AnalysisState, ps: Poly[]): Poly {
  return ps.reduce((best, p) => (provablyNonNegative(state.env, subPoly(p, best)) || sample(p) > sample(best) ? p : best));
}

function subPoly(a: Poly, b: Poly): Poly {
  const out = new Map(a);
  for (const [m, c] of b) {
    const v = (out.get(m) ?? 0) - c;
    if (v === 0) out.delete(m);
    else out.set(m, v);
  }
  return out;
}

function initFor(name: string, type: ElemType, csr: CsrShape | undefined, sizeNames: string[]): { init: InitSpec; why: string } {
  if (csr?.rowptr === name) return { init: { from: 'g.rowptr' }, why: 'the generated graph\'s row pointers' };
  if (csr?.edgeArrays.has(name)) {
    return isFloatType(type)
      ? { init: { from: 'g.weights' }, why: 'the generated graph\'s edge weights' }
      : { init: { from: 'g.cols' }, why: 'the generated graph\'s column indices' };
  }
  if (isFloatType(type)) return { init: { gen: 'uniform', min: -1, max: 1 }, why: 'uniform in [-1, 1]; narrow it if the kernel needs positive or bounded values' };
  return {
    init: { gen: 'randint', min: 0, max: 9 },
    why: `integers in [0, 9]; if they index another buffer, keep them below its length at the smallest test size${sizeNames.length ? ` (${sizeNames.join(', ')} = 1)` : ''}`,
  };
}

/**
 * An integer input used as the whole subscript of another buffer (`h[data[i]]++`) holds
 * indices into it: draw them from 0 to that buffer's length - 1 at every test size (a bound
 * over sizes, e.g. "bins-1"), instead of the default [0, 9].
 */
function boundIndexInputs(state: AnalysisState, args: ArgSpec[], confirm: { field: string; guess: string }[], k: string): void {
  for (const a of args) {
    if (a.kind === 'scalar' || a.kind === 'output' || !a.init || !('gen' in a.init) || a.init.gen !== 'randint' || isFloatType(a.type)) continue;
    const indexed = new Set<string>();
    for (const acc of state.accesses) {
      if (acc.base.kind !== 'param' || acc.base.name === a.name || acc.parts?.length !== 1) continue;
      const part = acc.parts[0]!;
      if (part.kind !== 'expr' || part.nodes.length !== 1) continue;
      if (new RegExp(`^${a.name}\\[[^\\]]+\\]$`).test(part.nodes[0]!.text.replace(/\s+/g, ''))) indexed.add(acc.base.name);
    }
    const targets = args.filter((b) => b.kind !== 'scalar' && indexed.has(b.name)) as Extract<ArgSpec, { length: string }>[];
    // One indexed buffer with a length from the analysis (not the "1" placeholder).
    if (targets.length !== 1 || targets[0]!.length === '1') continue;
    const target = targets[0]!;
    const max = /^\w+$/.test(target.length) ? `${target.length}-1` : `(${target.length})-1`;
    a.init = { gen: 'randint', min: 0, max };
    const c = confirm.find((x) => x.field === `${k}.args[${a.name}].init`);
    if (c) c.guess = `indices into ${target.name} (${target.name}[${a.name}[…]]): integers in [0, ${max}] at every test size; narrow them if the kernel needs fewer`;
  }
}

/** Test bindings: all 1 first, then primes and odd tails; repetition counts stay small. */
export function draftSizes(names: string[], repetitions: string[], exponents: string[] = []): KernelSpec['sizes'] {
  if (names.length === 0) return { test: [{}], bench: {} };
  const spatial = names.filter((n) => !repetitions.includes(n) && !exponents.includes(n));
  // Keep the product of the spatial sizes of one binding near what one name at 97 costs.
  const cap = spatial.length <= 1 ? 97 : Math.max(3, Math.floor(Math.pow(97 * 97, 1 / spatial.length)));
  const values = [...new Set(TEST_VALUES.map((v) => (v <= cap ? v : undefined)).filter((v): v is number => v !== undefined).concat(primesUpTo(cap)))].sort((a, b) => a - b);
  const rows = TEST_VALUES.length;
  const test: SizeBinding[] = [];
  for (let r = 0; r < rows; r++) {
    const b: SizeBinding = {};
    for (const n of names) {
      const j = spatial.indexOf(n);
      if (exponents.includes(n)) b[n] = r;
      else if (j < 0) b[n] = REPETITION_VALUES[r]!;
      else b[n] = r === 0 ? 1 : spatial.length === 1 ? TEST_VALUES[r]! : values[Math.min(values.length - 1, (r + j) % values.length || 1)]!;
    }
    test.push(b);
  }
  const bench: SizeBinding = {};
  for (const n of names) bench[n] = spatial.includes(n) ? TEST_VALUES[TEST_VALUES.length - 1]! : exponents.includes(n) ? 12 : 10;
  return { test, bench };
}

function primesUpTo(n: number): number[] {
  const out: number[] = [];
  for (let i = 2; i <= n; i++) if (![...Array(i).keys()].slice(2).some((d) => i % d === 0)) out.push(i);
  return out;
}
