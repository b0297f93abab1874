// Plan format, legality gate and plan-apply (applied text must compile with gcc -fopenmp).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { analyzeState } from '../analysis/analyze.js';
import { checkPlan } from '../analysis/legality.js';
import { extractKernels } from '../kernel/extract.js';
import type { KernelSpec } from '../spec/types.js';
import { validatePlan, type Plan } from './plan.js';
import { applyPlan } from './plan-apply.js';

const corpus = (file: string) => readFileSync(new URL(`../analysis/corpus/${file}`, import.meta.url), 'utf8');
const spec = (name: string, noalias = false): KernelSpec => ({ name, source: '', sizes: { test: [], bench: {} }, args: [], noalias });
const stateOf = (file: string, fn: string, noalias = false) => analyzeState(extractKernels(corpus(file), file, [fn])[0]!, spec(fn, noalias));
const plan = (kernel: string, loops: Plan['loops'], transforms?: Plan['transforms']): Plan => ({ version: 1, kernel, loops, ...(transforms ? { transforms } : {}) });

const dir = mkdtempSync(join(tmpdir(), 'autopar-plan-'));
function compiles(file: string, functionText: string): void {
  // Prelude: the file's includes and helpers (everything but the kernel itself is harmless to repeat).
  const includes = corpus(file).split('\n').filter((l) => l.startsWith('#include')).join('\n');
  const path = join(dir, `k${Math.random().toString(36).slice(2)}.c`);
  writeFileSync(path, `${includes}\n#include <math.h>\n${functionText}\n`);
  execFileSync('gcc', ['-std=c11', '-fopenmp', '-Wall', '-Werror=unknown-pragmas', '-c', path, '-o', `${path}.o`], { stdio: 'pipe' });
}

describe('plan schema', () => {
  test('accepts a full plan and rejects a malformed one', () => {
    const ok = validatePlan(plan('k', [{ loop: 'L1', action: 'parallel-for', private: ['t'], reduction: [{ op: '+', vars: ['s'] }], collapse: 2, schedule: { kind: 'dynamic', chunk: 4 }, ifThreshold: 'n > 64', atomic: ['h'] }], [{ kind: 'restrict-params' }, { kind: 'tile', loop: 'L1', size: 32 }]));
    expect(ok.ok).toBe(true);
    const bad = validatePlan({ version: 2, kernel: 'k', loops: [{ loop: 'x', action: 'go' }] });
    expect(bad.ok).toBe(false);
  });
});

