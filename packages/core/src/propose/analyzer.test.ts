// The analyzer proposer on the corpus and on the project's kernels (kernels/*/src/*.c).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { analyzeState } from '../analysis/analyze.js';
import { extractKernels } from '../kernel/extract.js';
import type { KernelSpec } from '../spec/types.js';
import { AnalyzerProposer, ANALYZER_VERSION, candidatesFor } from './analyzer.js';
import type { Plan } from './plan.js';

const root = new URL('../../../../', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'autopar-analyzer-'));

function kernelSources(): { name: string; path: string; spec?: KernelSpec }[] {
  const kdir = join(root, 'kernels');
  if (!existsSync(kdir)) return [];
  const out: { name: string; path: string; spec?: KernelSpec }[] = [];
  for (const name of readdirSync(kdir)) {
    const path = join(kdir, name, 'src', `${name}.c`);
    if (!existsSync(path)) continue;
    let spec: KernelSpec | undefined;
    const specPath = join(kdir, name, 'autopar.spec.json');
    if (existsSync(specPath)) spec = (JSON.parse(readFileSync(specPath, 'utf8')) as { kernels: KernelSpec[] }).kernels.find((k) => k.name === name);
    out.push({ name, path, spec });
  }
  return out;
}

/** Compiles the whole translation unit with the kernel replaced by the candidate. */
function compileSpliced(source: string, start: number, end: number, functionText: string): void {
  const buf = Buffer.from(source, 'utf8');
  const text = buf.subarray(0, start).toString('utf8') + functionText + buf.subarray(end).toString('utf8');
  const path = join(dir, `k${Math.random().toString(36).slice(2)}.c`);
  writeFileSync(path, text);
  execFileSync('gcc', ['-std=c11', '-O2', '-fopenmp', '-c', path, '-o', `${path}.o`], { stdio: 'pipe' });
}

describe('AnalyzerProposer', () => {
  test('identity', async () => {
    expect(await new AnalyzerProposer().identify()).toEqual({ kind: 'analyzer', version: ANALYZER_VERSION });
  });

  test('proposes nothing when nothing is parallel', async () => {
    const src = readFileSync(new URL('../analysis/corpus/stencils.c', import.meta.url), 'utf8');
    const unit = extractKernels(src, 'stencils.c', ['seidel2d'])[0]!;
    const spec: KernelSpec = { name: 'seidel2d', source: '', sizes: { test: [], bench: {} }, args: [], noalias: true };
    expect(await new AnalyzerProposer().propose({ unit, spec, sourceText: src, sourcePath: 'stencils.c' })).toEqual([]);
  });

  test('matmul-like corpus kernel gets outer, collapse-free and simd variants that compile', async () => {
    const src = readFileSync(new URL('../analysis/corpus/matmul.c', import.meta.url), 'utf8');
    const unit = extractKernels(src, 'matmul.c', ['mm_ijk'])[0]!;
    const spec: KernelSpec = { name: 'mm_ijk', source: '', sizes: { test: [], bench: {} }, args: [], noalias: true };
    const cands = await new AnalyzerProposer().propose({ unit, spec, sourceText: src, sourcePath: 'matmul.c' });
    expect(cands.length).toBeGreaterThanOrEqual(2);
    expect(cands.length).toBeLessThanOrEqual(4);
    expect(cands[0]!.label).toBe('analyzer:outer');
    expect((cands[0]!.plan as Plan).loops[0]!.loop).toBe('L1');
    for (const c of cands) compileSpliced(src, unit.range.start, unit.range.end, c.functionText);
  });

  test('schedules: guided for rows whose length is read from memory, dynamic chunks for triangles, static otherwise', () => {
    const planOf = (file: string, fn: string) => {
      const src = readFileSync(new URL(`../analysis/corpus/${file}`, import.meta.url), 'utf8');
      const unit = extractKernels(src, file, [fn])[0]!;
      const state = analyzeState(unit, { name: fn, source: '', sizes: { test: [], bench: {} }, args: [], noalias: true });
      return candidatesFor(state).find((c) => c.label === 'analyzer:outer')!.plan as Plan;
    };
    // CSR rows: dynamic,16 was 1.2x slower than serial on spmv (a chunk grab per 16 short rows).
    expect(planOf('irregular.c', 'csr_spmv').loops[0]!.schedule).toEqual({ kind: 'guided', chunk: 16 });
    expect(planOf('triangular.c', 'lower_tri').loops[0]!.schedule).toEqual({ kind: 'dynamic', chunk: 16 });
    expect(planOf('matmul.c', 'mm_ijk').loops[0]!.schedule).toEqual({ kind: 'static' });
  });

  const kernels = kernelSources();
  test.runIf(kernels.length > 0).each(kernels.map((k) => [k.name, k] as const))('kernel %s: verdicts and candidates compile', (_name, k) => {
    const source = readFileSync(k.path, 'utf8');
    const unit = extractKernels(source, k.path, [k.name])[0]!;
    const state = analyzeState(unit, k.spec);
    const summary = state.facts.loops.map((f) => `${f.id}(${f.indexVar ?? f.kind})=${f.parallel ? 'par' : 'no'}`).join(' ');
    const cands = candidatesFor(state);
    console.log(`[analyzer] ${k.name}: ${summary}\n` + cands.map((c) => `  ${c.label}: ${(c.functionText.match(/#pragma omp[^\n]*/g) ?? []).join(' ; ')}`).join('\n'));
    for (const c of cands) compileSpliced(source, unit.range.start, unit.range.end, c.functionText);
    const f = state.factsById;
    if (k.name === 'matmul') {
      expect(f.get('L1')!.parallel).toBe(true);
      expect(cands.length).toBeGreaterThan(0);
    }
    if (k.name === 'jacobi2d') {
      expect(f.get('L1')!.parallel).toBe(false);
      for (const id of ['L1.1', 'L1.2']) expect(f.get(id)!.parallel).toBe(true);
    }
    if (k.name === 'bfs' || k.name === 'sssp') {
      // Indirect writes (level[v] = ..., dist[v] = ...) must not be run in parallel without proof.
      for (const l of state.facts.loops) {
        if (l.parallel) expect(l.arraysWritten.every((a) => !l.carried.some((d) => d.array === a && !d.coveredBy))).toBe(true);
      }
    }
  });
});
