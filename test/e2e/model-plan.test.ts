// A model that answers with JSON plans (scripted answers, not a model): the pipeline
// gives it the analyzer's facts and loop ids, checks each plan for legality before any
// code exists, rejects a plan that parallelizes a carried loop before compile (naming
// the dependence), and applies, verifies and links a legal one.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { buildProject, type BuildReport } from '../../packages/core/src/pipeline/build.js';
import { startScriptedOllama } from '../../tools/scripted-ollama/server.mjs';
import { buildOptions, makeProject, REPO, type TempProject } from '../failure/project.js';

const SCRIPT = JSON.parse(readFileSync(join(REPO, 'test/fixtures/models/plan-script.json'), 'utf8'));

const KERN = `#include <math.h>

static double shape(double v)
{
    return sin(v) * cos(v * 0.5) + sqrt(v * v + 1.0);
}

void wave(int n, const double *x, double *y)
{
    for (int i = 0; i < n; i++) {
        double acc = 0.0;
        for (int r = 0; r < 8; r++)
            acc += shape(x[i] + r * 0.125);
        y[i] = acc;
    }
}

void scan(int n, double *a)
{
    for (int i = 1; i < n; i++)
        a[i] = a[i - 1] + a[i];
}
`;

const MAIN = `#include <stdio.h>
#include <stdlib.h>

void wave(int n, const double *x, double *y);
void scan(int n, double *a);

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 1000;
    double *x = malloc(sizeof(double) * n), *y = malloc(sizeof(double) * n);
    for (int i = 0; i < n; i++) x[i] = (i % 97) * 0.01;
    wave(n, x, y);
    scan(n, y);
    printf("%.9f\\n", n > 0 ? y[n - 1] : 0.0);
    free(x); free(y);
    return 0;
}
`;

const sizes = (bench: number) => ({ test: [{ n: 1 }, { n: 2 }, { n: 7 }, { n: 33 }], bench: { n: bench } });
const SPEC = {
  version: 1,
  kernels: [
    {
      name: 'wave', source: 'src/kern.c', sizes: sizes(200000), noalias: true, tolerance: { rel: 1e-12, abs: 1e-12 },
      args: [
        { name: 'n', kind: 'scalar', type: 'int', value: 'n' },
        { name: 'x', kind: 'input', type: 'double', length: 'n', init: { gen: 'uniform', min: 0, max: 4 } },
        { name: 'y', kind: 'output', type: 'double', length: 'n' },
      ],
    },
    {
      name: 'scan', source: 'src/kern.c', sizes: sizes(200000), noalias: true, tolerance: { rel: 1e-9, abs: 1e-12 },
      args: [
        { name: 'n', kind: 'scalar', type: 'int', value: 'n' },
        { name: 'a', kind: 'inout', type: 'double', length: 'n', init: { gen: 'uniform', min: -1, max: 1 } },
      ],
    },
  ],
};

let p: TempProject;
let server: Awaited<ReturnType<typeof startScriptedOllama>>;
let first: BuildReport;

const chats = () => server.requests.filter((r) => r.path === '/api/chat');
const opts = (over: Parameters<typeof buildOptions>[1] = {}) =>
  buildOptions(p, { proposer: 'ollama', ollamaHost: server.url, modelOutput: 'plan', ...over });
const kernel = (r: BuildReport, name: string) => r.kernels.find((k) => k.kernel === name)!;

beforeAll(async () => {
  server = await startScriptedOllama({ script: SCRIPT, port: 0 });
  p = makeProject({ kern: KERN, spec: SPEC });
  p.write('demo/src/main.c', MAIN);
  first = await buildProject(opts());
});

afterAll(async () => {
  await server?.close();
  p?.dispose();
});

