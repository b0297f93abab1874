// Turns a plan into C: OpenMP pragmas before loops, `restrict` on pointer
// parameters, loop interchange, tiling, and one parallel region around a time
// loop. Works on the kernel function's text with offsets from its syntax tree and
// emits the whole rewritten function. Legality is not checked here: run
// analysis/legality.ts first (the analyzer proposer and the verifier's gate do).
import type { AnalysisState } from '../analysis/analyze.js';
import { descendants, isInside, statementsOf, type SyntaxNode } from '../analysis/ast.js';
import { varAt } from '../analysis/context.js';
import { accumulationOf, type Accumulation } from '../analysis/accumulate.js';
import { arrayReductionOf } from '../analysis/array-reduction.js';
import { idempotentStoreOf } from '../analysis/idempotent-store.js';
import { precomputedTermOf } from '../analysis/precompute-term.js';
import { invariantLoadsOf } from '../analysis/load-invariant.js';
import { BLOCK_SIZE, checkedBlocksOf, OK_FLAG } from '../analysis/checked-blocks.js';
import { unrollJamOf, type UnrollJam } from '../analysis/unroll-jam.js';
import { distributionParts } from '../analysis/distribute.js';
import { nestedChild } from '../analysis/legality.js';
import { type LoopNode } from '../analysis/loops.js';
import { reductionOf } from '../analysis/reductions.js';
import { scalarReplacementOf, type ScalarReplacement } from '../analysis/scalar-replace.js';
import { isUniformExit, parallelSelectionOf, type Selection } from '../analysis/selection.js';
import { ownerComputesOf, subscriptAt, type OwnerComputes } from '../analysis/owner-computes.js';
import type { LoopPlan, Plan, Transform } from './plan.js';

interface Edit {
  start: number;
  end: number;
  text: string;
}

export interface AppliedPlan {
  functionText: string;
}

