// The analyzer's entry points: facts for every loop of a kernel.
import { extractKernels } from '../kernel/extract.js';
import type { KernelUnit } from '../kernel/types.js';
import type { KernelSpec } from '../spec/types.js';
import { descendants, isInside, stripParens, type SyntaxNode } from './ast.js';
import { collectAccesses, type Access } from './accesses.js';
import { prepareAffine, toPoly, type AffineEnv } from './affine.js';
import { callVerdict } from './calls.js';
import { contextOf, contextOfText, type FunctionContext } from './context.js';
import { carriedAt, dependencesWithin, dimsWithin, dirText, type DepVector } from './dependence.js';
import { buildLoops, perfectChild, type LoopNode } from './loops.js';
import { factorNames, indexVar, splitByVars } from './poly.js';
import { classifyScalars, enclosingReduction } from './scalars.js';
import type { ArrayReduction, CarriedDependence, KernelAnalysis, LoopFacts, Reduction } from './types.js';
import type { ReductionOp } from './reductions.js';

/** Everything the analysis computed, for the legality checker and the plan applier. */
export interface AnalysisState {
  ctx: FunctionContext;
  env: AffineEnv;
  loops: LoopNode[];
  loopById: Map<string, LoopNode>;
  accesses: Access[];
  facts: KernelAnalysis;
  factsById: Map<string, LoopFacts>;
  /** Dependences within a loop (cached). */
  dependences(loop: LoopNode): DepVector[];
}

export function analyzeKernel(unit: KernelUnit, spec?: KernelSpec): KernelAnalysis {
  return analyzeState(unit, spec).facts;
}

export function analyzeState(unit: KernelUnit, spec?: KernelSpec): AnalysisState {
  return analyzeContext(contextOf(unit, spec));
}

/** Convenience: analyze the function `name` of a whole translation unit. */
export function analyzeSource(sourceText: string, name: string, spec?: KernelSpec, path = 'kernel.c'): AnalysisState {
  const [unit] = extractKernels(sourceText, path, [name]);
  return analyzeState(unit!, spec);
}

export function analyzeContext(ctx: FunctionContext): AnalysisState {
  const loops = buildLoops(ctx);
  const loopById = new Map(loops.map((l) => [l.id, l]));
  const env: AffineEnv = { ctx, loops, loopById, sizeSymbols: new Set(), symbolDefs: new Map() };
  prepareAffine(env);
  const accesses = collectAccesses(ctx, loops);
  // Symbols used as strides of subscripts are sizes too.
  for (const a of accesses) {
    for (const part of a.parts ?? []) {
      if (part.kind !== 'expr') continue;
      for (const n of part.nodes) {
        const p = toPoly(env, n, undefined, a.anchor);
        if (!p) continue;
        for (const m of p.keys()) {
          const fs = m.split('*');
          if (fs.some((f) => f.startsWith('@'))) for (const f of fs) if (!f.startsWith('@') && f !== '') env.sizeSymbols.add(f);
        }
      }
    }
  }
  const cache = new Map<string, DepVector[]>();
  const dependences = (loop: LoopNode) => {
    let v = cache.get(loop.id);
    if (!v) cache.set(loop.id, (v = dependencesWithin(env, accesses, loop)));
    return v;
  };
  const state: AnalysisState = {
    ctx, env, loops, loopById, accesses, dependences,
    facts: { kernel: ctx.name, noalias: ctx.noalias, loops: [] },
    factsById: new Map(),
  };
  for (const loop of loops) {
    const f = loopFacts(state, loop);
    state.facts.loops.push(f);
    state.factsById.set(f.id, f);
  }
  return state;
}

