// The plan-legality stage: plans and whole-function pragmas checked before compile.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { extractKernels } from '../kernel/extract.js';
import type { KernelSpec } from '../spec/types.js';
import { analyzeState } from '../analysis/index.js';
import { applyPlan } from '../propose/plan-apply.js';
import type { Plan } from '../propose/plan.js';
import { planLegalityStage } from './plan-legality.js';
import { verifyCandidate } from './verify.js';

const SOURCE = `#include <math.h>

void prefix(int n, double *a)
{
    for (int i = 1; i < n; i++)
        a[i] = a[i - 1] + a[i];
}

double sum(int n, const double *x)
{
    double s = 0.0;
    for (int i = 0; i < n; i++)
        s += x[i];
    return s;
}

void scale(int n, const double *x, double *y)
{
    for (int i = 0; i < n; i++)
        y[i] = 2.0 * x[i];
}

void mm(int n, const double *a, const double *b, double *c)
{
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++) {
            double t = 0.0;
            for (int k = 0; k < n; k++)
                t += a[i * n + k] * b[k * n + j];
            c[i * n + j] = t;
        }
}

void hist(int n, const int *k, int *h)
{
    for (int i = 0; i < n; i++)
        h[k[i] & 15] += 1;
}
`;

const nArg = { name: 'n', kind: 'scalar', type: 'int', value: 'n' } as const;
const sizes = { test: [{ n: 1 }, { n: 7 }], bench: { n: 1000 } };
const SPECS: Record<string, KernelSpec> = {
  prefix: { name: 'prefix', source: 'k.c', sizes, args: [nArg, { name: 'a', kind: 'inout', type: 'double', length: 'n' }] } as KernelSpec,
  sum: { name: 'sum', source: 'k.c', sizes, returns: { type: 'double' }, args: [nArg, { name: 'x', kind: 'input', type: 'double', length: 'n' }] } as KernelSpec,
  scale: { name: 'scale', source: 'k.c', sizes, noalias: true, args: [nArg, { name: 'x', kind: 'input', type: 'double', length: 'n' }, { name: 'y', kind: 'output', type: 'double', length: 'n' }] } as KernelSpec,
  mm: { name: 'mm', source: 'k.c', sizes, noalias: true, args: [nArg, { name: 'a', kind: 'input', type: 'double', length: 'n*n' }, { name: 'b', kind: 'input', type: 'double', length: 'n*n' }, { name: 'c', kind: 'output', type: 'double', length: 'n*n' }] } as KernelSpec,
  hist: { name: 'hist', source: 'k.c', sizes, noalias: true, args: [nArg, { name: 'k', kind: 'input', type: 'int', length: 'n' }, { name: 'h', kind: 'inout', type: 'int', length: '16' }] } as KernelSpec,
};

function kernel(name: string) {
  const [unit] = extractKernels(SOURCE, '/tmp/k.c', [name]);
  return { unit: unit!, spec: SPECS[name]! };
}
const stage = (name: string, candidateText: string, plan?: unknown) => planLegalityStage({ ...kernel(name), candidateText, plan });
const planOf = (name: string, loops: Plan['loops'], transforms?: Plan['transforms']): Plan => ({ version: 1, kernel: name, loops, ...(transforms ? { transforms } : {}) });

describe('plan-legality: a plan', () => {
  it('rejects a plan that parallelizes a loop carrying a dependence, naming the loop, the array and the direction', () => {
    const r = stage('prefix', '', planOf('prefix', [{ loop: 'L1', action: 'parallel-for' }]));
    expect(r.stage).toBe('plan-legality');
    expect(r.ok).toBe(false);
    expect(r.reason).toMatch(/^illegal plan \(L1 parallel-for\)/);
    expect(r.reason).toMatch(/loop L1 \(line \d+, index i\) carries a dependence on a between a\[i\] \(line \d+\) and a\[i - 1\] \(line \d+\), direction \S+/);
  });

  it('rejects a sum parallelized without its reduction clause, naming the variable', () => {
    const r = stage('sum', '', planOf('sum', [{ loop: 'L1', action: 'parallel-for' }]));
    expect(r.ok).toBe(false);
    expect(r.reason).toMatch(/race on s: it is a \+ reduction but the plan does not declare reduction\(\+:s\)/);
  });

  it('passes a legal plan whose text is the applied plan', () => {
    const { unit, spec } = kernel('sum');
    const plan = planOf('sum', [{ loop: 'L1', action: 'parallel-for', reduction: [{ op: '+', vars: ['s'] }] }]);
    const text = applyPlan(analyzeState(unit, spec), plan).functionText;
    const r = stage('sum', text, plan);
    expect(r.ok).toBe(true);
    expect(r.reason).toBe('legal plan: L1 parallel-for reduction(+:s)');
  });

  it('rejects a legal plan whose candidate text is not what the plan generates', () => {
    const plan = planOf('scale', [{ loop: 'L1', action: 'parallel-for' }]);
    const r = stage('scale', 'void scale(int n, const double *x, double *y)\n{\n    for (int i = 0; i < n; i++) y[i] = 3.0 * x[i];\n}\n', plan);
    expect(r.ok).toBe(false);
    expect(r.reason).toMatch(/not the code its plan generates/);
  });

  it('rejects a plan that does not match the schema', () => {
    const r = stage('scale', '', { version: 1, kernel: 'scale', loops: [{ loop: 'outer', action: 'parallel-for' }] });
    expect(r.ok).toBe(false);
    expect(r.reason).toMatch(/does not match plan\.schema\.json/);
  });
});

