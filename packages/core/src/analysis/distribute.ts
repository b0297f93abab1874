// Loop distribution of an imperfect nest `for x { S1; ...; Sm; for y {...} }` into
// `for x { S1; ...; Sm; }  for x { for y {...} }`. The second copy is a perfect nest,
// which interchange and tiling need (gemm's `C[i][j] = 0` / `*= beta` before the k
// loop). Legal when no statement moves before something it depends on:
//  - every dependence between the leading statements (P) and the inner loop (M) goes
//    from P at an iteration x to M at an iteration x' >= x (never from M back to P at a
//    later x), which the dependence vectors of the loop decide;
//  - no scalar flows between P and M (that would need scalar expansion);
//  - no call with side effects (their order would change).
import { descendants, isInside, LOOP_TYPES, statementsOf, type SyntaxNode } from './ast.js';
import type { AnalysisState } from './analyze.js';
import { callVerdict } from './calls.js';
import { dirText } from './dependence.js';
import type { LoopNode } from './loops.js';

export interface DistributionParts {
  /** Leading statements that move into their own copy of the loop. */
  pre: SyntaxNode[];
  /** The inner loop that stays, perfectly nested after distribution. */
  main: LoopNode;
}

/** The loop's body as leading loop-free statements followed by one inner loop, or undefined. */
export function distributionParts(loop: LoopNode): DistributionParts | undefined {
  if (loop.body.type !== 'compound_statement') return undefined;
  const stmts = statementsOf(loop.body).filter((s) => s.type !== 'comment');
  if (stmts.length < 2) return undefined;
  const last = stmts[stmts.length - 1]!;
  const main = loop.children.find((c) => c.node.id === last.id);
  if (!main) return undefined;
  const pre = stmts.slice(0, -1);
  for (const s of pre) {
    if (s.type.startsWith('preproc')) return undefined;
    for (const d of descendants(s)) if (LOOP_TYPES.has(d.type)) return undefined;
  }
  return { pre, main };
}

/** Why distributing `loop` would be illegal (or impossible), or undefined when it is legal. */
export function distributionProblem(state: AnalysisState, loop: LoopNode): string | undefined {
  if (!loop.canonical) return `the loop is not canonical (${loop.notCanonical ?? 'unknown form'})`;
  const parts = distributionParts(loop);
  if (!parts) return 'its body is not a block of loop-free statements followed by one inner loop';
  const { pre, main } = parts;
  const inPre = (n: SyntaxNode) => pre.some((s) => isInside(n, s));
  for (const n of descendants(loop.body)) {
    if (n.type !== 'call_expression') continue;
    const v = callVerdict(state.ctx, n);
    if (!v.pure) return `${v.reason ?? `calls ${v.name}`} (line ${n.startPosition.row + 1}); distribution would reorder it`;
  }
  // Scalars written on one side and used on the other.
  for (const [name, sites] of state.ctx.writes) {
    const inside = sites.filter((w) => isInside(w.node, loop.body));
    if (!inside.length) continue;
    if (main.declaresIndex && name === main.index) continue;
    const writtenPre = inside.some((w) => inPre(w.node));
    const writtenMain = inside.some((w) => isInside(w.node, main.node));
    const usedPre = pre.some((s) => mentionsName(s, name));
    const usedMain = mentionsName(main.node, name);
    if ((writtenPre && usedMain) || (writtenMain && usedPre)) {
      return `scalar ${name} is ${writtenPre ? 'written before the inner loop and used in it' : 'written in the inner loop and used before it'}; distribution would separate them`;
    }
  }
  // Memory: no dependence may go from the inner loop back to a leading statement of a later iteration.
  for (const v of state.dependences(loop)) {
    const aPre = inPre(v.a.node);
    const bPre = inPre(v.b.node);
    if (aPre === bPre) continue;
    const aMain = isInside(v.a.node, main.node);
    const bMain = isInside(v.b.node, main.node);
    if (!(aMain || bMain)) continue;
    const d = v.dirs[0]!;
    // dirs[0] is (iteration of b) - (iteration of a).
    const backward = aPre ? d.has('>') : d.has('<');
    if (backward) {
      const [p, m] = aPre ? [v.a, v.b] : [v.b, v.a];
      return `the dependence on ${p.base.name === m.base.name ? p.base.name : `${p.base.name}/${m.base.name}`} between ${p.text} (line ${p.line}) and ${m.text} (line ${m.line}), direction ${dirText(v)}${v.cause !== 'subscripts' ? ` (${v.cause})` : ''}, goes from the inner loop to a later iteration's leading statement`;
    }
  }
  return undefined;
}

function mentionsName(node: SyntaxNode, name: string): boolean {
  for (const d of descendants(node)) if (d.type === 'identifier' && d.text === name) return true;
  return false;
}