function loopFacts(state: AnalysisState, loop: LoopNode): LoopFacts {
  const { ctx } = state;
  const reasons: string[] = [];
  const notes: string[] = [];
  const inLoop = state.accesses.filter((a) => a.loops.includes(loop));
  const facts: LoopFacts = {
    id: loop.id,
    line: loop.line,
    kind: loop.kind,
    depth: loop.depth,
    parent: loop.parent?.id,
    children: loop.children.map((c) => c.id),
    canonical: loop.canonical,
    indexVar: loop.index,
    bounds: loop.canonical ? boundsText(loop) : undefined,
    step: loop.canonical ? loop.stepText : undefined,
    tripCount: loop.tripCount,
    parallel: false,
    reasons,
    carried: [],
    scalarCarried: [],
    impureCalls: [],
    privates: [],
    lastprivates: [],
    reductions: [],
    arrayReductions: [],
    shared: [],
    arraysRead: [...new Set(inLoop.filter((a) => a.read).map((a) => a.base.name))].sort(),
    arraysWritten: [...new Set(inLoop.filter((a) => a.write).map((a) => a.base.name))].sort(),
    notes,
  };
  const child = perfectChild(loop);
  if (child) {
    facts.perfectChild = child.id;
    facts.rectangularChild = child.canonical && !boundsMention(child, loop);
  }
  if (!loop.canonical) {
    reasons.push(`not a canonical loop: ${loop.notCanonical}`);
    return facts;
  }

  // Calls
  for (const n of descendants(loop.body)) {
    if (n.type !== 'call_expression') continue;
    const v = callVerdict(ctx, n);
    if (!v.pure) {
      facts.impureCalls.push(v.name);
      reasons.push(`${v.reason} (line ${n.startPosition.row + 1})`);
    }
  }

  // Array dependences
  const vectors = state.dependences(loop).filter((v) => carriedAt(v, 0));
  const arrayReductions = findArrayReductions(state, loop, inLoop);
  const reducedArrays = new Set(arrayReductions.map((r) => r.array));
  for (const v of vectors) {
    // Atomic updates make sense for scattered updates (computed subscripts). An affine
    // subscript that revisits elements across iterations (C[i][j] += ... in the k loop)
    // is an accumulation this loop carries: scalarize it instead.
    const covered = v.cause === 'unknown-subscript' && reducedArrays.has(v.a.base.name) && v.a.base.name === v.b.base.name;
    const dep: CarriedDependence = {
      array: v.a.base.name === v.b.base.name ? v.a.base.name : `${v.a.base.name}/${v.b.base.name}`,
      kind: v.a.write && v.b.write ? 'output' : v.a.write ? (v.a.line <= v.b.line ? 'flow' : 'anti') : v.b.write ? (v.a.line <= v.b.line ? 'anti' : 'flow') : 'any',
      direction: dirText(v),
      distance: v.distance[0],
      lines: [v.a.line, v.b.line],
      accesses: [v.a.text, v.b.text],
      cause: v.cause,
    };
    if (covered) dep.coveredBy = 'array-reduction';
    facts.carried.push(dep);
  }
  dedupeCarried(facts);
  // One reason per array and kind of cause; the full list stays in facts.carried.
  const reported = new Set<string>();
  for (const d of facts.carried) {
    if (d.coveredBy) continue;
    const key = `${d.array}|${d.cause}`;
    if (reported.has(key)) continue;
    reported.add(key);
    const more = facts.carried.filter((x) => !x.coveredBy && `${x.array}|${x.cause}` === key).length - 1;
    const accumulation = reducedArrays.has(d.array) && d.cause === 'subscripts';
    reasons.push(
      (accumulation ? `${d.array} is accumulated into the same element across iterations (a reduction on an array element; scalarizing it would make this loop a scalar reduction): ` : '') +
        carriedReason(d) + (more > 0 ? ` (+${more} more on ${d.array})` : ''),
    );
  }
  // Only scattered updates (those whose dependences were covered) count as array reductions.
  facts.arrayReductions = arrayReductions.filter((r) => facts.carried.some((d) => d.array === r.array && d.coveredBy));
  for (const r of facts.arrayReductions) {
    if (!r.atomicOk) reasons.push(`${r.array} is updated as a ${r.op} reduction through computed subscripts (lines ${r.lines.join(', ')}); no atomic form exists for ${r.op}`);
  }

  // Scalars
  const sc = classifyScalars(ctx, loop);
  facts.privates = sc.privates;
  facts.lastprivates = sc.lastprivates;
  facts.shared = sc.shared;
  facts.scalarCarried = sc.carried;
  const byOp = new Map<ReductionOp, string[]>();
  for (const [name, op] of sc.reductions) byOp.set(op, [...(byOp.get(op) ?? []), name]);
  facts.reductions = [...byOp].map(([op, vars]): Reduction => ({ op, vars }));
  for (const c of sc.carried) reasons.push(`scalar ${c.reason}`);

  facts.parallel = reasons.length === 0;
  if (loop.children.length === 0) facts.stride1 = isStride1(state, loop, inLoop);
  if (facts.parallel && facts.arrayReductions.length) notes.push(`needs atomic updates of ${facts.arrayReductions.map((r) => r.array).join(', ')}`);
  if (facts.carried.some((d) => d.cause === 'alias')) notes.push('pointer parameters may alias: mark them restrict or set noalias in the spec if they never overlap');
  return facts;
}

function boundsText(loop: LoopNode): string {
  const i = loop.index!;
  if (loop.stepSign! > 0) return `${loop.lowerText} <= ${i} ${loop.cmp} ${loop.upperText}`;
  return `${loop.upperText} ${loop.cmp === '>' ? '<' : '<='} ${i} <= ${loop.lowerText}`;
}

/** Do the child's bounds use the parent's index? */
function boundsMention(child: LoopNode, parent: LoopNode): boolean {
  const idx = indexVar(parent.id);
  const polys = [child.lo, ...(child.hi ?? [])];
  if (polys.some((p) => p === undefined)) return true;
  return polys.some((p) => factorNames(p!).has(idx));
}

