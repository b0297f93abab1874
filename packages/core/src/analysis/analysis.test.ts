// Verdicts of the analyzer on the hand-written corpus (corpus/*.c, expectations in corpus/expected.json).
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { extractKernels } from '../kernel/extract.js';
import type { KernelSpec } from '../spec/types.js';
import { analyzeState } from './analyze.js';
import { explainKernel } from './explain.js';
import { kernelFacts } from './facts.js';

interface Expectation {
  function?: string;
  loops: Record<string, boolean>;
  noalias?: boolean;
  carried?: Record<string, string>;
  reduction?: Record<string, string>;
  private?: Record<string, string>;
  lastprivate?: Record<string, string>;
  arrayReduction?: Record<string, string>;
  reason?: Record<string, string>;
}

const expected = JSON.parse(readFileSync(new URL('./corpus/expected.json', import.meta.url), 'utf8')) as Record<string, Record<string, Expectation> | string>;

export function corpusUnit(file: string, fn: string) {
  const src = readFileSync(new URL(`./corpus/${file}`, import.meta.url), 'utf8');
  return extractKernels(src, file, [fn])[0]!;
}

export function specFor(name: string, noalias = false): KernelSpec {
  return { name, source: '', sizes: { test: [], bench: {} }, args: [], noalias };
}

const cases: [string, string, Expectation][] = [];
for (const [file, fns] of Object.entries(expected)) {
  if (typeof fns === 'string') continue;
  for (const [key, e] of Object.entries(fns)) cases.push([file, key, e]);
}

describe('corpus verdicts', () => {
  test('has at least 40 loop nests', () => {
    expect(cases.length).toBeGreaterThanOrEqual(40);
  });
  test.each(cases)('%s %s', (file, key, e) => {
    const fn = e.function ?? key;
    const state = analyzeState(corpusUnit(file, fn), specFor(fn, e.noalias));
    const facts = state.factsById;
    for (const [id, parallel] of Object.entries(e.loops)) {
      const f = facts.get(id);
      expect(f, `${fn}: loop ${id} exists`).toBeDefined();
      expect(f!.parallel, `${fn} ${id}: ${f!.reasons.join(' | ')}`).toBe(parallel);
    }
    for (const [id, text] of Object.entries(e.carried ?? {})) expect(facts.get(id)!.reasons.join(' ')).toContain(text);
    for (const [id, text] of Object.entries(e.reason ?? {})) expect(facts.get(id)!.reasons.join(' ')).toContain(text);
    for (const [id, text] of Object.entries(e.reduction ?? {})) {
      const [op, vars] = text.split(':');
      expect(facts.get(id)!.reductions).toContainEqual({ op, vars: vars!.split(',') });
    }
    for (const [id, text] of Object.entries(e.private ?? {})) expect(facts.get(id)!.privates).toEqual(text.split(','));
    for (const [id, text] of Object.entries(e.lastprivate ?? {})) expect(facts.get(id)!.lastprivates).toEqual(text.split(','));
    for (const [id, text] of Object.entries(e.arrayReduction ?? {})) expect(facts.get(id)!.arrayReductions.map((r) => r.array)).toEqual([text]);
  });
});

describe('facts and explanations', () => {
  test('carried dependence names the array, direction and lines', () => {
    const f = analyzeState(corpusUnit('stencils.c', 'gauss_seidel'), specFor('gauss_seidel')).factsById.get('L1')!;
    expect(f.carried.some((d) => d.array === 'A' && d.direction.startsWith('(1') && d.kind === 'flow')).toBe(true);
  });
  test('kernelFacts is compact and mentions reductions and trip counts', () => {
    const text = kernelFacts(corpusUnit('matmul.c', 'mm_ijk'), specFor('mm_ijk'));
    expect(text).toContain('L1.1.1');
    expect(text).toContain('reduction(+): s');
    expect(text).toContain('trips n');
  });
  test('explainKernel gives a reason per loop', () => {
    const text = explainKernel(corpusUnit('basic.c', 'prefix'), specFor('prefix'));
    expect(text).toMatch(/L1 \(line \d+\).*not parallel/);
    expect(text).toContain('distance 1');
    const par = explainKernel(corpusUnit('reductions.c', 'sum'), specFor('sum'));
    expect(par).toContain('#pragma omp parallel for reduction(+:s)');
  });
  test('aliasing is named in the reason', () => {
    const f = analyzeState(corpusUnit('irregular.c', 'aliasing'), specFor('aliasing')).factsById.get('L1')!;
    expect(f.reasons[0]).toMatch(/a and b may alias/);
  });
});
