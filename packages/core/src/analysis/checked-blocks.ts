// Checked blocks: a loop whose every iteration b works in its own block of the arrays it
// writes, `A[b*M + e]`, with offsets e the dependence test cannot bound (a batched FFT's
// bit-reversed and butterfly subscripts), runs in parallel when an inspection before the loop
// finds every offset inside [0, M).
//
// The inspection is the loop body's *offset slice*, run once: the body with its data
// computations removed, keeping the integer locals, loop headers and conditions the offsets
// are computed with, and with each access of a written array replaced by a check of its
// offset. It is sound because the slice does not depend on b or on memory: every condition
// and every offset in it is computed from invariant names, integer locals of the slice and
// pure helper calls, so each iteration of the real loop computes exactly the offsets the
// slice checked. When a check fails the loop's `if()` clause is false and it runs on one
// thread, in order, as the original. The inspection costs one iteration's index arithmetic.
//
// Legal when: every access of an array the loop writes is `A[b*M + e]` (through a pointer
// defined in the body as `A + b*M`, or directly) with one invariant integer M, e free of b;
// those arrays cannot alias anything else the loop touches; and the body can be sliced (no
// return or goto, no condition or loop bound or offset that depends on memory, b or a
// non-integer value, calls only to pure functions).
import type { AnalysisState } from './analyze.js';
import { mayAlias, type Access } from './accesses.js';
import { descendants, isInside, stripParens, stripParensAndCasts, type SyntaxNode } from './ast.js';
import { callVerdict } from './calls.js';
import { declaratorsOf, varAt } from './context.js';
import { boundsReevaluable, invariantProblem } from './invariant.js';
import type { LoopNode } from './loops.js';

export interface CheckedBlocks {
  loop: LoopNode;
  /** The arrays the loop writes, each iteration in its own block of `blockText` elements. */
  arrays: string[];
  blockText: string;
  /** The body's offset slice, as C statements, with the placeholders OK_FLAG and BLOCK_SIZE. */
  sliceText: string;
}

export type CheckedBlocksResult = { ok: true; blocks: CheckedBlocks } | { ok: false; reason: string };

const INTEGER = /^(unsigned\s+|signed\s+)?(char|short|int|long|long\s+long|long\s+int|unsigned|size_t|int\d+_t|uint\d+_t)$/;
/** Placeholders in the slice text: the flag the checks clear, and the block size. */
export const OK_FLAG = '@ok';
export const BLOCK_SIZE = '@block';

export function checkedBlocksOf(state: AnalysisState, loop: LoopNode): CheckedBlocksResult {
  const no = (reason: string): CheckedBlocksResult => ({ ok: false, reason: `checked blocks in loop ${loop.id} (line ${loop.line}): ${reason}` });
  if (!loop.canonical || loop.kind !== 'for' || !loop.index || loop.lowerText === undefined || loop.upperText === undefined || !loop.cmp) return no('the loop is not a canonical for loop with known bounds');
  if (!boundsReevaluable(loop)) return no('its bounds call a function or assign, and would be evaluated once more');
  const b = loop.index;
  const inLoop = state.accesses.filter((a) => a.loops.includes(loop));
  // Arrays of the body itself are per iteration already.
  const own = (a: Access) => { const v = varAt(state.ctx, a.base.name, a.node); return v !== undefined && v.kind === 'local' && v.pointerDepth === 0 && isInside(v.decl, loop.body); };
  const written = [...new Set(inLoop.filter((a) => a.write && !own(a)).map((a) => a.base.name))];
  if (!written.length) return no('the loop writes no array');
  const offsets = new Map<number, Offset>();
  let blockText: string | undefined;
  for (const a of inLoop.filter((x) => written.includes(x.base.name))) {
    if (a.viaCall || a.anchor) return no(`${a.text} (line ${a.line}) is passed to a function or written through a macro`);
    const other = inLoop.find((x) => !written.includes(x.base.name) && mayAlias(state.ctx, x.base, a.base));
    if (other) return no(`${other.text} (line ${other.line}) may alias ${a.base.name}`);
    const part = a.parts?.length === 1 && a.parts[0]!.kind === 'expr' ? a.parts[0]!.nodes.flatMap(terms) : undefined;
    if (!part) return no(`${a.text} (line ${a.line}) is not a one-dimensional subscript`);
    const mentions = (n: SyntaxNode) => [...descendants(n)].some((x) => x.type === 'identifier' && x.text === b);
    const withB = part.filter(mentions);
    const block = withB.length === 1 ? blockSizeOf(state, loop, withB[0]!) : undefined;
    if (!block) return no(`the subscript of ${a.text} (line ${a.line}) is not ${b} * M + offset with an invariant M`);
    if (blockText !== undefined && block !== blockText) return no(`the blocks have different sizes (${blockText}, ${block})`);
    blockText = block;
    const rest = part.filter((n) => n !== withB[0]);
    // Parts from the pointer's definition are evaluated at the access: only invariants there.
    const moved = rest.find((n) => !isInside(n, a.node) && invariantProblem(state, loop, n));
    if (moved) return no(`the offset ${moved.text} of ${a.text} (line ${a.line}) comes from the pointer's definition and ${invariantProblem(state, loop, moved)}`);
    offsets.set(a.node.id, { text: rest.length ? rest.map((n) => `(${n.text})`).join(' + ') : '0', nodes: rest });
  }
  const slicer = new Slicer(state, loop, offsets);
  const sliceText = slicer.slice(loop.body);
  if (slicer.problem) return no(slicer.problem);
  if (slicer.checks === 0) return no('no access to check');
  return { ok: true, blocks: { loop, arrays: written, blockText: blockText!, sliceText } };
}