export function applyPlan(state: AnalysisState, plan: Plan): AppliedPlan {
  const text = state.ctx.text;
  const edits: Edit[] = [];
  const insert = (at: number, s: string) => edits.push({ start: at, end: at, text: s });
  const actions = new Map(plan.loops.filter((l) => l.action !== 'none').map((l) => [l.loop, l]));
  const hoisted = new Set((plan.transforms ?? []).filter((t) => t.kind === 'hoist-parallel-region').map((t) => (t as { loop: string }).loop));

  // Scalar replacement first: its closing store must come before anything an enclosing
  // construct closes at the same offset. The loop's own pragma goes inside the prologue.
  const replacedBy = new Map<string, ScalarReplacement[]>();
  for (const t of plan.transforms ?? []) {
    if (t.kind !== 'scalar-replace') continue;
    const r = scalarReplacementOf(state, state.loopById.get(t.loop)!, t.array);
    if (!r.ok) throw new Error(`plan-apply: ${r.reason}`);
    replacedBy.set(t.loop, [...(replacedBy.get(t.loop) ?? []), r.replacement]);
  }
  for (const [id, rs] of replacedBy) {
    const loop = state.loopById.get(id)!;
    const ind = indentOf(text, loop.node.startIndex);
    const pragma = actions.has(id) && !actions.get(id)!.select ? pragmaFor(state, actions.get(id), id, loop.parent !== undefined && hoisted.has(loop.parent.id)) : undefined;
    let head = '{\n';
    for (const r of rs) head += `${ind}    ${r.type} ${r.name} = ${r.elementText};\n`;
    if (pragma) head += `${ind}    ${pragma}\n`;
    insert(loop.node.startIndex, `${head}${ind}    `);
    for (const r of rs) for (const a of r.accesses) edits.push({ start: a.node.startIndex, end: a.node.endIndex, text: r.name });
    // Indent the loop's further lines one level (it now sits in a block), unless a line is continued.
    indentLines(text, loop.node, '    ', insert);
    insert(loop.node.endIndex, `\n${rs.map((r) => `${ind}    ${r.elementText} = ${r.name};\n`).join('')}${ind}}`);
  }

  // Accumulation in the output: the loop's whole text is regenerated (the legality gate
  // keeps every other transform and action out of it).
  for (const t of plan.transforms ?? []) {
    if (t.kind !== 'accumulate-in-output') continue;
    const r = accumulationOf(state, state.loopById.get(t.loop)!);
    if (!r.ok) throw new Error(`plan-apply: ${r.reason}`);
    edits.push({ start: r.accumulation.loop.node.startIndex, end: r.accumulation.loop.node.endIndex, text: accumulatedText(state, r.accumulation, actions.get(`${t.loop}:moved`)) });
  }

  // Unroll and jam: also regenerated as a whole.
  for (const t of plan.transforms ?? []) {
    if (t.kind !== 'unroll-and-jam') continue;
    const r = unrollJamOf(state, state.loopById.get(t.loop)!);
    if (!r.ok) throw new Error(`plan-apply: ${r.reason}`);
    edits.push({ start: r.jam.loop.node.startIndex, end: r.jam.loop.node.endIndex, text: jammedText(state, r.jam, t.factor) });
  }

  // restrict
  if ((plan.transforms ?? []).some((t) => t.kind === 'restrict-params')) {
    for (const p of state.ctx.params) {
      if (p.pointerDepth === 0 || p.restrict) continue;
      const star = outermostPointerDeclarator(p.decl);
      if (star) insert(star.startIndex + 1, ' restrict ');
    }
  }

  // Distribution: the leading statements go into a copy of the loop placed before it.
  const distributed = new Set((plan.transforms ?? []).filter((t) => t.kind === 'distribute').map((t) => (t as { loop: string }).loop));
  for (const id of distributed) {
    const loop = state.loopById.get(id)!;
    const parts = distributionParts(loop)!;
    const ind = indentOf(text, loop.node.startIndex);
    const inner = indentOf(text, parts.pre[0]!.startIndex);
    const header = headerText(state, loop).trimEnd();
    const body = parts.pre.map((s) => `${inner}${text.slice(s.startIndex, s.endIndex)}`).join('\n');
    // Two loops where there was one statement: brace them when the parent is not a block.
    const braced = loop.node.parent?.type !== 'compound_statement';
    insert(loop.node.startIndex, `${braced ? `{\n${ind}` : ''}${header} {\n${body}\n${ind}}\n${ind}`);
    edits.push({ start: parts.pre[0]!.startIndex, end: parts.main.node.startIndex, text: '' });
    if (braced) insert(loop.node.endIndex, `\n${ind}}`);
  }

  // Where each loop's header ends up (interchange swaps two headers).
  const headerSlot = new Map<string, LoopNode>(); // loop id -> loop whose position it takes
  const replacedHeaders = new Set<string>();
  const tiledIds = new Set((plan.transforms ?? []).filter((t) => t.kind === 'tile').map((t) => (t as { loop: string }).loop));
  for (const t of plan.transforms ?? []) {
    if (t.kind !== 'interchange') continue;
    const a = state.loopById.get(t.loop)!;
    const b = state.loopById.get(t.with)!;
    const [outer, inner] = b.parent === a ? [a, b] : [b, a];
    // A tiled interchanged pair gets its headers from the tiling below.
    if (!tiledIds.has(inner.id)) {
      edits.push({ start: outer.node.startIndex, end: outer.body.startIndex, text: headerText(state, inner) });
      edits.push({ start: inner.node.startIndex, end: inner.body.startIndex, text: headerText(state, outer) });
    }
    headerSlot.set(outer.id, inner);
    headerSlot.set(inner.id, outer);
    replacedHeaders.add(outer.id).add(inner.id);
  }

  // Tiling: rewrite headers; pragmas for tile loops go before the tile headers,
  // pragmas for point loops inside the generated text.
  const tiledDone = new Set<string>();
  for (const t of plan.transforms ?? []) {
    if (t.kind !== 'tile') continue;
    const tl = state.loopById.get(t.loop)!;
    // Interchanged pair: `tl` now sits at its partner's (the old outer's) position.
    const partner = headerSlot.get(tl.id);
    const swappedPair = partner !== undefined && tl.parent === partner;
    const outer = tl;
    const child = swappedPair ? partner : nestedChild(outer, distributed);
    const inner = swappedPair || (child && child.canonical && child.step === 1 && rectangular(child, outer)) ? child : undefined;
    // Text positions of the two headers (the old order) and the loops whose headers go there.
    const posOuter = swappedPair ? partner : outer;
    const posInner = swappedPair ? tl : inner;
    const ind = indentOf(text, outer.node.startIndex);
    const ti = tileName(state, outer);
    if (inner && posInner) {
      const tj = tileName(state, inner);
      const indIn = indentOf(text, posInner.node.startIndex);
      edits.push({ start: posOuter.node.startIndex, end: posOuter.body.startIndex, text: tileHeader(outer, ti, t.size) + ' ' });
      const pointOuter = pragmaFor(state, actions.get(`${outer.id}:point`), `${outer.id}:point`);
      const pointInner = pragmaFor(state, actions.get(`${inner.id}:point`), `${inner.id}:point`);
      let s = tileHeader(inner, tj, t.size) + ' {\n';
      if (pointOuter) s += `${indIn}${pointOuter}\n`;
      // The point loops are braced: a pragma cannot be the body of a loop by itself.
      s += `${indIn}${pointHeader(state, outer, ti, t.size)} {\n`;
      if (pointInner) s += `${indIn}${pointInner}\n`;
      s += `${indIn}${pointHeader(state, inner, tj, t.size)} `;
      edits.push({ start: posInner.node.startIndex, end: posInner.body.startIndex, text: s });
      edits.push({ start: posInner.node.endIndex, end: posInner.node.endIndex, text: `\n${indIn}}\n${indIn}}` });
      tiledDone.add(outer.id).add(inner.id);
      void ind;
    } else {
      const pointOuter = pragmaFor(state, actions.get(`${outer.id}:point`), `${outer.id}:point`);
      let s = tileHeader(outer, ti, t.size) + ' {\n';
      if (pointOuter) s += `${ind}${pointOuter}\n`;
      s += `${ind}${pointHeader(state, outer, ti, t.size)} `;
      edits.push({ start: outer.node.startIndex, end: outer.body.startIndex, text: s });
      edits.push({ start: outer.node.endIndex, end: outer.node.endIndex, text: `\n${ind}}` });
      tiledDone.add(outer.id);
    }
  }

  // Invariant loads: a block before the loop's position (its pragma goes inside); closed below.
  const loadBlocks: { at: number; ind: string }[] = [];
  for (const t of plan.transforms ?? []) {
    if (t.kind !== 'load-invariant') continue;
    const loop = state.loopById.get(t.loop)!;
    const partner = headerSlot.get(loop.id);
    const r = invariantLoadsOf(state, loop, partner && partner.parent === loop ? partner : undefined);
    if (!r.ok) throw new Error(`plan-apply: ${r.reason}`);
    const slot = partner ?? loop;
    const ind = indentOf(text, slot.node.startIndex);
    const lines = ['{'];
    const fresh = freshNamer(state);
    for (const read of r.loads.reads) {
      const name = fresh(invName(read.node));
      lines.push(`${ind}const ${read.type} ${name} = (${r.loads.runsText}) ? ${read.node.text} : (${read.type})0;`);
      edits.push({ start: read.node.startIndex, end: read.node.endIndex, text: name });
    }
    insert(slot.node.startIndex, `${lines.join('\n')}\n${ind}`);
    loadBlocks.push({ at: slot.node.endIndex, ind });
  }

  // Pragmas before loops (at the loop whose position the header now occupies).
  for (const [ref, lp] of actions) {
    if (ref.endsWith(':point')) continue;
    const loop = state.loopById.get(ref);
    if (!loop) continue;
    const slot = headerSlot.get(loop.id) ?? loop;
    const inHoisted = loop.parent !== undefined && hoisted.has(loop.parent.id);
    if (lp.select) {
      // In a hoisted region the selection is written with the region (below).
      if (!inHoisted) selectionRegion(state, loop, lp, insert);
      continue;
    }
    const reducedHere = (plan.transforms ?? []).filter((t): t is Extract<Transform, { kind: 'array-reduction' }> => t.kind === 'array-reduction' && t.loop === loop.id);
    if (reducedHere.length) {
      arrayReductionRegion(state, loop, lp, reducedHere.map((t) => t.array), insert, edits);
      continue;
    }
    const storedHere = (plan.transforms ?? []).filter((t): t is Extract<Transform, { kind: 'idempotent-store' }> => t.kind === 'idempotent-store' && t.loop === loop.id);
    if (storedHere.length) {
      idempotentStoreLoop(state, loop, lp, storedHere.map((t) => t.array), insert, edits);
      continue;
    }
    if ((plan.transforms ?? []).some((t) => t.kind === 'checked-blocks' && t.loop === loop.id)) {
      checkedBlocksLoop(state, loop, lp, insert);
      continue;
    }
    const termsHere = (plan.transforms ?? []).filter((t): t is Extract<Transform, { kind: 'precompute-term' }> => t.kind === 'precompute-term' && t.loop === loop.id);
    if (termsHere.length) {
      precomputedTermLoop(state, loop, lp, termsHere.map((t) => t.index), insert, edits);
      for (const arr of lp.atomic ?? []) atomicUpdates(state, loop, arr, insert);
      continue;
    }
    const pragma = pragmaFor(state, lp, ref, inHoisted);
    if (!pragma) continue;
    // A scalar-replaced loop's pragma is already inside its prologue.
    if (!replacedBy.has(ref)) placeBefore(text, slot.node, pragma, insert);
    for (const arr of lp.atomic ?? []) atomicUpdates(state, loop, arr, insert);
  }

  for (const b of loadBlocks) insert(b.at, `\n${b.ind}}`);

  // Parallel region around time loops.
  const fresh = freshNamer(state);
  for (const id of hoisted) {
    const loop = state.loopById.get(id)!;
    const ind = indentOf(text, loop.node.startIndex);
    const priv = loop.declaresIndex ? '' : ` private(${loop.index})`;
    const ownerCheck = (plan.transforms ?? []).some((t) => t.kind === 'owner-computes' && t.loop === id) ? ownerComputesOf(state, loop) : undefined;
    if (ownerCheck && !ownerCheck.ok) throw new Error(`plan-apply: ${ownerCheck.reason}`);
    const owner = ownerCheck?.ok ? ownerBlocks(state, ownerCheck.owner, fresh) : undefined;
    const selections = loop.children.filter((c) => actions.get(c.id)?.select).map((c) => hoistedSelection(state, c, actions.get(c.id)!, fresh, insert, owner?.scan === c));
    if (owner) {
      const lanes = actions.get(owner.scan.id)?.select?.lanes;
      if (lanes) edits.push({ start: owner.scan.node.startIndex, end: owner.scan.node.endIndex, text: lanedScan(state, owner, lanes) });
      else edits.push({ start: owner.scan.node.startIndex, end: owner.scan.body.startIndex, text: owner.header(owner.scan) });
      ownerRound(state, owner, insert, edits);
    }
    if (!selections.length) {
      insert(loop.node.startIndex, `#pragma omp parallel${priv}\n${ind}{\n${ind}`);
      insert(loop.node.endIndex, `\n${ind}}`);
    } else {
      // The selections' slots are shared (declared before the region), their parities per thread.
      const nt = fresh('autopar_max_threads');
      insert(loop.node.startIndex, [
        `{`,
        `${ind}    const int ${nt} = omp_get_max_threads();`,
        ...selections.map((h) => `${ind}    ${h.valueType} ${h.valueSlots}[2][${nt}];\n${ind}    ${h.indexType} ${h.indexSlots}[2][${nt}];`),
        `${ind}    #pragma omp parallel${priv}`,
        `${ind}    {`,
        ...selections.map((h) => `${ind}    int ${h.parity} = 0;`),
        ...(owner ? owner.prologue.map((l) => `${ind}    ${l}`) : []),
        `${ind}    `,
      ].join('\n'));
      insert(loop.node.endIndex, `\n${ind}    }\n${ind}}`);
    }
    const selected = new Set(selections.flatMap((h) => [h.value, h.index]));
    // Everything in the body that is not a worksharing loop runs once, on one thread; the
    // selections' own declarations and exits on their combined result run on every thread.
    const parallelChildren = new Set(loop.children.filter((c) => actions.has(c.id)).map((c) => c.node.id));
    let run: SyntaxNode[] = [];
    const flush = () => {
      if (!run.length) return;
      const first = run[0]!;
      const last = run[run.length - 1]!;
      const i2 = indentOf(text, first.startIndex);
      insert(first.startIndex, `#pragma omp single\n${i2}{\n${i2}`);
      insert(last.endIndex, `\n${i2}}`);
      run = [];
    };
    // Owner-computes: every thread runs the rest of the round (ownerRound), none of it in single blocks.
    for (const s of owner ? [] : statementsOf(loop.body)) {
      if (s.type === 'comment' || s.type.startsWith('preproc')) continue;
      if (parallelChildren.has(s.id) || s.type === 'declaration' || isUniformExit(state, s, selected)) flush();
      else run.push(s);
    }
    flush();
  }

  let out = applyEdits(text, edits);
  if (/\bomp_\w+\s*\(/.test(out) && !/#include\s*<omp\.h>/.test(out)) out = `#include <omp.h>\n${out}`;
  if (/\b(calloc|malloc|free)\s*\(/.test(out) && !/\b(calloc|malloc|free)\s*\(/.test(text) && !/#include\s*<stdlib\.h>/.test(out)) out = `#include <stdlib.h>\n${out}`;
  return { functionText: out };
}

/**
 * `{ for x E = init;  for r.. { for x { body[acc := E] } }  for x E = h[acc := E]; }`
 * with E the output element; the last loop is left out when h is the accumulator itself.
 */
function accumulatedText(state: AnalysisState, a: Accumulation, moved: LoopPlan | undefined): string {
  const text = state.ctx.text;
  const ind = indentOf(text, a.loop.node.startIndex);
  const step = '    ';
  const at = (depth: number) => ind + step.repeat(depth);
  const element = text.slice(a.storeTarget.startIndex, a.storeTarget.endIndex);
  const header = headerText(state, a.loop).trimEnd();
  // Invariant reads are loaded once per moved loop, into locals named after their arrays.
  const hoisted = a.loop.cmp && a.loop.lowerText !== undefined && a.loop.upperText !== undefined ? a.invariantReads : [];
  const locals = new Map<number, string>();
  const fresh = freshNamer(state);
  for (const r of hoisted) locals.set(r.node.id, fresh(invName(r.node)));
  const substitute = (node: SyntaxNode) => renamed(text, node, new Map([[a.acc, element]]), locals);
  const lines: string[] = ['{', `${at(1)}${header}`, `${at(2)}${element} = ${a.initText};`];
  let depth = 1;
  // The hoisted reads run even where the moved loop would not: only when it runs at least once.
  if (hoisted.length) lines.push(`${at(depth++)}if (${a.loop.lowerText} ${a.loop.cmp} ${a.loop.upperText}) {`);
  const nestDepth = depth;
  for (const r of a.nest) lines.push(`${at(depth++)}${headerText(state, r).trimEnd()} {`);
  for (const r of hoisted) lines.push(`${at(depth)}const ${r.type} ${locals.get(r.node.id)} = ${renamed(text, r.node, new Map())};`);
  const simd = pragmaFor(state, moved, `${a.loop.id}:moved`);
  if (simd) lines.push(`${at(depth)}${simd}`);
  lines.push(`${at(depth)}${header} {`);
  // The innermost body's statements, re-indented one level inside the moved loop.
  const innermost = a.nest[a.nest.length - 1]!;
  const bodyNodes = innermost.body.type === 'compound_statement' ? statementsOf(innermost.body) : [innermost.body];
  for (const n of bodyNodes) lines.push(`${at(depth + 1)}${reindent(substitute(n), indentOf(text, n.startIndex), at(depth + 1))}`);
  lines.push(`${at(depth)}}`);
  while (depth > nestDepth) lines.push(`${at(--depth)}}`);
  while (depth > 1) lines.push(`${at(--depth)}}`);
  const value = substitute(a.storeValue);
  if (value.replace(/[\s()]/g, '') !== element.replace(/[\s()]/g, '')) lines.push(`${at(1)}${header}`, `${at(2)}${element} = ${value};`);
  lines.push(`${ind}}`);
  return lines.join('\n');
}

/** Moves the continuation lines of a statement from indentation `from` to `to` (the first line is placed by the caller). */
function reindent(statement: string, from: string, to: string): string {
  return statement.split('\n').map((line, i) => (i === 0 ? line : line.startsWith(from) ? to + line.slice(from.length) : line)).join('\n');
}

/**
 * Text of `node` with identifiers renamed (`acc` -> `acc_1`, `j` -> `(j + 1)`; callee names and
 * fields stay) and whole subexpressions replaced (`nodes`: node id -> text).
 */
function renamed(text: string, node: SyntaxNode, names: Map<string, string>, nodes: Map<number, string> = new Map()): string {
  const all = [...descendants(node)];
  const whole = all.filter((n) => nodes.has(n.id));
  const hits = [
    ...whole,
    ...all.filter((n) => n.type === 'identifier' && names.has(n.text) && !whole.some((w) => isInside(n, w))
      && !(n.parent?.type === 'call_expression' && n.parent.childForFieldName('function')?.id === n.id)),
  ];
  let out = '';
  let pos = node.startIndex;
  for (const h of hits.sort((a, b) => a.startIndex - b.startIndex)) {
    if (h.startIndex < pos) continue; // inside a replaced subexpression
    out += text.slice(pos, h.startIndex) + (nodes.get(h.id) ?? names.get(h.text)!);
    pos = h.endIndex;
  }
  return out + text.slice(pos, node.endIndex);
}

/**
 * `{ int j = lo; for (; j + U-1 < hi; j += U) { acc_0..acc_U-1 = init; for k { stmt x U };
 * { tail } x U } for (; j < hi; j++) <original body> }`.
 */
function jammedText(state: AnalysisState, jam: UnrollJam, factor: number): string {
  const text = state.ctx.text;
  const loop = jam.loop;
  const j = loop.index!;
  const ind = indentOf(text, loop.node.startIndex);
  const step = '    ';
  const at = (depth: number) => ind + step.repeat(depth);
  const names: string[] = [];
  for (let u = 0; u < factor; u++) {
    let name = `${jam.acc}_${u}`;
    while (state.ctx.vars.has(name) || state.ctx.macros.has(name)) name += '_';
    names.push(name);
  }
  const copy = (node: SyntaxNode, u: number) => renamed(text, node, new Map([[jam.acc, names[u]!], ...(u ? [[j, `(${j} + ${u})`] as [string, string]] : [])]));
  const cmp = loop.cmp!;
  const lines: string[] = ['{'];
  lines.push(loop.declaresIndex ? `${at(1)}${indexType(state, loop)} ${j} = ${loop.lowerText};` : `${at(1)}${j} = ${loop.lowerText};`);
  lines.push(`${at(1)}for (; ${j} + ${factor - 1} ${cmp} (${loop.upperText}); ${j} += ${factor}) {`);
  lines.push(`${at(2)}${jam.type} ${names.map((n, u) => `${n} = ${copy(jam.init, u)}`).join(', ')};`);
  lines.push(`${at(2)}${headerText(state, jam.inner).trimEnd()} {`);
  for (let u = 0; u < factor; u++) lines.push(`${at(3)}${reindent(copy(jam.update, u), indentOf(text, jam.update.startIndex), at(3))}`);
  lines.push(`${at(2)}}`);
  for (let u = 0; u < factor; u++) {
    lines.push(`${at(2)}{`);
    for (const t of jam.tail) lines.push(`${at(3)}${reindent(copy(t, u), indentOf(text, t.startIndex), at(3))}`);
    lines.push(`${at(2)}}`);
  }
  lines.push(`${at(1)}}`);
  lines.push(`${at(1)}for (; ${j} ${cmp} ${loop.upperText}; ${j}++) ${reindent(text.slice(loop.body.startIndex, loop.body.endIndex), ind, at(1))}`);
  lines.push(`${ind}}`);
  return lines.join('\n');
}

/** The OpenMP directive for one loop action. */
export function pragmaFor(state: AnalysisState, lp: LoopPlan | undefined, ref: string, insideParallelRegion = false): string | undefined {
  if (!lp || lp.action === 'none') return undefined;
  void state;
  void ref;
  const head = lp.action === 'simd'
    ? 'omp simd'
    : lp.action === 'parallel-for-simd'
      ? insideParallelRegion ? 'omp for simd' : 'omp parallel for simd'
      : insideParallelRegion ? 'omp for' : 'omp parallel for';
  const clauses: string[] = [];
  if (lp.collapse && lp.collapse > 1) clauses.push(`collapse(${lp.collapse})`);
  if (lp.private?.length) clauses.push(`private(${lp.private.join(', ')})`);
  if (lp.firstprivate?.length) clauses.push(`firstprivate(${lp.firstprivate.join(', ')})`);
  if (lp.lastprivate?.length) clauses.push(`lastprivate(${lp.lastprivate.join(', ')})`);
  for (const r of lp.reduction ?? []) if (r.vars.length) clauses.push(`reduction(${r.op}:${r.vars.join(', ')})`);
  if (lp.schedule && lp.action !== 'simd') clauses.push(`schedule(${lp.schedule.kind}${lp.schedule.chunk ? `, ${lp.schedule.chunk}` : ''})`);
  if (lp.ifThreshold && lp.action !== 'simd' && !insideParallelRegion) clauses.push(`if(${lp.ifThreshold})`);
  return `#pragma ${head}${clauses.length ? ' ' + clauses.join(' ') : ''}`;
}

/** The worksharing pragma of a selection loop (`omp for nowait`): its own value and index are per-thread copies, not clauses. */
function selectionForPragma(state: AnalysisState, loop: LoopNode, lp: LoopPlan, sel: Selection): string {
  const rest: LoopPlan = { ...lp, action: 'parallel-for', select: undefined, ifThreshold: undefined };
  rest.private = (lp.private ?? []).filter((v) => v !== sel.value && v !== sel.index);
  rest.lastprivate = (lp.lastprivate ?? []).filter((v) => v !== sel.value && v !== sel.index);
  return pragmaFor(state, rest, loop.id, true)!.replace(/^#pragma omp for/, '#pragma omp for nowait');
}

/**
 * Parallel selection (argmin/argmax): per-thread copies of the value and index, shadowing
 * the originals inside the region and starting from their values before the loop; the
 * thread results are combined in a critical section by better value, ties to the lower
 * index, so the result is the serial one.
 */
function selectionRegion(state: AnalysisState, loop: LoopNode, lp: LoopPlan, insert: (at: number, s: string) => void): void {
  const sel = parallelSelectionOf(state, loop)!;
  const text = state.ctx.text;
  const ind = indentOf(text, loop.node.startIndex);
  const p = `__autopar_${sel.value}`;
  const q = `__autopar_${sel.index}`;
  const better = sel.op === 'min' ? '<' : '>';
  const forPragma = selectionForPragma(state, loop, lp, sel);
  const head = [
    `{`,
    `${ind}    ${sel.valueType} *const ${p}_out = &${sel.value};`,
    `${ind}    ${sel.indexType} *const ${q}_out = &${sel.index};`,
    `${ind}    const ${sel.valueType} ${p}_0 = ${sel.value};`,
    `${ind}    const ${sel.indexType} ${q}_0 = ${sel.index};`,
    `${ind}    #pragma omp parallel${lp.ifThreshold ? ` if(${lp.ifThreshold})` : ''}`,
    `${ind}    {`,
    `${ind}        ${sel.valueType} ${sel.value} = ${p}_0;`,
    `${ind}        ${sel.indexType} ${sel.index} = ${q}_0;`,
    `${ind}        ${forPragma}`,
    `${ind}        `,
  ].join('\n');
  const tail = [
    ``,
    `${ind}        #pragma omp critical`,
    `${ind}        {`,
    `${ind}            if (${sel.value} ${better} *${p}_out || (${sel.value} == *${p}_out && ${sel.index} < *${q}_out)) {`,
    `${ind}                *${p}_out = ${sel.value};`,
    `${ind}                *${q}_out = ${sel.index};`,
    `${ind}            }`,
    `${ind}        }`,
    `${ind}    }`,
    `${ind}}`,
  ].join('\n');
  insert(loop.node.startIndex, head);
  insert(loop.node.endIndex, tail);
}

interface HoistedSelection {
  value: string;
  index: string;
  valueType: string;
  indexType: string;
  /** Shared `[2][threads]` arrays of the per-thread results, and the per-thread parity picking the half. */
  valueSlots: string;
  indexSlots: string;
  parity: string;
}

/**
 * A selection in a hoisted parallel region: each thread scans its static block from the
 * initial value and index (shadowed copies), publishes its result in its slot, and after one
 * barrier every thread combines all slots the same way, by better value, ties to the lower
 * index — the serial result, in every thread's own copy. The slots alternate between two
 * halves, so a thread that runs ahead into the next selection never overwrites a slot another
 * thread is still reading (the barrier between them orders the rest).
 */
function hoistedSelection(state: AnalysisState, loop: LoopNode, lp: LoopPlan, fresh: (base: string) => string, insert: (at: number, s: string) => void, ownBlock = false): HoistedSelection {
  const sel = parallelSelectionOf(state, loop)!;
  const ind = indentOf(state.ctx.text, loop.node.startIndex);
  const h: HoistedSelection = {
    value: sel.value, index: sel.index, valueType: sel.valueType, indexType: sel.indexType,
    valueSlots: fresh(`${sel.value}_slots`), indexSlots: fresh(`${sel.index}_slots`), parity: fresh(`${sel.value}_half`),
  };
  const outV = fresh(`${sel.value}_out`);
  const outX = fresh(`${sel.index}_out`);
  const s = fresh('autopar_s');
  const better = sel.op === 'min' ? '<' : '>';
  const forPragma = selectionForPragma(state, loop, lp, sel);
  const mine = (slots: string) => `${slots}[${h.parity}][omp_get_thread_num()]`;
  const theirs = (slots: string) => `${slots}[${h.parity}][${s}]`;
  insert(loop.node.startIndex, [
    `{`,
    `${ind}    ${sel.valueType} *const ${outV} = &${sel.value};`,
    `${ind}    ${sel.indexType} *const ${outX} = &${sel.index};`,
    `${ind}    {`,
    `${ind}        ${sel.valueType} ${sel.value} = *${outV};`,
    `${ind}        ${sel.indexType} ${sel.index} = *${outX};`,
    // Owner-computes: the loop runs over the thread's own block (no worksharing).
    ...(ownBlock ? [] : [`${ind}        ${forPragma}`]),
    `${ind}        `,
  ].join('\n'));
  insert(loop.node.endIndex, [
    ``,
    `${ind}        ${mine(h.valueSlots)} = ${sel.value};`,
    `${ind}        ${mine(h.indexSlots)} = ${sel.index};`,
    `${ind}    }`,
    `${ind}    #pragma omp barrier`,
    `${ind}    for (int ${s} = 0; ${s} < omp_get_num_threads(); ${s}++) {`,
    `${ind}        if (${theirs(h.valueSlots)} ${better} *${outV} || (${theirs(h.valueSlots)} == *${outV} && ${theirs(h.indexSlots)} < *${outX})) {`,
    `${ind}            *${outV} = ${theirs(h.valueSlots)};`,
    `${ind}            *${outX} = ${theirs(h.indexSlots)};`,
    `${ind}        }`,
    `${ind}    }`,
    `${ind}    ${h.parity} ^= 1;`,
    `${ind}}`,
  ].join('\n'));
  return h;
}

/** Names and text of an owner-computes round: the thread's block, the ownership test, the shadow. */
interface OwnerBlocks extends OwnerComputes {
  /** Declarations at the start of the region: the thread's block [lo, hi) of the selection's range (`long long`s). */
  prologue: string[];
  lo: string;
  hi: string;
  /** `for (T j = lo; j < hi; j++) `: a loop over the selection's range, limited to the thread's block. */
  header(loop: LoopNode): string;
  /** C condition: does this thread own element `e`? (The first thread also owns all below its block, the last all above.) */
  owns(e: string): string;
  shadowName: string;
  fresh: (base: string) => string;
}

function ownerBlocks(state: AnalysisState, owner: OwnerComputes, fresh: (base: string) => string): OwnerBlocks {
  const t = fresh('autopar_t');
  const nt = fresh('autopar_nt');
  const span = fresh('autopar_span');
  const lo = fresh('autopar_lo');
  const hi = fresh('autopar_hi');
  return {
    ...owner,
    prologue: [
      `const int ${t} = omp_get_thread_num(), ${nt} = omp_get_num_threads();`,
      `const long long ${span} = (long long)(${owner.upperText}) - (long long)(${owner.lowerText});`,
      `const long long ${lo} = (long long)(${owner.lowerText}) + (${span} > 0 ? ${span} * ${t} / ${nt} : 0);`,
      `const long long ${hi} = (long long)(${owner.lowerText}) + (${span} > 0 ? ${span} * (${t} + 1) / ${nt} : 0);`,
    ],
    lo,
    hi,
    header: (loop) => {
      const type = indexType(state, loop);
      // The block lies within the loop's own range, so its bounds fit the index's type (and compare as cheaply).
      return `for (${type} ${loop.index} = (${type})${lo}; ${loop.index} < (${type})${hi}; ${loop.index}++) `;
    },
    owns: (e) => `((${t} == 0 || (long long)(${e}) >= ${lo}) && (${t} == ${nt} - 1 || (long long)(${e}) < ${hi}))`,
    shadowName: owner.shadow ? fresh(`${owner.shadow.array}_shadow`) : '',
    fresh,
  };
}

/**
 * The selection scan of an owner-computes round over the thread's block with `lanes`
 * independent (value, index) pairs: pair k takes the elements i + k of each step of `lanes`
 * (the remainder goes to pair 0), then the pairs combine like the threads' results — better
 * value, ties to the lower index — into the thread's value and index. Each pair sees its
 * elements in increasing order, so each keeps the first index of its best value, and the
 * combination is the serial result over the block.
 */
function lanedScan(state: AnalysisState, o: OwnerBlocks, lanes: number): string {
  const text = state.ctx.text;
  const scan = o.scan;
  const sel = o.selection;
  const i = scan.index!;
  const type = indexType(state, scan);
  const ind = indentOf(text, scan.node.startIndex);
  const hiText = `(${type})${o.hi}`;
  const ks = [...Array(lanes).keys()];
  const m = ks.map((k) => o.fresh(`${sel.value}_lane${k}`));
  const x = ks.map((k) => o.fresh(`${sel.index}_lane${k}`));
  const body = (k: number, at: string) => at + renamed(text, scan.body, new Map([[sel.value, m[k]!], [sel.index, x[k]!], [i, k ? `(${i} + ${k})` : i]]));
  const better = sel.op === 'min' ? '<' : '>';
  return [
    `{`,
    `${ind}    ${sel.valueType} ${ks.map((k) => `${m[k]} = ${sel.value}`).join(', ')};`,
    `${ind}    ${sel.indexType} ${ks.map((k) => `${x[k]} = ${sel.index}`).join(', ')};`,
    `${ind}    ${type} ${i} = (${type})${o.lo};`,
    `${ind}    for (; ${o.hi} - ${i} > ${lanes - 1}; ${i} += ${lanes}) {`,
    ...ks.map((k) => body(k, `${ind}        `)),
    `${ind}    }`,
    `${ind}    for (; ${i} < ${hiText}; ${i}++)`,
    body(0, `${ind}        `),
    ...ks.map((k) => `${ind}    if (${m[k]} ${better} ${sel.value} || (${m[k]} == ${sel.value} && ${x[k]} < ${sel.index})) { ${sel.value} = ${m[k]}; ${sel.index} = ${x[k]}; }`),
    `${ind}}`,
  ].join('\n');
}

/**
 * The rest of an owner-computes round, run by every thread: stores at the selected index only
 * by its owner; loops over the selection's range on the thread's block; guarded loops' bodies
 * (after their index w) only on w's owner and, when w is the selected index x, on every thread,
 * which then reads and updates P[x] in its own shadow (see analysis/owner-computes.ts).
 */
function ownerRound(state: AnalysisState, o: OwnerBlocks, insert: (at: number, s: string) => void, edits: Edit[]): void {
  const text = state.ctx.text;
  const x = o.selection.index;
  if (o.shadow) insert(o.scan.node.endIndex, `\n${indentOf(text, o.scan.node.startIndex)}${o.shadow.type} ${o.shadowName} = ${o.selection.value};`);
  for (const s of o.ownerStores) insert(s.startIndex, `if (${o.owns(x)}) `);
  for (const l of o.blockLoops) edits.push({ start: l.node.startIndex, end: l.body.startIndex, text: o.header(l) });
  for (const g of o.guardedLoops) {
    const w = g.target;
    const sh = o.shadowName;
    const ind = indentOf(text, g.decl.startIndex);
    const readOf = (n: SyntaxNode) => (g.shadowReads.some((r) => r.id === n.id) ? sh : `(${w} == ${x} ? ${sh} : ${text.slice(n.startIndex, n.endIndex)})`);
    insert(g.decl.endIndex, `\n${ind}if (${o.owns(w)} || ${w} == ${x}) {`);
    insert(g.last.endIndex, `\n${ind}}`);
    for (const r of [...g.shadowReads, ...g.targetReads]) edits.push({ start: r.startIndex, end: r.endIndex, text: readOf(r) });
    for (const st of g.stores) {
      // Reads inside the stored value: P[x] from the shadow, P[w] from the shadow when w is x.
      const inner = new Map<number, string>();
      for (const n of descendants(st.value)) {
        if (subscriptAt(n, x) === o.shadow!.array) inner.set(n.id, sh);
        else if (subscriptAt(n, w) === o.shadow!.array) inner.set(n.id, `(${w} == ${x} ? ${sh} : ${n.text})`);
      }
      const tmp = o.fresh(`${o.shadow!.array}_new`);
      const left = st.statement.namedChild(0)!.childForFieldName('left')!;
      edits.push({
        start: st.statement.startIndex,
        end: st.statement.endIndex,
        text: `{ ${o.shadow!.type} ${tmp} = ${renamed(text, st.value, new Map(), inner)}; if (${w} == ${x}) ${sh} = ${tmp}; if (${o.owns(w)}) ${left.text} = ${tmp}; }`,
      });
    }
  }
}

/**
 * Array reduction (analysis/array-reduction.ts): the loop runs in a parallel region in which
 * every thread adds into its own zeroed copy of each reduced range (one heap block for all
 * threads), then the copies are added into the arrays in thread order, element-parallel.
 * When the block cannot be allocated, the original loop runs as it was (serially).
 */
function arrayReductionRegion(state: AnalysisState, loop: LoopNode, lp: LoopPlan, arrays: string[], insert: (at: number, s: string) => void, edits: Edit[]): void {
  const text = state.ctx.text;
  const ind = indentOf(text, loop.node.startIndex);
  const original = reindent(text.slice(loop.node.startIndex, loop.node.endIndex), ind, `${ind}        `);
  const fresh = freshNamer(state);
  const nt = fresh('autopar_nt');
  const head: string[] = ['{', `${ind}    const int ${nt} = omp_get_max_threads();`];
  const alloc: string[] = [];
  const combine: string[] = [];
  const frees: string[] = [];
  const mine: string[] = [];
  for (const array of arrays) {
    const r = arrayReductionOf(state, loop, array);
    if (!r.ok) throw new Error(`plan-apply: ${r.reason}`);
    const { type, lowerText, lengthText, updates } = r.reduction;
    const lo = fresh(`${array}_lo`);
    const len = fresh(`${array}_len`);
    const part = fresh(`${array}_part`);
    const own = fresh(`${array}_mine`);
    const k = fresh(`${array}_k`);
    const t = fresh(`${array}_t`);
    const sum = fresh(`${array}_sum`);
    head.push(`${ind}    const long ${lo} = ${lowerText}, ${len} = ${lengthText};`);
    head.push(`${ind}    ${type} *${part} = ${len} > 0 ? (${type} *)calloc((size_t)${nt} * (size_t)${len}, sizeof(${type})) : 0;`);
    alloc.push(part);
    mine.push(`${ind}            ${type} *restrict ${own} = ${part} + (size_t)omp_get_thread_num() * (size_t)${len};`);
    // y[c] -> y_mine[(c) - y_lo]: the thread's copy of the range.
    for (const u of updates) edits.push({ start: u.node.startIndex, end: u.node.endIndex, text: `${own}[(${text.slice(u.node.childForFieldName('index')!.startIndex, u.node.childForFieldName('index')!.endIndex)}) - ${lo}]` });
    combine.push(
      `${ind}        #pragma omp parallel for schedule(static)`,
      `${ind}        for (long ${k} = 0; ${k} < ${len}; ${k}++) {`,
      `${ind}            ${type} ${sum} = ${array}[${lo} + ${k}];`,
      `${ind}            for (int ${t} = 0; ${t} < ${nt}; ${t}++)`,
      `${ind}                ${sum} += ${part}[(size_t)${t} * (size_t)${len} + ${k}];`,
      `${ind}            ${array}[${lo} + ${k}] = ${sum};`,
      `${ind}        }`,
    );
    frees.push(`${ind}        free(${part});`);
  }
  const forPragma = pragmaFor(state, { ...lp, ifThreshold: undefined }, loop.id, true)!;
  head.push(
    `${ind}    if (${alloc.join(' && ')}) {`,
    `${ind}        #pragma omp parallel num_threads(${nt})${lp.ifThreshold ? ` if(${lp.ifThreshold})` : ''}`,
    `${ind}        {`,
    ...mine,
    `${ind}            ${forPragma}`,
    `${ind}            `,
  );
  const tail = [
    '',
    `${ind}        }`,
    ...combine,
    ...frees,
    `${ind}    } else {`,
    ...alloc.map((p) => `${ind}        free(${p});`),
    `${ind}        ${original}`,
    `${ind}    }`,
    `${ind}}`,
  ];
  insert(loop.node.startIndex, head.join('\n'));
  // The loop now sits three levels deeper: indent its further lines (unless a line is continued).
  indentLines(text, loop.node, '            ', insert);
  insert(loop.node.endIndex, tail.join('\n'));
}

/** Inserts a pragma line before a statement; wraps it in braces when it is not in a block. */
function placeBefore(text: string, node: SyntaxNode, pragma: string, insert: (at: number, s: string) => void): void {
  const ind = indentOf(text, node.startIndex);
  if (node.parent?.type === 'compound_statement') {
    insert(node.startIndex, `${pragma}\n${ind}`);
  } else {
    insert(node.startIndex, `{\n${ind}${pragma}\n${ind}`);
    insert(node.endIndex, `\n${ind}}`);
  }
}

/** `#pragma omp atomic` before each reduction update of `arr` in the loop. */
function atomicUpdates(state: AnalysisState, loop: LoopNode, arr: string, insert: (at: number, s: string) => void): void {
  for (const a of state.accesses) {
    if (!a.write || a.base.name !== arr || !a.loops.includes(loop)) continue;
    const stmt = a.statement;
    if (stmt.type !== 'expression_statement' || !reductionOf(state.ctx, stmt)) continue;
    placeBefore(state.ctx.text, stmt, '#pragma omp atomic', insert);
  }
}

function rectangular(child: LoopNode, outer: LoopNode): boolean {
  const idx = `@${outer.id}`;
  return [child.lo, ...(child.hi ?? [])].every((p) => p !== undefined && ![...p.keys()].some((m) => m.split('*').includes(idx)));
}

function headerText(state: AnalysisState, loop: LoopNode): string {
  return state.ctx.text.slice(loop.node.startIndex, loop.body.startIndex);
}

function tileName(state: AnalysisState, loop: LoopNode): string {
  let name = `${loop.index}_tile`;
  while (state.ctx.vars.has(name)) name += '_';
  return name;
}

function indexType(state: AnalysisState, loop: LoopNode): string {
  const v = varAt(state.ctx, loop.index!, loop.body);
  return v && v.pointerDepth === 0 ? v.baseType.replace(/\bconst\b\s*/g, '') : 'int';
}

function exclusiveUpper(loop: LoopNode): string {
  return loop.cmp === '<=' ? `(${loop.upperText}) + 1` : `(${loop.upperText})`;
}

function tileHeader(loop: LoopNode, t: string, size: number): string {
  return `for (int ${t} = ${loop.lowerText}; ${t} < ${exclusiveUpper(loop)}; ${t} += ${size})`;
}

function pointHeader(state: AnalysisState, loop: LoopNode, t: string, size: number): string {
  const i = loop.index!;
  const ub = exclusiveUpper(loop);
  return `for (${indexType(state, loop)} ${i} = ${t}; ${i} < (${t} + ${size} < ${ub} ? ${t} + ${size} : ${ub}); ${i}++)`;
}

function outermostPointerDeclarator(decl: SyntaxNode): SyntaxNode | undefined {
  let d: SyntaxNode | null = decl.childForFieldName('declarator');
  while (d) {
    if (d.type === 'pointer_declarator') {
      // The pointer declarator closest to the name is the one the parameter itself is.
      const inner = d.childForFieldName('declarator');
      if (!inner || inner.type !== 'pointer_declarator') return d;
    }
    d = d.childForFieldName('declarator');
  }
  return undefined;
}

function indentOf(text: string, at: number): string {
  const lineStart = text.lastIndexOf('\n', at - 1) + 1;
  return /^[ \t]*/.exec(text.slice(lineStart, at))![0];
}

/** Applies edits; inserts at the same offset keep their order and come before a replacement there. */
function applyEdits(text: string, edits: Edit[]): string {
  const sorted = edits.map((e, i) => ({ ...e, i })).sort((a, b) => a.start - b.start || (a.end - a.start) - (b.end - b.start) || a.i - b.i);
  let out = '';
  let pos = 0;
  for (const e of sorted) {
    if (e.start < pos) throw new Error(`plan-apply: overlapping edits at ${e.start}`);
    out += text.slice(pos, e.start) + e.text;
    pos = e.end;
  }
  return out + text.slice(pos);
}

/**
 * Idempotent store (analysis/idempotent-store.ts): the array's loads and stores in the loop
 * become relaxed atomics (two threads may reach one element; both store the same value),
 * each flag's stores set a per-thread `<flag>_set` combined with `|` and the flag takes its
 * value after the loop, and the loop's `if()` clause also holds the run-time conditions
 * under which its other tests cannot tell the old value from the stored one (when they
 * fail, the region has one thread and the loop runs in order, as the original).
 */
function idempotentStoreLoop(state: AnalysisState, loop: LoopNode, lp: LoopPlan, arrays: string[], insert: (at: number, s: string) => void, edits: Edit[]): void {
  const text = state.ctx.text;
  const ind = indentOf(text, loop.node.startIndex);
  const conditions: string[] = [];
  const flags = new Map<string, { set: string; value: string }>();
  const fresh = freshNamer(state);
  for (const array of arrays) {
    const r = idempotentStoreOf(state, loop, array);
    if (!r.ok) throw new Error(`plan-apply: ${r.reason}`);
    const { loads, stores, flags: fs } = r.store;
    for (const a of loads) edits.push({ start: a.node.startIndex, end: a.node.endIndex, text: `__atomic_load_n(&${a.node.text}, __ATOMIC_RELAXED)` });
    for (const a of stores) {
      let assign = a.node.parent!;
      while (assign.type === 'parenthesized_expression') assign = assign.parent!;
      edits.push({ start: assign.startIndex, end: assign.endIndex, text: `__atomic_store_n(&${a.node.text}, ${assign.childForFieldName('right')!.text}, __ATOMIC_RELAXED)` });
    }
    for (const c of r.store.conditions) if (!conditions.includes(c)) conditions.push(c);
    for (const f of fs) {
      if (flags.has(f.name)) continue;
      const set = fresh(`${f.name}_set`);
      flags.set(f.name, { set, value: f.valueText });
      for (const st of f.stores) edits.push({ start: st.startIndex, end: st.endIndex, text: `${set} = 1` });
    }
  }
  const sets = [...flags.values()].map((f) => f.set);
  const when = [...(lp.ifThreshold ? [lp.ifThreshold] : []), ...conditions];
  const pragma = pragmaFor(state, {
    ...lp,
    reduction: [...(lp.reduction ?? []), ...(sets.length ? [{ op: '|' as const, vars: sets }] : [])],
    ifThreshold: when.length ? when.map((w) => `(${w})`).join(' && ') : undefined,
  }, loop.id)!;
  const head = ['{', ...sets.map((s) => `${ind}    int ${s} = 0;`), `${ind}    ${pragma}`, `${ind}    `];
  insert(loop.node.startIndex, head.join('\n'));
  indentLines(text, loop.node, '    ', insert);
  const tail = ['', ...[...flags].map(([name, f]) => `${ind}    if (${f.set}) ${name} = ${f.value};`), `${ind}}`];
  insert(loop.node.endIndex, tail.join('\n'));
}

/**
 * Precomputed terms (analysis/precompute-term.ts): a table per term, allocated once around the
 * outermost loop enclosing this one (a time loop fills it every step, and large blocks cost
 * page faults each time they are allocated anew), filled in parallel just before the loop
 * (under the loop's own if()) with the term at every index of its arrays; in the loop each
 * occurrence reads the table, or computes the term as before where the table could not be
 * allocated.
 */
function precomputedTermLoop(state: AnalysisState, loop: LoopNode, lp: LoopPlan, indices: string[], insert: (at: number, s: string) => void, edits: Edit[]): void {
  const text = state.ctx.text;
  const ind = indentOf(text, loop.node.startIndex);
  let outer = loop;
  while (outer.parent) outer = outer.parent;
  const oind = indentOf(text, outer.node.startIndex);
  const fresh = freshNamer(state);
  const allocs: string[] = [];
  const frees: string[] = [];
  const fills: string[] = [];
  for (const index of indices) {
    const r = precomputedTermOf(state, loop, index);
    if (!r.ok) throw new Error(`plan-apply: ${r.reason}`);
    const { occurrences, type, lengthText, array } = r.term;
    const table = fresh(`${array}_term`);
    const w = fresh(`${array}_w`);
    allocs.push(`${type} *${table} = (${type} *)malloc(sizeof(${type}) * (size_t)(${lengthText} > 0 ? ${lengthText} : 1));`);
    fills.push(
      `if (${table}) {`,
      `${ind}    #pragma omp parallel for schedule(static)${lp.ifThreshold ? ` if(${lp.ifThreshold})` : ''}`,
      `${ind}    for (long ${w} = 0; ${w} < ${lengthText}; ${w}++)`,
      `${ind}        ${table}[${w}] = ${renamed(text, occurrences[0]!, new Map([[index, w]]))};`,
      `${ind}}`,
      `${ind}`,
    );
    frees.push(`free(${table});`);
    for (const o of occurrences) edits.push({ start: o.startIndex, end: o.endIndex, text: `(${table} ? ${table}[${index}] : (${o.text}))` });
  }
  // Declared before the outermost loop, freed after it (a block around it where it is not in one).
  const braced = outer.node.parent?.type !== 'compound_statement';
  insert(outer.node.startIndex, `${braced ? `{\n${oind}` : ''}${allocs.join(`\n${oind}`)}\n${oind}`);
  placeBefore(text, loop.node, `${fills.join('\n')}${pragmaFor(state, lp, loop.id)!}`, insert);
  insert(outer.node.endIndex, `\n${oind}${frees.join(`\n${oind}`)}${braced ? `\n${oind}}` : ''}`);
}

/**
 * Checked blocks (analysis/checked-blocks.ts): the body's offset slice runs once before the
 * loop, clearing a flag when an offset falls outside its block; the loop's if() clause holds
 * the flag, so it runs on one thread, in order, unless every block is the iteration's own.
 */
function checkedBlocksLoop(state: AnalysisState, loop: LoopNode, lp: LoopPlan, insert: (at: number, s: string) => void): void {
  const r = checkedBlocksOf(state, loop);
  if (!r.ok) throw new Error(`plan-apply: ${r.reason}`);
  const text = state.ctx.text;
  const ind = indentOf(text, loop.node.startIndex);
  const fresh = freshNamer(state);
  const ok = fresh('blocks_ok');
  const size = fresh('block_size');
  const slice = r.blocks.sliceText.split(OK_FLAG).join(ok).split(BLOCK_SIZE).join(size);
  const pragma = pragmaFor(state, { ...lp, ifThreshold: lp.ifThreshold ? `${ok} && (${lp.ifThreshold})` : ok }, loop.id)!;
  insert(loop.node.startIndex, [
    '{',
    `${ind}    /* every offset inside its iteration's block of ${r.blocks.blockText} elements? */`,
    `${ind}    int ${ok} = 1;`,
    `${ind}    const long ${size} = ${r.blocks.blockText};`,
    // The slice runs what one iteration runs, so only when the loop runs at least once.
    `${ind}    if (${loop.lowerText} ${loop.cmp} ${loop.upperText}) ${slice}`,
    `${ind}    ${pragma}`,
    `${ind}    `,
  ].join('\n'));
  indentLines(text, loop.node, '    ', insert);
  insert(loop.node.endIndex, `\n${ind}}`);
}

/** A namer for the names a rewrite declares: `base`, plus `_` while a name of the kernel or an earlier one has it. */
function freshNamer(state: AnalysisState): (base: string) => string {
  const taken = new Set<string>();
  return (base) => {
    let name = base;
    while (state.ctx.vars.has(name) || state.ctx.macros.has(name) || taken.has(name)) name += '_';
    taken.add(name);
    return name;
  };
}

/** Moves the lines of `node` after its first in by `by` (it now sits in a block), unless a line is continued. */
function indentLines(text: string, node: SyntaxNode, by: string, insert: (at: number, s: string) => void): void {
  const body = text.slice(node.startIndex, node.endIndex);
  if (/\\\r?\n/.test(body)) return;
  for (let at = body.indexOf('\n'); at >= 0; at = body.indexOf('\n', at + 1)) insert(node.startIndex + at + 1, by);
}

/** The local an invariant read is loaded into: its array's name and `_inv`. */
function invName(read: SyntaxNode): string {
  return `${read.childForFieldName('argument')?.text.replace(/\W/g, '') || 'v'}_inv`;
}