describe('legality gate', () => {
  test('rejects a parallel loop with a carried dependence, naming loop, line and dependence', () => {
    const s = stateOf('basic.c', 'prefix');
    const r = checkPlan(s, plan('prefix', [{ loop: 'L1', action: 'parallel-for' }]));
    expect(r.ok).toBe(false);
    expect(r.errors[0]).toMatch(/loop L1 \(line 2, index i\) carries a dependence on a between a\[i\] \(line 2\) and a\[i - 1\] \(line 2\), direction \(1\)/);
  });
  test('rejects the inner loop of Gauss-Seidel too', () => {
    const s = stateOf('stencils.c', 'gauss_seidel');
    expect(checkPlan(s, plan('gauss_seidel', [{ loop: 'L1.1', action: 'parallel-for' }])).ok).toBe(false);
    expect(checkPlan(s, plan('gauss_seidel', [{ loop: 'L1.1', action: 'simd' }])).ok).toBe(false);
  });
  test('reduction must be declared with the right operator', () => {
    const s = stateOf('reductions.c', 'sum');
    expect(checkPlan(s, plan('sum', [{ loop: 'L1', action: 'parallel-for' }])).errors.join()).toMatch(/race on s/);
    expect(checkPlan(s, plan('sum', [{ loop: 'L1', action: 'parallel-for', reduction: [{ op: '*', vars: ['s'] }] }])).ok).toBe(false);
    expect(checkPlan(s, plan('sum', [{ loop: 'L1', action: 'parallel-for', reduction: [{ op: '+', vars: ['s'] }] }])).ok).toBe(true);
  });
  test('a written scalar that is not private is a race', () => {
    const s = stateOf('privates.c', 'outer_index');
    const r = checkPlan(s, plan('outer_index', [{ loop: 'L1', action: 'parallel-for' }]));
    expect(r.errors.join()).toMatch(/race on scalar j/);
    expect(checkPlan(s, plan('outer_index', [{ loop: 'L1', action: 'parallel-for', private: ['j'] }])).ok).toBe(true);
    expect(checkPlan(s, plan('outer_index', [{ loop: 'L1', action: 'parallel-for', collapse: 2 }])).ok).toBe(true);
  });
  test('lastprivate is required when the value is used after the loop', () => {
    const s = stateOf('privates.c', 'temp_last');
    expect(checkPlan(s, plan('temp_last', [{ loop: 'L1', action: 'parallel-for', private: ['t'] }])).errors.join()).toMatch(/lastprivate\(t\)/);
  });
  test('carried scalar cannot be privatized', () => {
    const s = stateOf('privates.c', 'temp_carried');
    expect(checkPlan(s, plan('temp_carried', [{ loop: 'L1', action: 'parallel-for', private: ['t'] }])).ok).toBe(false);
  });
  test('collapse over an imperfect or triangular nest is rejected', () => {
    const mm = stateOf('matmul.c', 'mm_ijk');
    expect(checkPlan(mm, plan('mm_ijk', [{ loop: 'L1.1', action: 'parallel-for', collapse: 2, reduction: [{ op: '+', vars: ['s'] }] }])).errors.join()).toMatch(/not perfectly nested|no perfectly nested/);
    const tri = stateOf('triangular.c', 'tri_update');
    expect(checkPlan(tri, plan('tri_update', [{ loop: 'L1', action: 'parallel-for', collapse: 2 }])).errors.join()).toMatch(/depend on the index/);
  });
  test('interchange that reverses a dependence is rejected; a legal one passes', () => {
    // A[i][j] = A[i-1][j+1]: direction (<,>) — swapping reverses it.
    const src = 'void skew(int n, double A[n][n]) { for (int i = 1; i < n; i++) for (int j = 0; j < n - 1; j++) A[i][j] = A[i - 1][j + 1]; }';
    const s = analyzeState(extractKernels(src, 'skew.c', ['skew'])[0]!, spec('skew', true));
    const r = checkPlan(s, plan('skew', [], [{ kind: 'interchange', loop: 'L1', with: 'L1.1' }]));
    expect(r.ok).toBe(false);
    expect(r.errors[0]).toMatch(/would reverse the dependence on A/);
    const mm = stateOf('matmul.c', 'mm_acc');
    expect(checkPlan(mm, plan('mm_acc', [{ loop: 'L1', action: 'parallel-for' }], [{ kind: 'interchange', loop: 'L1.1', with: 'L1.1.1' }])).ok).toBe(true);
  });
  test('restrict-params needs noalias', () => {
    expect(checkPlan(stateOf('irregular.c', 'aliasing'), plan('aliasing', [], [{ kind: 'restrict-params' }])).ok).toBe(false);
    expect(checkPlan(stateOf('irregular.c', 'aliasing', true), plan('aliasing', [], [{ kind: 'restrict-params' }])).ok).toBe(true);
  });
  test('histogram needs atomic', () => {
    const s = stateOf('irregular.c', 'histogram');
    expect(checkPlan(s, plan('histogram', [{ loop: 'L1', action: 'parallel-for' }])).errors.join()).toMatch(/race on h/);
    expect(checkPlan(s, plan('histogram', [{ loop: 'L1', action: 'parallel-for', atomic: ['h'] }])).ok).toBe(true);
  });
  test('unknown loop ids and bad if clauses are rejected', () => {
    const s = stateOf('basic.c', 'vadd');
    expect(checkPlan(s, plan('vadd', [{ loop: 'L7', action: 'parallel-for' }])).ok).toBe(false);
    expect(checkPlan(s, plan('vadd', [{ loop: 'L1', action: 'parallel-for', ifThreshold: 'm > 3' }])).ok).toBe(false);
    expect(checkPlan(s, plan('vadd', [{ loop: 'L1', action: 'parallel-for', ifThreshold: 'n > 1000' }])).ok).toBe(true);
  });
  test('impure call is rejected', () => {
    expect(checkPlan(stateOf('irregular.c', 'with_print'), plan('with_print', [{ loop: 'L1', action: 'parallel-for' }])).errors.join()).toMatch(/printf/);
  });
});

