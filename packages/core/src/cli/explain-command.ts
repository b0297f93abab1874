// `autopar explain`: the analyzer's per-loop findings for each kernel of a project, with
// line numbers of the source file (the analyzer counts from the function's first line).
import { resolve } from 'node:path';
import { loadSpecFile } from '../spec/load.js';
import { analyzeKernel, explainKernel } from '../analysis/index.js';
import type { KernelUnit } from '../kernel/types.js';
import type { KernelSpec } from '../spec/types.js';
import { readKernelSource } from '../spec/kernel-source.js';

export async function explainProject(projectRoot: string, spec: string, only?: string): Promise<string> {
  const specPath = resolve(projectRoot, spec);
  const { file, dir } = await loadSpecFile(specPath);
  const kernels = file.kernels.map((k, i) => ({ k, i })).filter(({ k }) => !only || k.name === only);
  if (only && kernels.length === 0) {
    throw new Error(`kernel "${only}" is not in ${spec}; kernels there: ${file.kernels.map((k) => k.name).join(', ')}`);
  }
  const parts: string[] = [];
  for (const { k, i } of kernels) {
    const { unit, sourceText } = await readKernelSource(specPath, dir, k, i);
    const offset = firstLineOf(unit, sourceText) - 1;
    const text = toFileLines(explainKernel(unit, k), offset).replace(/^(kernel \S+)/, `$1 in ${k.source}`);
    const hint = noaliasHint(unit, k, i);
    parts.push(hint ? `${text}\n${hint}` : text);
  }
  return parts.join('\n') + '\n';
}

/** 1-based line of the kernel's definition in its file. */
export function firstLineOf(unit: KernelUnit, sourceText: string): number {
  const before = Buffer.from(sourceText, 'utf8').subarray(0, unit.range.start).toString('utf8');
  return before.split('\n').length;
}

/** Rewrites the analyzer's function-relative `line N` / `lines N, M` to file lines. */
export function toFileLines(text: string, offset: number): string {
  if (offset === 0) return text;
  return text
    .replace(/\blines ((?:\d+)(?:, \d+)*)/g, (_m, list: string) => `lines ${list.split(', ').map((n) => Number(n) + offset).join(', ')}`)
    .replace(/\bline (\d+)/g, (_m, n: string) => `line ${Number(n) + offset}`);
}

/**
 * When loops stay serial only because pointer arguments might alias and the spec does not
 * say they never do: the one line that tells the user what to assert.
 */
export function noaliasHint(unit: KernelUnit, k: KernelSpec, index: number): string | undefined {
  if (k.noalias) return undefined;
  const facts = analyzeKernel(unit, k);
  const aliasOnly = facts.loops.filter(
    (l) => !l.parallel && l.carried.length > 0 && l.carried.every((c) => c.coveredBy || c.cause === 'alias' || c.cause === 'rows-may-overlap') && l.scalarCarried.length === 0,
  );
  if (aliasOnly.length === 0) return undefined;
  return (
    `  hint: ${aliasOnly.map((l) => l.id).join(', ')} stay${aliasOnly.length === 1 ? 's' : ''} serial only because pointer arguments might alias. ` +
    `If callers never pass overlapping buffers, add "noalias": true to kernels[${index}] (${k.name}) in the spec.`
  );
}

/**
 * After a build: one hint per kernel that kept its original code while its loops stay
 * serial only because pointer arguments might alias (no `noalias` in its spec).
 */
export async function noaliasHints(specPath: string, kernels: Array<{ kernel: string; outcome: string }>): Promise<string[]> {
  const { file, dir } = await loadSpecFile(specPath);
  const out: string[] = [];
  for (const [i, k] of file.kernels.entries()) {
    if (k.noalias || !kernels.some((r) => r.kernel === k.name && r.outcome === 'original')) continue;
    const { unit } = await readKernelSource(specPath, dir, k, i);
    const hint = noaliasHint(unit, k, i);
    if (hint) out.push(`autopar: ${k.name}: ${hint.trim().replace(/^hint: /, '')}`);
  }
  return out;
}
