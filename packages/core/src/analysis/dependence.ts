// Dependence testing between memory accesses inside one loop (the scope).
//
// Subscripts are taken relative to the scope: indices of loops inside it are the
// unknowns, everything constant during the scope (outer indices, sizes) is a
// symbol. One-dimensional subscripts with symbolic strides are first split into
// dimensions (delinearized) using the index ranges: i*n + j with 0 <= j < n is
// the pair (i, j), so equal addresses need equal i and equal j. Then each
// dimension is tested: ZIV (no index), strong SIV (same coefficient on both sides:
// exact distance), otherwise a GCD test and a bounds (Banerjee-style) test. The
// per-dimension results are intersected into one direction set per common loop.
import type { Access } from './accesses.js';
import { mayAlias } from './accesses.js';
import { boundsOf, provablyNonNegative, provablyWithin, toPoly, type AffineEnv } from './affine.js';
import type { LoopNode } from './loops.js';
import { isInside } from './ast.js';
import { varAt } from './context.js';
import {
  add, constantValue, constPoly, divideBySymbol, factorNames, factorsOf, integerRatio, isIndexFactor, isZero, splitByVars, sub,
  type Poly,
} from './poly.js';

export type Dir = '<' | '=' | '>';

export interface DepVector {
  /** Earlier access in program text (the source when the direction is '<'). */
  a: Access;
  b: Access;
  /** Loops enclosing both, from the scope inward. */
  loops: LoopNode[];
  dirs: Set<Dir>[];
  /** Exact iteration distance per loop, when known. */
  distance: (number | undefined)[];
  cause: 'subscripts' | 'unknown-subscript' | 'alias' | 'rows-may-overlap';
}

export type Dim = { kind: 'poly'; p: Poly } | { kind: 'field'; name: string };

const ALL: Dir[] = ['<', '=', '>'];

/** All dependences between accesses inside `scope` (pairs with at least one write). */
export function dependencesWithin(env: AffineEnv, accesses: Access[], scope: LoopNode): DepVector[] {
  const inside = accesses.filter((a) => a.loops.includes(scope));
  const dims = dimsWithin(env, inside, scope);
  const out: DepVector[] = [];
  for (let x = 0; x < inside.length; x++) {
    for (let y = x; y < inside.length; y++) {
      const a = inside[x]!;
      const b = inside[y]!;
      if (!a.write && !b.write) continue;
      if (x === y && !a.write) continue;
      let da = dims.get(a.id);
      let db = dims.get(b.id);
      // One split, the other not: compare the undivided addresses instead.
      if (da && db && da.length !== db.length && dims.raw) {
        da = dims.raw.get(a.id);
        db = dims.raw.get(b.id);
      }
      const v = testPair(env, scope, a, b, da, db);
      if (v && freshPerIteration(env, v)) out.push(v);
    }
  }
  return out;
}

/**
 * An array declared (not static) inside a loop's body is a new object in every
 * iteration of that loop (and of the loops around it): two accesses to it in
 * different iterations touch different objects. Restricts those loops' directions
 * to '='; false when nothing is left (no dependence at all).
 */
function freshPerIteration(env: AffineEnv, v: DepVector): boolean {
  if (v.a.base.kind !== 'local-array' || v.b.base.kind !== 'local-array' || v.a.base.name !== v.b.base.name) return true;
  const va = varAt(env.ctx, v.a.base.name, v.a.node);
  const vb = varAt(env.ctx, v.b.base.name, v.b.node);
  if (!va || va !== vb || va.kind !== 'local' || /\bstatic\b/.test(va.decl.text)) return true;
  for (let k = 0; k < v.loops.length; k++) {
    if (!isInside(va.decl, v.loops[k]!.body)) continue;
    if (!v.dirs[k]!.has('=')) return false;
    v.dirs[k] = new Set<Dir>(['=']);
    v.distance[k] = 0;
  }
  return true;
}