describe('plan-apply output compiles with gcc -fopenmp', () => {
  const cases: [string, string, Plan['loops'], Plan['transforms']?, boolean?][] = [
    ['basic.c', 'vadd', [{ loop: 'L1', action: 'parallel-for-simd', schedule: { kind: 'static' } }]],
    ['reductions.c', 'maxval', [{ loop: 'L1', action: 'parallel-for', reduction: [{ op: 'max', vars: ['m'] }] }]],
    ['privates.c', 'outer_index', [{ loop: 'L1', action: 'parallel-for', collapse: 2 }]],
    ['privates.c', 'temp_last', [{ loop: 'L1', action: 'parallel-for', lastprivate: ['t'], ifThreshold: 'n > 64' }]],
    ['matmul.c', 'mm_ijk', [{ loop: 'L1', action: 'parallel-for' }, { loop: 'L1.1.1', action: 'simd', reduction: [{ op: '+', vars: ['s'] }] }], [{ kind: 'restrict-params' }], true],
    ['matmul.c', 'mm_acc', [{ loop: 'L1', action: 'parallel-for' }, { loop: 'L1.1', action: 'simd' }], [{ kind: 'interchange', loop: 'L1.1', with: 'L1.1.1' }], true],
    ['stencils.c', 'jacobi', [{ loop: 'L1', action: 'parallel-for', collapse: 2 }], [{ kind: 'tile', loop: 'L1', size: 32 }]],
    ['stencils.c', 'timeloop', [{ loop: 'L1.1', action: 'parallel-for' }, { loop: 'L1.2', action: 'parallel-for' }], [{ kind: 'hoist-parallel-region', loop: 'L1' }]],
    ['irregular.c', 'histogram', [{ loop: 'L1', action: 'parallel-for', atomic: ['h'] }]],
    ['stencils.c', 'seidel2d', []],
  ];
  test.each(cases)('%s %s', (file, fn, loops, transforms, noalias) => {
    const s = stateOf(file, fn, noalias);
    const p = plan(fn, loops, transforms);
    expect(validatePlan(p).ok).toBe(true);
    const gate = checkPlan(s, p);
    expect(gate.errors).toEqual([]);
    const { functionText } = applyPlan(s, p);
    for (const l of loops) expect(functionText).toContain(l.action === 'simd' ? '#pragma omp simd' : '#pragma omp');
    compiles(file, functionText);
  });
  test('interchange puts k outside j, and hoisting makes one region with omp for inside', () => {
    const s = stateOf('matmul.c', 'mm_acc', true);
    const t = applyPlan(s, plan('mm_acc', [{ loop: 'L1', action: 'parallel-for' }], [{ kind: 'interchange', loop: 'L1.1', with: 'L1.1.1' }])).functionText;
    expect(t.indexOf('int k = 0')).toBeLessThan(t.indexOf('int j = 0'));
    const h = applyPlan(stateOf('stencils.c', 'timeloop'), plan('timeloop', [{ loop: 'L1.1', action: 'parallel-for' }, { loop: 'L1.2', action: 'parallel-for' }], [{ kind: 'hoist-parallel-region', loop: 'L1' }])).functionText;
    expect(h.match(/#pragma omp parallel\b/g)).toHaveLength(1);
    expect(h.match(/#pragma omp for/g)).toHaveLength(2);
  });
  test('restrict is added to pointer parameters', () => {
    const t = applyPlan(stateOf('irregular.c', 'aliasing', true), plan('aliasing', [{ loop: 'L1', action: 'parallel-for' }], [{ kind: 'restrict-params' }])).functionText;
    expect(t).toMatch(/double \* restrict a/);
    expect(t).toMatch(/const double \* restrict b/);
  });
});
