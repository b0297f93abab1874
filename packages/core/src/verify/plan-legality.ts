// Verification stage 'plan-legality': the static legality check of a candidate's
// parallelization, before anything is compiled.
//
// Two cases:
//  - The candidate carries a plan (a model's JSON plan, the analyzer's plans). The plan
//    is checked with analysis/legality.ts against the ORIGINAL kernel's analysis, as the
//    plan's loop ids name the original's loops. An illegal plan fails the stage with
//    every reason checkPlan gives (loop id and line, the array and the dependence's
//    direction, or the scalar). A legal plan must also be what the candidate's text is
//    made of: the text must equal applyPlan(plan), so what was checked is what compiles.
//    This runs FIRST, before the static gate: an illegal plan has no text to gate (the
//    proposer never applies a plan before it is checked).
//  - The candidate is a whole function (no plan) and the caller asked for the implied
//    plan (VerifyRequest.impliedPlan). Its `#pragma omp` lines are read as a plan and
//    checked against the candidate's own code with the pragmas blanked out, provided
//    the loop structure is the original's (same loop ids, kinds and index variables);
//    the ids and lines in a reason are then the original's ids and the candidate's
//    lines. When the structure differs (the model restructured the loops), or the
//    pragmas use constructs a plan cannot express (parallel regions with other work,
//    critical, ordered, tasks, nowait...), the stage passes with a note saying legality
//    is left to the dynamic checks: an honest pass, never a silent one. This runs after
//    the static gate, which has vetted the text first. Whatever the structure, a `simd`
//    loop over a proven loop-carried dependence is refused (analysis/simd.ts): a race
//    between the SIMD lanes of one thread that no dynamic check can see.
import type { AnalysisState } from '../analysis/analyze.js';
import { analyzeContext, analyzeState } from '../analysis/analyze.js';
import { contextOfText } from '../analysis/context.js';
import { checkPlan } from '../analysis/legality.js';
import { simdHazardsOf } from '../analysis/simd.js';
import { parse, type SyntaxNode } from '../kernel/parse.js';
import type { KernelUnit } from '../kernel/types.js';
import { applyPlan } from '../propose/plan-apply.js';
import { validatePlan, type LoopPlan, type Plan, type Transform } from '../propose/plan.js';
import type { KernelSpec } from '../spec/types.js';
import type { StageResult } from './types.js';

export interface PlanLegalityInput {
  unit: KernelUnit;
  spec: KernelSpec;
  candidateText: string;
  /** The candidate's plan; absent for a whole-function candidate (its pragmas are read instead). */
  plan?: unknown;
}

/** Runs the stage; never throws (an analysis failure is a failed or noted stage, by case). */
export function planLegalityStage(input: PlanLegalityInput): StageResult {
  const started = performance.now();
  const r = input.plan !== undefined ? checkGivenPlan(input) : checkImpliedPlan(input);
  return { stage: 'plan-legality', ...r, durationMs: performance.now() - started };
}

type Outcome = { ok: boolean; reason: string; log?: string };

function describePlan(plan: Plan): string {
  const acts = plan.loops.filter((l) => l.action !== 'none').map((l) => {
    const clauses: string[] = [];
    if (l.collapse && l.collapse > 1) clauses.push(`collapse(${l.collapse})`);
    for (const r of l.reduction ?? []) clauses.push(`reduction(${r.op}:${r.vars.join(',')})`);
    if (l.private?.length) clauses.push(`private(${l.private.join(',')})`);
    if (l.lastprivate?.length) clauses.push(`lastprivate(${l.lastprivate.join(',')})`);
    if (l.atomic?.length) clauses.push(`atomic(${l.atomic.join(',')})`);
    return `${l.loop} ${l.action}${clauses.length ? ' ' + clauses.join(' ') : ''}`;
  });
  const ts = (plan.transforms ?? []).map((t) => ('loop' in t ? `${t.kind} ${t.loop}` : t.kind));
  return [...acts, ...ts].join(', ') || 'no parallel loops';
}

function legalityLog(errors: string[], warnings: string[]): string | undefined {
  const lines = [...errors.map((e) => `error: ${e}`), ...warnings.map((w) => `warning: ${w}`)];
  return lines.length ? lines.join('\n') : undefined;
}

