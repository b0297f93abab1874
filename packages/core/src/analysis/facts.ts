// Compact analyzer facts for model prompts: one block per loop, only what a model
// needs to write a correct plan (ids, trip counts, what is carried, what to
// privatize or reduce).
import type { KernelUnit } from '../kernel/types.js';
import type { KernelSpec } from '../spec/types.js';
import { analyzeKernel } from './analyze.js';
import type { KernelAnalysis, LoopFacts } from './types.js';

export function kernelFacts(unit: KernelUnit, spec?: KernelSpec): string {
  return factsText(analyzeKernel(unit, spec));
}

export function factsText(a: KernelAnalysis): string {
  const lines: string[] = [`kernel ${a.kernel}: ${a.loops.length} loop(s); pointer params ${a.noalias ? 'do not alias (noalias)' : 'may alias'}`];
  for (const f of a.loops) lines.push(...loopLines(f));
  return lines.join('\n');
}

function loopLines(f: LoopFacts): string[] {
  const pad = '  '.repeat(f.depth);
  const head = f.canonical
    ? `${pad}${f.id} line ${f.line}: for ${f.bounds}${f.step && f.step !== '1' ? ` step ${f.step}` : ''}, trips ${f.tripCount}`
    : `${pad}${f.id} line ${f.line}: ${f.kind} loop (not canonical)`;
  const out = [`${head} -> ${f.parallel ? 'PARALLEL' : 'NOT parallel'}`];
  const sub = pad + '  ';
  if (f.privates.length) out.push(`${sub}private: ${f.privates.join(', ')}`);
  if (f.lastprivates.length) out.push(`${sub}lastprivate: ${f.lastprivates.join(', ')}`);
  for (const r of f.reductions) out.push(`${sub}reduction(${r.op}): ${r.vars.join(', ')}`);
  for (const r of f.arrayReductions) out.push(`${sub}array reduction(${r.op}) on ${r.array} (atomic${r.atomicOk ? '' : ' not possible'})`);
  if (!f.parallel) {
    for (const r of f.reasons.slice(0, 4)) out.push(`${sub}why not: ${r}`);
    if (f.reasons.length > 4) out.push(`${sub}(+${f.reasons.length - 4} more)`);
  }
  if (f.stride1) out.push(`${sub}innermost, unit stride (simd candidate)`);
  if (f.perfectChild && f.rectangularChild) out.push(`${sub}perfectly nests ${f.perfectChild} (rectangular)`);
  return out;
}