describe('plan-legality: pragmas of a whole-function answer (implied plan)', () => {
  it('rejects `#pragma omp parallel for` on a prefix-sum loop, naming the dependence', () => {
    const r = stage('prefix', '#include <omp.h>\nvoid prefix(int n, double *a)\n{\n    #pragma omp parallel for\n    for (int i = 1; i < n; i++)\n        a[i] = a[i - 1] + a[i];\n}\n');
    expect(r.ok).toBe(false);
    expect(r.reason).toMatch(/^illegal OpenMP pragmas \(read as the plan L1 parallel-for;/);
    expect(r.reason).toMatch(/loop L1 \(line 5, index i\) carries a dependence on a between a\[i\] \(line 6\) and a\[i - 1\] \(line 6\)/);
  });

  it('rejects a sum without a reduction clause, naming the variable; passes it with the clause', () => {
    const body = (pragma: string) => `double sum(int n, const double *x)\n{\n    double s = 0.0;\n    ${pragma}\n    for (int i = 0; i < n; i++)\n        s += x[i];\n    return s;\n}\n`;
    const bad = stage('sum', body('#pragma omp parallel for'));
    expect(bad.ok).toBe(false);
    expect(bad.reason).toMatch(/race on s: it is a \+ reduction but the plan does not declare reduction\(\+:s\)/);
    const good = stage('sum', body('#pragma omp parallel for reduction(+:s) schedule(static)'));
    expect(good).toMatchObject({ ok: true, reason: "the candidate's OpenMP pragmas are legal (read as the plan L1 parallel-for reduction(+:s))" });
  });

  it('checks the candidate\'s own body: a temporary the model declares inside the loop is private', () => {
    const r = stage('scale', 'void scale(int n, const double *x, double *y)\n{\n    #pragma omp parallel for simd\n    for (int i = 0; i < n; i++) {\n        double t = x[i];\n        y[i] = 2.0 * t;\n    }\n}\n');
    expect(r).toMatchObject({ ok: true });
    expect(r.reason).toMatch(/L1 parallel-for-simd/);
  });

  it('reads collapse and a nested simd with its reduction; rejects the simd loop without it', () => {
    const mm = (p1: string, p2: string, p3 = '') => `void mm(int n, const double *a, const double *b, double *c)\n{\n    ${p1}\n    for (int i = 0; i < n; i++)\n        ${p2}\n        for (int j = 0; j < n; j++) {\n            double t = 0.0;\n            ${p3}\n            for (int k = 0; k < n; k++)\n                t += a[i * n + k] * b[k * n + j];\n            c[i * n + j] = t;\n        }\n}\n`;
    // An unbraced loop body cannot start with a pragma (the gate rejects that text); braces keep the nest.
    const ok = stage('mm', mm('#pragma omp parallel for collapse(2)', '', '#pragma omp simd reduction(+:t)'));
    expect(ok.reason).toMatch(/L1 parallel-for collapse\(2\), L1\.1\.1 simd reduction\(\+:t\)/);
    expect(ok.ok).toBe(true);
    const missing = stage('mm', mm('#pragma omp parallel for collapse(2)', '', '#pragma omp simd'));
    expect(missing.ok).toBe(false);
    expect(missing.reason).toMatch(/race on t/);
  });

  it('reads `#pragma omp atomic` on an array update as the plan\'s atomic list', () => {
    const text = (atomic: string) => `void hist(int n, const int *k, int *h)\n{\n    #pragma omp parallel for\n    for (int i = 0; i < n; i++) {\n        ${atomic}\n        h[k[i] & 15] += 1;\n    }\n}\n`;
    const withAtomic = stage('hist', text('#pragma omp atomic'));
    expect(withAtomic.reason).toMatch(/L1 parallel-for atomic\(h\)/);
    expect(withAtomic.ok).toBe(true);
  });

  it('leaves pragmas it can neither prove nor refute (indirect subscripts) to the dynamic checks; a plan stays refused', () => {
    // h[k[i] & 15] may or may not repeat an element: the analysis cannot tell. A hand-written
    // pragma like this is correct when the data guarantees distinct targets (a CSR row's
    // columns), so it is not refused here: the race detector and the differential test decide.
    const text = `void hist(int n, const int *k, int *h)\n{\n    #pragma omp parallel for\n    for (int i = 0; i < n; i++)\n        h[k[i] & 15] += 1;\n}\n`;
    const implied = stage('hist', text);
    expect(implied.ok).toBe(true);
    expect(implied.reason).toMatch(/the analysis cannot decide .*race on h.*; legality left to dynamic checks/);
    // A plan autopar would apply itself must be proven legal.
    const plan = stage('hist', '', planOf('hist', [{ loop: 'L1', action: 'parallel-for' }]));
    expect(plan.ok).toBe(false);
    expect(plan.reason).toMatch(/race on h/);
  });

  it('passes with a note when the model restructured the loops', () => {
    const r = stage('scale', 'void scale(int n, const double *x, double *y)\n{\n    #pragma omp parallel for\n    for (int b = 0; b < n; b += 64)\n        for (int i = b; i < (b + 64 < n ? b + 64 : n); i++)\n            y[i] = 2.0 * x[i];\n}\n');
    expect(r.ok).toBe(true);
    expect(r.reason).toMatch(/^loop structure changed \(original: L1:for\(i\); candidate: L1:for\(b\) L1\.1:for\(i\)\); legality left to dynamic checks$/);
  });

  it('passes with a note when the pragmas use constructs a plan cannot express', () => {
    const r = stage('prefix', 'void prefix(int n, double *a)\n{\n    #pragma omp parallel for ordered\n    for (int i = 1; i < n; i++) {\n        #pragma omp ordered\n        a[i] = a[i - 1] + a[i];\n    }\n}\n');
    expect(r.ok).toBe(true);
    expect(r.reason).toMatch(/^pragmas a plan cannot express: .*ordered.*; legality left to dynamic checks$/);
  });

  it('says so when there is nothing to check', () => {
    expect(stage('scale', 'void scale(int n, const double *x, double *y)\n{\n    for (int i = 0; i < n; i++) y[i] = 2.0 * x[i];\n}\n')).toMatchObject({ ok: true, reason: 'no OpenMP pragmas: nothing runs in parallel' });
  });
});

describe('verifyCandidate with plan-legality', () => {
  const workDir = mkdtempSync(join(tmpdir(), 'autopar-plan-legality-'));
  afterAll(() => rmSync(workDir, { recursive: true, force: true }));
  const base = (name: string) => {
    const { unit, spec } = kernel(name);
    return { unit, spec, sourceText: SOURCE, sourcePath: '/tmp/k.c', workDir };
  };

  it('an illegal plan is rejected first: nothing else runs, nothing compiles', async () => {
    const v = await verifyCandidate({ ...base('prefix'), candidateText: '', plan: planOf('prefix', [{ loop: 'L1', action: 'parallel-for' }]) });
    expect(v).toMatchObject({ accepted: false, stage: 'plan-legality' });
    expect(v.stages.map((s) => s.stage)).toEqual(['plan-legality']);
    expect(v.reason).toMatch(/carries a dependence on a/);
  });

  it('implied plan of a whole-function answer: rejected after the gate, before compile', async () => {
    const v = await verifyCandidate({
      ...base('prefix'),
      impliedPlan: true,
      candidateText: '#include <omp.h>\nvoid prefix(int n, double *a)\n{\n    #pragma omp parallel for\n    for (int i = 1; i < n; i++)\n        a[i] = a[i - 1] + a[i];\n}\n',
    });
    expect(v.stages.map((s) => s.stage)).toEqual(['static-gate', 'plan-legality']);
    expect(v).toMatchObject({ accepted: false, stage: 'plan-legality' });
    expect(v.reason).toMatch(/carries a dependence on a between a\[i\] \(line 6\) and a\[i - 1\] \(line 6\), direction/);
  });
});