/** Does the dependence cross iterations of loop level k (with equal outer levels)? */
export function carriedAt(v: DepVector, k: number): boolean {
  for (let j = 0; j < k; j++) if (!v.dirs[j]!.has('=')) return false;
  const d = v.dirs[k];
  return d !== undefined && (d.has('<') || d.has('>'));
}

export function dirText(v: DepVector): string {
  return '(' + v.dirs.map((d, i) => (v.distance[i] !== undefined ? String(v.distance[i]) : d.size === 3 ? '*' : [...d].sort().join(''))).join(',') + ')';
}

function testPair(env: AffineEnv, scope: LoopNode, a: Access, b: Access, da: Dim[] | undefined, db: Dim[] | undefined): DepVector | undefined {
  const from = a.loops.indexOf(scope);
  const common: LoopNode[] = [];
  for (let i = from; i < a.loops.length && i < b.loops.length && a.loops[i] === b.loops[i]; i++) common.push(a.loops[i]!);
  const vec = (cause: DepVector['cause']): DepVector => ({
    a, b, loops: common, dirs: common.map(() => new Set(ALL)), distance: common.map(() => undefined), cause,
  });
  if (a.base.name !== b.base.name) return mayAlias(env.ctx, a.base, b.base) ? vec('alias') : undefined;
  if ((a.base.rowsMayOverlap || b.base.rowsMayOverlap) && !env.ctx.noalias) return vec('rows-may-overlap');
  if (!da || !db || da.length !== db.length) return vec('unknown-subscript');

  const dirs = common.map(() => new Set<Dir>(ALL));
  const distance: (number | undefined)[] = common.map(() => undefined);
  const freeA = new Set(a.loops.slice(from).map((l) => l.id));
  const freeB = new Set(b.loops.slice(from).map((l) => l.id));
  const commonIds = common.map((l) => l.id);
  for (let k = 0; k < da.length; k++) {
    const x = da[k]!;
    const y = db[k]!;
    if (x.kind === 'field' || y.kind === 'field') {
      if (x.kind !== y.kind || (x.kind === 'field' && y.kind === 'field' && x.name !== y.name)) return undefined;
      continue;
    }
    const r = testDim(env, x.p, renameCommon(y.p, commonIds), freeA, freeB, common);
    if (r === 'independent') return undefined;
    for (const [level, c] of r) {
      for (const d of ALL) if (!c.dirs.has(d)) dirs[level]!.delete(d);
      if (c.distance !== undefined) {
        if (distance[level] !== undefined && distance[level] !== c.distance) return undefined;
        distance[level] = c.distance;
      }
      if (dirs[level]!.size === 0) return undefined;
    }
  }
  return { a, b, loops: common, dirs, distance, cause: 'subscripts' };
}

function renameCommon(p: Poly, commonIds: string[]): Poly {
  const out: Poly = new Map();
  for (const [m, c] of p) {
    const fs = factorsOf(m).map((f) => (isIndexFactor(f) && commonIds.includes(f.slice(1)) ? `${f}'` : f));
    out.set(fs.sort().join('*'), c);
  }
  return out;
}

interface LevelConstraint {
  dirs: Set<Dir>;
  distance?: number;
}

