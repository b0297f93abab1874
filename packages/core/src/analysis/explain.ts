// `autopar explain`: per loop, what the analyzer found and why it did or did not
// parallelize it (in the spirit of ROSE autoPar's per-loop reasons and Polly's
// missed-optimization remarks), and the pragma the analyzer would use.
import type { KernelUnit } from '../kernel/types.js';
import type { KernelSpec } from '../spec/types.js';
import { pragmaFor } from '../propose/plan-apply.js';
import { clausesFor } from '../propose/plan-variants.js';
import { analyzeState } from './analyze.js';

export function explainKernel(unit: KernelUnit, spec?: KernelSpec): string {
  const state = analyzeState(unit, spec);
  const a = state.facts;
  const out: string[] = [`kernel ${a.kernel} (${a.loops.length} loop${a.loops.length === 1 ? '' : 's'}; pointer parameters ${a.noalias ? 'declared noalias' : 'assumed to possibly alias'})`];
  if (a.loops.length === 0) out.push('  no loops: nothing to parallelize');
  for (const f of a.loops) {
    const pad = '  '.repeat(f.depth + 1);
    const what = f.canonical ? `for (${f.bounds}${f.step && f.step !== '1' ? `; step ${f.step}` : ''}), ${f.tripCount} iterations` : `${f.kind} loop`;
    out.push(`${pad}${f.id} (line ${f.line}) ${what}: ${f.parallel ? 'parallel' : 'not parallel'}`);
    const sub = pad + '  ';
    if (f.parallel) {
      out.push(`${sub}no dependence is carried by this loop${f.reductions.length ? ' other than the reductions below' : ''}`);
      out.push(`${sub}pragma: ${pragmaFor(state, clausesFor(f, 'parallel-for'), f.id)}`);
    } else {
      for (const r of f.reasons) out.push(`${sub}- ${r}`);
    }
    if (f.privates.length) out.push(`${sub}private: ${f.privates.join(', ')} (written before read in every iteration)`);
    if (f.lastprivates.length) out.push(`${sub}lastprivate: ${f.lastprivates.join(', ')} (value used after the loop)`);
    for (const r of f.reductions) out.push(`${sub}reduction(${r.op}): ${r.vars.join(', ')}`);
    for (const r of f.arrayReductions) out.push(`${sub}array reduction(${r.op}) on ${r.array}, lines ${r.lines.join(', ')}: ${r.atomicOk ? 'updates made atomic' : 'no atomic form'}`);
    if (f.shared.length) out.push(`${sub}read-only scalars: ${f.shared.join(', ')}`);
    if (f.stride1) out.push(`${sub}innermost loop with unit-stride accesses: SIMD candidate`);
    for (const n of f.notes) out.push(`${sub}note: ${n}`);
  }
  return out.join('\n');
}