function carriedReason(d: CarriedDependence): string {
  if (d.cause === 'alias') {
    const [x, y] = d.array.split('/');
    return `${x} and ${y} may alias (pointer parameters without restrict/noalias): ${d.accesses[0]} (line ${d.lines[0]}) and ${d.accesses[1]} (line ${d.lines[1]}) may touch the same memory in different iterations`;
  }
  const what = d.cause === 'unknown-subscript' ? 'subscript not affine (indirect or non-linear), so iterations may touch the same element'
    : d.cause === 'rows-may-overlap' ? 'rows of a pointer-to-pointer array may overlap'
    : `${d.kind} dependence, direction ${d.direction}${d.distance !== undefined ? `, distance ${d.distance}` : ''}`;
  return `${d.array}: ${what} between ${d.accesses[0]} (line ${d.lines[0]}) and ${d.accesses[1]} (line ${d.lines[1]})`;
}

function dedupeCarried(f: LoopFacts): void {
  const seen = new Set<string>();
  f.carried = f.carried.filter((d) => {
    const k = `${d.array}|${d.lines[0]}|${d.lines[1]}|${d.accesses.join('|')}|${d.direction}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** Arrays all of whose accesses in the loop are reduction updates of the same element text and operator. */
function findArrayReductions(state: AnalysisState, loop: LoopNode, inLoop: Access[]): ArrayReduction[] {
  const byBase = new Map<string, Access[]>();
  for (const a of inLoop) byBase.set(a.base.name, [...(byBase.get(a.base.name) ?? []), a]);
  const out: ArrayReduction[] = [];
  for (const [base, list] of byBase) {
    if (!list.some((a) => a.write)) continue;
    const ops = new Set<ReductionOp>();
    let ok = true;
    const lines = new Set<number>();
    let viaIf = false;
    for (const a of list) {
      const op = a.viaCall ? undefined : enclosingReduction(state.ctx, loop, a.node, a.text);
      if (!op) {
        ok = false;
        break;
      }
      ops.add(op);
      lines.add(a.line);
      if (hasIfAncestor(a.node, loop.node)) viaIf = true;
    }
    // Another base that may alias this one would break the reduction too.
    if (!ok || ops.size !== 1) continue;
    const op = [...ops][0]!;
    out.push({ array: base, op, lines: [...lines].sort((x, y) => x - y), atomicOk: !viaIf && ['+', '*', '&', '|', '^'].includes(op) });
  }
  return out;
}

function hasIfAncestor(node: SyntaxNode, stop: SyntaxNode): boolean {
  for (let n = node.parent; n && n.id !== stop.id; n = n.parent) if (n.type === 'if_statement') return true;
  return false;
}

/** Innermost loop whose accesses move by 0 or ±1 element per iteration in the last dimension only. */
function isStride1(state: AnalysisState, loop: LoopNode, inLoop: Access[]): boolean {
  const stride = strideOf(state, loop, inLoop);
  return stride === 'unit' || stride === 'none';
}

/**
 * How the accesses move when `loop`'s index steps: 'none' (no access depends on it),
 * 'unit' (some move by ±1 element in their last dimension, the rest not at all) or 'other'.
 * Shared by the facts (is this innermost loop stride-1?) and the locality variants
 * (would this loop be stride-1 if it were innermost?).
 */
/**
 * How `loop` walks memory in `accesses`: not at all, with stride ±1 in the last
 * dimension only ('unit'), with a run-time stride (a parameter such as a pooling stride,
 * possibly 1) in the last dimension only ('symbolic'), or otherwise.
 */
export function strideOf(state: AnalysisState, loop: LoopNode, accesses: Access[]): 'none' | 'unit' | 'symbolic' | 'other' {
  const dims = dimsWithin(state.env, accesses, loop);
  const v = indexVar(loop.id);
  let moves = false;
  let symbolic = false;
  for (const a of accesses) {
    const d = dims.get(a.id);
    if (!d) return 'other';
    for (let k = 0; k < d.length; k++) {
      const dim = d[k]!;
      if (dim.kind !== 'poly') continue;
      const s = splitByVars(dim.p, (f) => f === v);
      if (!s) return 'other';
      const c = s.coeffs.get(v);
      if (!c) continue;
      const value = c.size === 1 && c.has('') ? c.get('')! : undefined;
      if (k !== d.length - 1) return 'other';
      if (value === undefined && [...c.keys()].every((m) => m !== '' && !m.includes('@'))) symbolic = true;
      else if (value === undefined || Math.abs(value) !== 1) return 'other';
      moves = true;
    }
  }
  return !moves ? 'none' : symbolic ? 'symbolic' : 'unit';
}

export { isInside, stripParens };