/** Tests pa == pb' (pb with common indices primed). */
function testDim(
  env: AffineEnv, pa: Poly, pb: Poly, freeA: Set<string>, freeB: Set<string>, common: LoopNode[],
): 'independent' | Map<number, LevelConstraint> {
  const diff = sub(pa, pb);
  const isFree = (f: string) => isIndexFactor(f) && (f.endsWith("'") ? freeB.has(f.slice(1, -1)) : freeA.has(f.slice(1)));
  const split = splitByVars(diff, isFree);
  const none = new Map<number, LevelConstraint>();
  if (!split) return none;
  const { coeffs, rest } = split;

  // Bounds test: the difference can never be zero over the index ranges.
  if (neverZero(env, diff)) return 'independent';
  if (coeffs.size === 0) return none;

  // All-constant coefficients: GCD test.
  const cs = [...coeffs.values()].map(constantValue);
  const restC = constantValue(rest);
  if (cs.every((c) => c !== undefined) && restC !== undefined) {
    const g = cs.reduce((acc: number, c) => gcd(acc, Math.abs(c!)), 0);
    if (g !== 0 && restC % g !== 0) return 'independent';
  }

  // Strong SIV: c*i - c*i' + rest = 0 for one common loop.
  if (coeffs.size === 2) {
    const level = common.findIndex((l) => coeffs.has(`@${l.id}`) && coeffs.has(`@${l.id}'`));
    if (level >= 0) {
      const loop = common[level]!;
      const c = coeffs.get(`@${loop.id}`)!;
      const cb = coeffs.get(`@${loop.id}'`)!;
      if (isZero(add(c, cb))) {
        // i' - i = rest / c
        const d = integerRatio(rest, c);
        if (d === undefined) {
          if (constantValue(c) !== undefined && restC !== undefined) return 'independent';
          return none;
        }
        return sivOrIndependent(loop, d, level);
      }
    }
  }
  return none;
}

function sivOrIndependent(loop: LoopNode, d: number, level: number): 'independent' | Map<number, LevelConstraint> {
  const c = siv(loop, d);
  return c ? new Map([[level, c]]) : 'independent';
}

/** Direction of a value distance d = i' - i along a loop with the given step. */
function siv(loop: LoopNode, d: number): LevelConstraint | undefined {
  if (d === 0) return { dirs: new Set(['=']), distance: 0 };
  if (loop.step !== undefined) {
    if (d % loop.step !== 0) return undefined;
    const t = d / loop.step;
    // A distance longer than the whole (constant) iteration space never happens.
    if (loop.lo && loop.hi?.length === 1) {
      const span = constantValue(sub(loop.hi[0]!, loop.lo));
      if (span !== undefined && Math.abs(d) > span) return undefined;
    }
    return { dirs: new Set([t > 0 ? '<' : '>']), distance: t };
  }
  const sign = Math.sign(d) * (loop.stepSign ?? 1);
  return { dirs: new Set([sign > 0 ? '<' : '>']) };
}