/** The terms of a sum (`b * m + i + shift` -> b * m, i, shift). */
function terms(node: SyntaxNode): SyntaxNode[] {
  const n = stripParens(node);
  if (n.type === 'binary_expression' && n.childForFieldName('operator')?.text === '+') return [...terms(n.childForFieldName('left')!), ...terms(n.childForFieldName('right')!)];
  return [n];
}

/** M in `b * M` / `M * b` (casts allowed), when M is an invariant integer expression. */
function blockSizeOf(state: AnalysisState, loop: LoopNode, node: SyntaxNode): string | undefined {
  const n = stripParensAndCasts(node);
  if (n.type !== 'binary_expression' || n.childForFieldName('operator')?.text !== '*') return undefined;
  const l = stripParensAndCasts(n.childForFieldName('left')!);
  const r = stripParensAndCasts(n.childForFieldName('right')!);
  const m = l.type === 'identifier' && l.text === loop.index ? r : r.type === 'identifier' && r.text === loop.index ? l : undefined;
  if (!m || invariantProblem(state, loop, m)) return undefined;
  return `(${m.text})`;
}

interface Offset {
  text: string;
  nodes: SyntaxNode[];
}

/** Builds the offset slice of a loop body (see the file comment); `problem` says why it cannot. */
class Slicer {
  problem: string | undefined;
  checks = 0;
  /** Integer locals of the body the slice computes (by declaration node id). */
  private readonly kept = new Set<number>();

  constructor(private readonly state: AnalysisState, private readonly loop: LoopNode, private readonly offsets: Map<number, Offset>) {}

  slice(node: SyntaxNode): string {
    const fail = (why: string) => {
      this.problem ??= `${why} (line ${node.startPosition.row + 1})`;
      return '';
    };
    switch (node.type) {
      case 'compound_statement': {
        const parts: string[] = [];
        for (let i = 0; i < node.namedChildCount; i++) parts.push(this.slice(node.namedChild(i)!));
        return `{ ${parts.filter(Boolean).join(' ')} }`;
      }
      case 'comment':
        return '';
      case 'declaration': {
        const checks = this.checksIn(node);
        const type = (node.childForFieldName('type')?.text ?? '').replace(/\b(const|volatile)\b\s*/g, '').trim();
        const ds = declaratorsOf(node);
        const plain = ds.every((d) => (d.type === 'init_declarator' ? d.childForFieldName('declarator')?.type : d.type) === 'identifier');
        const computable = ds.every((d) => { const init = d.type === 'init_declarator' ? d.childForFieldName('value') : null; return !init || !this.problemOf(init); });
        if (INTEGER.test(type) && plain && computable && !/\b(static|extern)\b/.test(node.text.split('=')[0]!)) {
          for (const d of ds) {
            const v = varAt(this.state.ctx, nameOf(d), d);
            if (v) this.kept.add(v.decl.id);
          }
          return `${checks}${node.text}`;
        }
        return this.dropped(node) ? fail(this.dropped(node)!) : checks; // data (or a pointer into a block): not part of the slice
      }
      case 'expression_statement': {
        const checks = this.checksIn(node);
        const e = node.namedChild(0);
        if (!e) return checks;
        // An assignment of a kept local that the slice can compute stays; everything else is data.
        const target = e.type === 'assignment_expression' ? stripParensAndCasts(e.childForFieldName('left')!) : e.type === 'update_expression' ? stripParensAndCasts(e.childForFieldName('argument')!) : undefined;
        if (target?.type === 'identifier' && this.isKept(target)) {
          const bad = this.problemOf(e);
          return bad ? fail(`${target.text} is computed from ${bad}`) : `${checks}${node.text}`;
        }
        if (this.dropped(e)) return fail(this.dropped(e)!);
        if (target?.type === 'identifier' && !this.isKept(target) && this.isSliceLocal(target)) return checks;
        for (const n of descendants(e)) if (n.type === 'call_expression' && !callVerdict(this.state.ctx, n).pure) return fail(`an impure call ${n.text}`);
        return checks;
      }
      case 'for_statement': {
        const init = node.childForFieldName('initializer');
        const head = [init, node.childForFieldName('condition'), node.childForFieldName('update')].filter((x): x is SyntaxNode => x !== null);
        if (init?.type === 'declaration') {
          const sliced = this.slice(init);
          if (!sliced.trim() || this.problem) return fail('a loop counter that is not an integer computed from invariants');
        }
        for (const h of head) {
          if (h === init && h.type === 'declaration') continue;
          const bad = this.problemOf(h);
          if (bad) return fail(`a loop header that depends on ${bad}`);
        }
        const body = this.slice(node.childForFieldName('body')!);
        return `${node.text.slice(0, node.childForFieldName('body')!.startIndex - node.startIndex)}${body.startsWith('{') ? body : `{ ${body} }`}`;
      }
      case 'if_statement': {
        const cond = node.childForFieldName('condition')!;
        const bad = this.problemOf(cond);
        if (bad) return fail(`a condition that depends on ${bad}`);
        const cons = this.slice(node.childForFieldName('consequence')!);
        const alt = node.childForFieldName('alternative');
        const altText = alt ? this.slice(alt.type === 'else_clause' ? alt.namedChild(0)! : alt) : '';
        return `if ${cond.text} { ${cons} }${altText ? ` else { ${altText} }` : ''}`;
      }
      case 'break_statement':
      case 'continue_statement':
        return node.text;
      default:
        return fail(`a ${node.type.replace(/_/g, ' ')} the slice cannot follow`);
    }
  }