describe('model plans through the pipeline', () => {
  it('asks for a plan with structured output, the facts and the loop ids', () => {
    expect(chats()).toHaveLength(2);
    for (const c of chats()) {
      const body = c.body as { format?: { properties?: Record<string, unknown> }; messages: Array<{ role: string; content: string }> };
      // The per-kernel grammar form of the plan schema (propose/plan-grammar.ts).
      expect(Object.keys(body.format?.properties ?? {})).toEqual(['loops', 'transforms']);
      const user = body.messages.find((m) => m.role === 'user')!.content;
      expect(user).toContain('## Analysis of its loops');
      expect(user).toMatch(/L1 line \d+: for .* trips/);
      expect(user).toMatch(/for \(int i = \S+; i < n; i\+\+\)( \{)?\s+\/\/ L1\n/);
    }
    const scanPrompt = chats().map((c) => (c.body as { messages: Array<{ content: string }> }).messages[1]!.content).find((t) => t.includes('the C function `scan`'))!;
    // The carried dependence is in the facts the model sees.
    expect(scanPrompt).toMatch(/why not: a: flow dependence/);
  });

  it('rejects the plan that parallelizes the carried loop before compile, naming the dependence', () => {
    const scan = kernel(first, 'scan');
    expect(scan.outcome).toBe('original');
    expect(scan.candidates).toHaveLength(1);
    const c = scan.candidates[0]!;
    expect(c.label).toBe('plan-zero-shot#1');
    expect(c.proposer).toMatchObject({ kind: 'ollama', strategy: 'plan-zero-shot', templateVersion: 'plan-zero-shot-grammar/1' });
    expect(c.verdict.accepted).toBe(false);
    expect(c.verdict.stage).toBe('plan-legality');
    expect(c.verdict.stages.map((s) => s.stage)).toEqual(['plan-legality']);
    expect(c.verdict.stages.some((s) => s.stage === 'compile')).toBe(false);
    expect(c.verdict.reason).toMatch(/loop L1 \(line \d+, index i\) carries a dependence on a between a\[i\] \(line \d+\) and a\[i - 1\] \(line \d+\), direction \S+/);
    // The plan was never applied: no text; the proposer's own check is recorded too.
    expect(c.functionText).toBe('');
    expect(c.plan).toMatchObject({ kernel: 'scan', loops: [{ loop: 'L1', action: 'parallel-for' }] });
    expect(c.legality?.ok).toBe(false);
    expect(c.legality?.errors.join('\n')).toMatch(/dependence on a/);
    expect(p.out()).toBeTruthy();
    expect(readFileSync(join(p.out(), 'autopar-src/kern.c'), 'utf8')).toContain('a[i] = a[i - 1] + a[i];');
  });

  it('applies, verifies and links the legal plan', async () => {
    const wave = kernel(first, 'wave');
    expect(wave.outcome).toBe('generated');
    expect(wave.chosen?.label).toBe('plan-zero-shot#1');
    const c = wave.candidates[0]!;
    expect(c.verdict.accepted).toBe(true);
    expect(c.verdict.stages.map((s) => s.stage).slice(0, 3)).toEqual(['plan-legality', 'static-gate', 'compile']);
    expect(c.verdict.stages[0]!.reason).toBe('legal plan: L1 parallel-for');
    expect(c.legality?.ok).toBe(true);
    const spliced = readFileSync(join(p.out(), 'autopar-src/kern.c'), 'utf8');
    expect(spliced).toMatch(/#pragma omp parallel for[^\n]*\n\s*for \(int i = 0; i < n; i\+\+\) \{\n\s*double acc/);
    const linked = await execa(first.artifact, ['5000']);
    const plain = join(p.root, 'plain');
    await execa('gcc', ['-O2', join(p.projectRoot, 'src/kern.c'), join(p.projectRoot, 'src/main.c'), '-o', plain, '-lm']);
    expect(linked.stdout).toBe((await execa(plain, ['5000'])).stdout);
  });

  it('a second build asks the model nothing and keeps both verdicts', async () => {
    const before = chats().length;
    const again = await buildProject(opts());
    expect(chats().length).toBe(before);
    expect(kernel(again, 'wave')).toMatchObject({ outcome: 'cache-hit', chosen: { label: 'plan-zero-shot#1' } });
    expect(kernel(again, 'scan').outcome).toBe('cache-hit');
    expect(kernel(again, 'scan').candidates[0]!.verdict.stage).toBe('plan-legality');
  });

  it('the output form is in the key: the function form misses the plan form\'s entries', async () => {
    const r = await buildProject(opts({ modelOutput: 'function', offline: true }));
    expect(kernel(r, 'wave').outcome).toBe('original');
    expect(kernel(r, 'wave').reason).toMatch(/offline: not in the store/);
    expect(kernel(r, 'wave').key).not.toBe(kernel(first, 'wave').key);
  });

  it('with checkImpliedPlans, a whole-function answer whose pragma parallelizes the carried loop is rejected before compile', async () => {
    const fnServer = await startScriptedOllama({
      script: {
        models: SCRIPT.models,
        rules: [
          { match: { contains: 'void scan(' }, reply: '```c\nvoid scan(int n, double *a)\n{\n    #pragma omp parallel for\n    for (int i = 1; i < n; i++)\n        a[i] = a[i - 1] + a[i];\n}\n```\n' },
          { reply: '```c\nvoid wave(int n, const double *x, double *y)\n{\n    for (int i = 0; i < n; i++) {\n        double acc = 0.0;\n        for (int r = 0; r < 8; r++)\n            acc += shape(x[i] + r * 0.125);\n        y[i] = acc;\n    }\n}\n```\n' },
        ],
      },
      port: 0,
    });
    try {
      const r = await buildProject(opts({ ollamaHost: fnServer.url, modelOutput: 'function', checkImpliedPlans: true }));
      const c = kernel(r, 'scan').candidates[0]!;
      expect(c.label).toBe('zero-shot#1');
      expect(c.verdict.stages.map((s) => s.stage)).toEqual(['static-gate', 'plan-legality']);
      expect(c.verdict.reason).toMatch(/^illegal OpenMP pragmas .*carries a dependence on a between a\[i\] \(line \d+\) and a\[i - 1\] \(line \d+\)/);
      // The function prompt carries the analyzer's facts too.
      const user = (fnServer.requests.find((q) => q.path === '/api/chat')!.body as { messages: Array<{ role: string; content: string }> }).messages[1]!.content;
      expect(user).toContain('## Analysis of its loops');
      expect(user).toMatch(/L1 line \d+: for/);
    } finally {
      await fnServer.close();
    }
  });
});