function checkGivenPlan(input: PlanLegalityInput): Outcome {
  const valid = validatePlan(input.plan);
  if (!valid.ok) return { ok: false, reason: `the plan does not match plan.schema.json: ${valid.errors.slice(0, 3).join('; ')}` };
  const plan = valid.plan;
  let state: AnalysisState;
  try {
    state = analyzeState(input.unit, input.spec);
  } catch (err) {
    // An unchecked plan is never compiled.
    return { ok: false, reason: `cannot check the plan: the analysis of ${input.unit.name} failed (${(err as Error).message})` };
  }
  const r = checkPlan(state, plan);
  if (!r.ok) {
    return { ok: false, reason: `illegal plan (${describePlan(plan)}): ${r.errors.join('; ')}`, log: legalityLog(r.errors, r.warnings) };
  }
  let expected: string;
  try {
    expected = applyPlan(state, plan).functionText;
  } catch (err) {
    return { ok: false, reason: `the plan is legal but cannot be applied: ${(err as Error).message}` };
  }
  if (expected.trim() !== input.candidateText.trim()) {
    return { ok: false, reason: 'the candidate text is not the code its plan generates; the checked plan would not be what compiles' };
  }
  const warn = r.warnings.length ? ` (${r.warnings.length} warning${r.warnings.length > 1 ? 's' : ''})` : '';
  return { ok: true, reason: `legal plan: ${describePlan(plan)}${warn}`, log: legalityLog([], r.warnings) };
}

// ---------------------------------------------------------------------------
// Implied plans: a whole-function candidate's `#pragma omp` lines read as a plan.

const REDUCTION_OPS: Record<string, NonNullable<LoopPlan['reduction']>[number]['op']> = {
  '+': '+', '-': '+', '*': '*', min: 'min', max: 'max', '&': '&', '|': '|', '^': '^',
};
/** Clauses that do not change whether running the loop in parallel is legal. */
const NEUTRAL_CLAUSES = new Set(['schedule', 'if', 'num_threads', 'default', 'shared', 'proc_bind', 'safelen', 'simdlen', 'aligned', 'nontemporal']);

interface Pragma {
  node: SyntaxNode;
  line: number;
  directive: string;
  clauses: { name: string; args?: string }[];
}