  /** Why a statement the slice leaves out cannot be left out: it changes a local the slice computes. */
  private dropped(node: SyntaxNode): string | undefined {
    for (const n of descendants(node)) {
      const target = n.type === 'assignment_expression' ? n.childForFieldName('left') : n.type === 'update_expression' ? n.childForFieldName('argument') : null;
      const t = target ? stripParensAndCasts(target) : undefined;
      if (t?.type === 'identifier' && this.isKept(t)) return `a data statement changes ${t.text}, which the offsets are computed with`;
    }
    return undefined;
  }

  /** The checks of every access of a written array in `node` (a statement), as C. */
  private checksIn(node: SyntaxNode): string {
    let out = '';
    const seen = new Set<string>();
    for (const n of descendants(node)) {
      const off = this.offsets.get(n.id);
      if (off === undefined || seen.has(off.text)) continue;
      seen.add(off.text);
      const problem = off.nodes.map((x) => this.problemOf(x)).find((x) => x !== undefined);
      if (problem) {
        this.problem ??= `the offset of ${n.text} (line ${n.startPosition.row + 1}) depends on ${problem}`;
        continue;
      }
      this.checks++;
      out += `if (!((${off.text}) >= 0 && (${off.text}) < ${BLOCK_SIZE})) ${OK_FLAG} = 0; `;
    }
    return out;
  }

  /** What in an expression the slice cannot compute (memory, the loop index, data locals, impure calls), or undefined. */
  private problemOf(expr: SyntaxNode): string | undefined {
    for (const n of descendants(expr)) {
      if (n.type === 'subscript_expression' || n.type === 'field_expression' || (n.type === 'pointer_expression' && n.text.startsWith('*'))) return `memory (${n.text})`;
      if (n.type === 'call_expression') {
        if (!callVerdict(this.state.ctx, n).pure) return `an impure call ${n.text}`;
        continue;
      }
      if (n.type !== 'identifier') continue;
      if (n.parent?.type === 'call_expression' && n.parent.childForFieldName('function')?.id === n.id) continue;
      if (n.text === this.loop.index) return `the loop index ${n.text}`;
      if (this.isSliceLocal(n)) {
        if (!this.isKept(n)) return `${n.text}, which is data`;
        continue;
      }
      const v = varAt(this.state.ctx, n.text, n);
      if (v && v.pointerDepth + v.arrayDims > 0) return `the pointer ${n.text}`;
      const bad = invariantProblem(this.state, this.loop, n);
      if (bad) return `${n.text}, which the loop changes`;
    }
    return undefined;
  }

  private isSliceLocal(id: SyntaxNode): boolean {
    const v = varAt(this.state.ctx, id.text, id);
    return v !== undefined && v.kind === 'local' && isInside(v.decl, this.loop.body);
  }

  private isKept(id: SyntaxNode): boolean {
    const v = varAt(this.state.ctx, id.text, id);
    return v !== undefined && this.kept.has(v.decl.id);
  }
}

function nameOf(declarator: SyntaxNode): string {
  const d = declarator.type === 'init_declarator' ? declarator.childForFieldName('declarator')! : declarator;
  return d.type === 'identifier' ? d.text : '';
}