function neverZero(env: AffineEnv, diff: Poly): boolean {
  const c = constantValue(diff);
  if (c !== undefined) return c !== 0;
  const mins = boundsOf(env, diff, 'min');
  if (mins.some((m) => provablyNonNegative(env, sub(m, constPoly(1))))) return true;
  const maxs = boundsOf(env, diff, 'max');
  return maxs.some((m) => provablyNonNegative(env, sub(constPoly(-1), m)));
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

// ---- subscripts relative to a scope, with delinearization -------------------

/** Dimensions of every access within the scope (undefined when not affine). */
export type DimsMap = Map<number, Dim[] | undefined> & { raw?: Map<number, Dim[] | undefined> };

export function dimsWithin(env: AffineEnv, accesses: Access[], scope: LoopNode): DimsMap {
  const out: DimsMap = new Map<number, Dim[] | undefined>();
  const rawOf = new Map<number, Dim[] | undefined>();
  out.raw = rawOf;
  const byBase = new Map<string, Access[]>();
  for (const a of accesses) byBase.set(a.base.name, [...(byBase.get(a.base.name) ?? []), a]);
  for (const group of byBase.values()) {
    const raw = new Map<number, Dim[] | undefined>();
    for (const a of group) raw.set(a.id, rawDims(env, a, scope));
    // Delinearize one-dimensional affine subscripts of this base with one stride sequence.
    const linear = group.filter((a) => {
      const d = raw.get(a.id);
      return d && d.length === 1 && d[0]!.kind === 'poly';
    });
    let strides: Stride[] = [];
    for (const a of linear) {
      const s = findStrides(env, (raw.get(a.id)![0] as { p: Poly }).p);
      if (s.length > strides.length) strides = s;
    }
    // Each access whose remainders provably fit is split on its own: the split of an
    // address by strides whose remainders stay in range is unique, so two split
    // accesses compare dimension by dimension. An access that cannot be split keeps
    // its one dimension; pairing it with a split one is an unknown subscript (the
    // dimension counts differ), never a wrong answer.
    const split = new Map<number, Dim[]>();
    const ok = strides.length > 0 && linear.length === group.filter((a) => raw.get(a.id) !== undefined).length;
    for (const a of linear) {
      if (strides.length === 0) break;
      const parts = splitWith(env, (raw.get(a.id)![0] as { p: Poly }).p, strides);
      if (parts) split.set(a.id, parts.map((p) => ({ kind: 'poly', p })));
    }
    const allSplit = ok && linear.every((a) => split.has(a.id));
    void allSplit;
    for (const a of group) {
      out.set(a.id, split.has(a.id) ? split.get(a.id) : raw.get(a.id));
      rawOf.set(a.id, raw.get(a.id));
    }
  }
  return out;
}

function rawDims(env: AffineEnv, a: Access, scope: LoopNode): Dim[] | undefined {
  if (!a.parts) return undefined;
  const dims: Dim[] = [];
  for (const part of a.parts) {
    if (part.kind === 'field') {
      dims.push(part);
      continue;
    }
    let p: Poly = new Map();
    for (const n of part.nodes) {
      const q = toPoly(env, n, scope, a.anchor);
      if (!q) return undefined;
      p = add(p, q);
    }
    dims.push({ kind: 'poly', p });
  }
  return dims;
}

/** A stride: a size symbol (i*n + j) or a constant (3*i + c with 0 <= c < 3). */
type Stride = string | number;

/** Greedy stride discovery: innermost stride first. */
function findStrides(env: AffineEnv, p: Poly): Stride[] {
  const candidates: Stride[] = [...factorNames(p)].filter((f) => !isIndexFactor(f)).sort();
  // Constant coefficients > 1 of index terms are candidate strides too (array-of-structs layouts).
  for (const [m, c] of p) if (m !== '' && factorsOf(m).every(isIndexFactor) && Math.abs(c) > 1) candidates.push(Math.abs(c));
  for (const s of candidates) {
    const { quotient, remainder } = divideByStride(p, s);
    if (isZero(quotient)) continue;
    if (!remainderFits(env, remainder, s)) continue;
    return [s, ...findStrides(env, quotient)];
  }
  return [];
}

function divideByStride(p: Poly, s: Stride): { quotient: Poly; remainder: Poly } {
  if (typeof s === 'string') return divideBySymbol(p, s);
  const quotient: Poly = new Map();
  const remainder: Poly = new Map();
  for (const [m, c] of p) {
    if (m !== '' && c % s === 0) quotient.set(m, c / s);
    else remainder.set(m, c);
  }
  return { quotient, remainder };
}

/** Splits p by the strides (innermost first) into dimensions, outermost first; undefined when a remainder may leave its range. */
function splitWith(env: AffineEnv, p: Poly, strides: Stride[]): Poly[] | undefined {
  const dims: Poly[] = [];
  let cur = p;
  for (const s of strides) {
    const { quotient, remainder } = divideByStride(cur, s);
    if (!remainderFits(env, remainder, s)) return undefined;
    dims.unshift(remainder);
    cur = quotient;
  }
  dims.unshift(cur);
  return dims;
}

function remainderFits(env: AffineEnv, r: Poly, s: Stride): boolean {
  const last = typeof s === 'string' ? sub(new Map([[s, 1]]), constPoly(1)) : constPoly(s - 1);
  return provablyWithin(env, r, new Map(), last);
}