function pragmasOf(fn: SyntaxNode): Pragma[] {
  const out: Pragma[] = [];
  const visit = (n: SyntaxNode) => {
    if (n.type === 'preproc_call' && n.child(0)?.text === '#pragma') {
      const arg = (n.childForFieldName('argument')?.text ?? n.text.replace(/^#\s*pragma/, '')).replace(/\\\r?\n/g, ' ').trim();
      const p: Pragma = { node: n, line: n.startPosition.row + 1, directive: '', clauses: [] };
      const words = /^omp\b/.test(arg) ? arg.slice(3) : null;
      if (words === null) {
        p.directive = `non-OpenMP ${arg.split(/\s+/).slice(0, 2).join(' ')}`;
        out.push(p);
        return;
      }
      const dir: string[] = [];
      const re = /\s*,?\s*([A-Za-z_]+)\s*(\((?:[^()]|\([^()]*\))*\))?/y;
      let m: RegExpExecArray | null;
      let inClauses = false;
      let at = 0;
      while ((m = re.exec(words)) !== null && m[0].length) {
        at = re.lastIndex;
        const name = m[1]!;
        const args = m[2] ? m[2].slice(1, -1).trim() : undefined;
        if (!inClauses && args === undefined && ['parallel', 'for', 'simd', 'atomic', 'update'].includes(name)) dir.push(name);
        else if (!inClauses && args === undefined && dir.length === 0) dir.push(name);
        else {
          inClauses = true;
          p.clauses.push({ name, args });
        }
      }
      if (words.slice(at).trim()) p.clauses.push({ name: `?${words.slice(at).trim()}` });
      p.directive = dir.join(' ');
      out.push(p);
      return;
    }
    for (let i = 0; i < n.namedChildCount; i++) visit(n.namedChild(i)!);
  };
  visit(fn);
  return out;
}

/** The statement a pragma applies to: its next named sibling, comments skipped. */
function target(p: Pragma): SyntaxNode | null {
  let s = p.node.nextNamedSibling;
  while (s && s.type === 'comment') s = s.nextNamedSibling;
  return s;
}

/** The candidate's text with every #pragma blanked (same offsets and lines; indices as plan-apply uses them). */
function blankPragmas(text: string, pragmas: Pragma[]): string {
  let out = text;
  for (const p of pragmas) {
    const blank = text.slice(p.node.startIndex, p.node.endIndex).replace(/[^\n]/g, ' ');
    out = out.slice(0, p.node.startIndex) + blank + out.slice(p.node.endIndex);
  }
  return out;
}

function shape(state: AnalysisState): string {
  return state.loops.map((l) => `${l.id}:${l.kind}${l.index ? `(${l.index})` : ''}`).join(' ');
}

function arrayBase(n: SyntaxNode | null): string | undefined {
  let x = n;
  while (x && (x.type === 'subscript_expression' || x.type === 'parenthesized_expression' || x.type === 'field_expression')) {
    x = x.type === 'subscript_expression' ? x.childForFieldName('argument') : x.namedChild(0);
  }
  return x?.type === 'identifier' ? x.text : undefined;
}

function checkImpliedPlan(input: PlanLegalityInput): Outcome {
  const { unit, spec, candidateText } = input;
  const leftToDynamic = (why: string): Outcome => ({ ok: true, reason: `${why}; legality left to dynamic checks` });
  const tree = parse(candidateText, unit.language);
  const fn = findFunction(tree.rootNode, unit.name);
  if (!fn || tree.rootNode.hasError) return leftToDynamic('the candidate could not be read as one function');
  const pragmas = pragmasOf(fn);
  if (!pragmas.some((p) => !p.directive.startsWith('non-OpenMP'))) {
    const others = pragmas.map((p) => p.directive);
    return others.length ? leftToDynamic(`no OpenMP pragmas (${[...new Set(others)].join(', ')})`) : { ok: true, reason: 'no OpenMP pragmas: nothing runs in parallel' };
  }

  // SIMD lanes over a proven loop-carried dependence: refused whatever else the pragmas do
  // (no dynamic check can see a race between the lanes of one thread; analysis/simd.ts).
  const simd = simdHazardsOf(candidateText, unit.name, unit.closure.map((c) => ({ kind: c.kind, text: c.text })));
  if (simd.length) {
    return { ok: false, reason: `illegal OpenMP pragmas (lines are the candidate's): ${simd.map((h) => h.message).join('; ')}` };
  }

  let original: AnalysisState;
  let cand: AnalysisState;
  try {
    original = analyzeState(unit, spec);
    const ctx = contextOfText(blankPragmas(candidateText, pragmas), unit.name, unit.closure.map((c) => ({ kind: c.kind, text: c.text })), spec);
    cand = analyzeContext(ctx);
  } catch (err) {
    return leftToDynamic(`the analysis failed (${(err as Error).message})`);
  }
  if (shape(original) !== shape(cand)) {
    return leftToDynamic(`loop structure changed (original: ${shape(original) || 'no loops'}; candidate: ${shape(cand) || 'no loops'})`);
  }

  const loopAt = new Map(cand.loops.map((l) => [l.node.startIndex, l]));
  const loops = new Map<string, LoopPlan>();
  const transforms: Transform[] = [];
  const regions = new Set<string>(); // loops under a standalone `#pragma omp parallel`
  const unsupported: string[] = [];
  const pending: { p: Pragma; run: () => void }[] = [];

  for (const p of pragmas) {
    const where = `line ${p.line}`;
    const t = target(p);
    const loop = t ? loopAt.get(t.startIndex) : undefined;
    if (p.directive.startsWith('non-OpenMP')) {
      unsupported.push(`${p.directive} (${where})`);
      continue;
    }
    const bad = p.clauses.filter((c) => !NEUTRAL_CLAUSES.has(c.name) && !['private', 'firstprivate', 'lastprivate', 'reduction', 'collapse'].includes(c.name));
    if (bad.length) {
      unsupported.push(`clause ${bad.map((c) => c.name).join(', ')} (${where})`);
      continue;
    }
    if (p.directive === 'atomic' || p.directive === 'atomic update') {
      // `#pragma omp atomic` before `a[e] op= v`: the array's updates are atomic in the enclosing parallel loop.
      const assign = t?.type === 'expression_statement' ? t.namedChild(0) : null;
      const arr = assign && (assign.type === 'assignment_expression' || assign.type === 'update_expression')
        ? arrayBase(assign.type === 'assignment_expression' ? assign.childForFieldName('left') : assign.childForFieldName('argument'))
        : undefined;
      const isArray = assign && (assign.type === 'assignment_expression' ? assign.childForFieldName('left') : assign.childForFieldName('argument'))?.type === 'subscript_expression';
      if (!arr || !isArray) {
        unsupported.push(`atomic on a scalar or an expression a plan cannot name (${where})`);
        continue;
      }
      pending.push({
        p,
        run: () => {
          // The innermost enclosing loop that runs in parallel.
          let l: (typeof cand.loops)[number] | undefined;
          for (const x of cand.loops) {
            if (x.node.startIndex <= p.node.startIndex && p.node.endIndex <= x.node.endIndex && loops.get(x.id)?.action.startsWith('parallel')) l = x;
          }
          if (!l) return void unsupported.push(`atomic outside a parallel loop (${where})`);
          const lp = loops.get(l.id)!;
          lp.atomic = [...new Set([...(lp.atomic ?? []), arr])];
        },
      });
      continue;
    }
    if (p.directive === 'parallel') {
      if (!loop) {
        unsupported.push(`a parallel region around something other than one loop (${where})`);
        continue;
      }
      regions.add(loop.id);
      transforms.push({ kind: 'hoist-parallel-region', loop: loop.id });
      continue;
    }
    const action: LoopPlan['action'] | undefined = {
      'parallel for': 'parallel-for', 'parallel for simd': 'parallel-for-simd', simd: 'simd', for: 'parallel-for', 'for simd': 'parallel-for-simd',
    }[p.directive] as LoopPlan['action'] | undefined;
    if (!action) {
      unsupported.push(`omp ${p.directive || '(empty)'} (${where})`);
      continue;
    }
    if (!loop) {
      unsupported.push(`omp ${p.directive} not directly before a loop (${where})`);
      continue;
    }
    if (p.directive.startsWith('for') && !(loop.parent && regions.has(loop.parent.id))) {
      unsupported.push(`omp ${p.directive} outside a parallel region around its enclosing loop (${where})`);
      continue;
    }
    const lp: LoopPlan = { loop: loop.id, action };
    for (const c of p.clauses) {
      const names = (c.args ?? '').split(',').map((s) => s.trim()).filter(Boolean);
      if (c.name === 'private' || c.name === 'firstprivate' || c.name === 'lastprivate') {
        if (names.some((n) => n.includes(':'))) {
          unsupported.push(`${c.name} with a modifier (${where})`);
          continue;
        }
        lp[c.name] = [...new Set([...(lp[c.name] ?? []), ...names])];
      } else if (c.name === 'reduction') {
        const m = /^([^:]+):(.*)$/.exec(c.args ?? '');
        const op = m ? REDUCTION_OPS[m[1]!.trim()] : undefined;
        if (!m || !op) {
          unsupported.push(`reduction(${c.args ?? ''}) (${where})`);
          continue;
        }
        // Array sections (`h[:n]`) reduce the whole array: the plan names the array.
        const vars = m[2]!.split(',').map((s) => s.trim().replace(/\[.*$/, '').trim()).filter(Boolean);
        lp.reduction = [...(lp.reduction ?? []), { op, vars }];
      } else if (c.name === 'collapse') {
        const k = Number(c.args);
        if (!Number.isInteger(k) || k < 1) {
          unsupported.push(`collapse(${c.args ?? ''}) (${where})`);
          continue;
        }
        lp.collapse = k;
      }
    }
    if (loops.has(loop.id)) {
      unsupported.push(`two loop pragmas on ${loop.id} (${where})`);
      continue;
    }
    loops.set(loop.id, lp);
  }
  for (const x of pending) x.run();
  if (unsupported.length) {
    return leftToDynamic(`pragmas a plan cannot express: ${unsupported.slice(0, 3).join('; ')}${unsupported.length > 3 ? ` (+${unsupported.length - 3} more)` : ''}`);
  }
  const plan: Plan = { version: 1, kernel: unit.name, loops: [...loops.values()], ...(transforms.length ? { transforms } : {}) };
  const valid = validatePlan(plan);
  if (!valid.ok) return leftToDynamic(`the pragmas do not make a valid plan (${valid.errors.slice(0, 2).join('; ')})`);
  const r = checkPlan(cand, plan);
  if (!r.ok && r.errors.every((e) => r.unproven.includes(e))) {
    // Hand-written pragmas the analysis can neither prove nor refute (indirect subscripts,
    // possible aliasing): rejecting them would refuse correct code; the race detector and
    // the differential test decide.
    return { ...leftToDynamic(`the analysis cannot decide ${r.errors.join('; ')}`), log: legalityLog(r.errors, r.warnings) };
  }
  if (!r.ok) {
    return {
      ok: false,
      reason: `illegal OpenMP pragmas (read as the plan ${describePlan(plan)}; lines are the candidate's): ${r.errors.join('; ')}`,
      log: legalityLog(r.errors, r.warnings),
    };
  }
  return { ok: true, reason: `the candidate's OpenMP pragmas are legal (read as the plan ${describePlan(plan)})`, log: legalityLog([], r.warnings) };
}

function findFunction(root: SyntaxNode, name: string): SyntaxNode | undefined {
  for (let i = 0; i < root.namedChildCount; i++) {
    const n = root.namedChild(i)!;
    if (n.type !== 'function_definition') continue;
    let d: SyntaxNode | null = n.childForFieldName('declarator');
    while (d && d.type !== 'function_declarator') d = d.childForFieldName('declarator');
    if (d?.childForFieldName('declarator')?.text === name) return n;
  }
  return undefined;
}
