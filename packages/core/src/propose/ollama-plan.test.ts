// OllamaProposer's plan output form against the scripted server (canned answers, no model).
import { afterEach, describe, expect, it } from 'vitest';
import { extractKernels } from '../kernel/extract.js';
import type { KernelSpec } from '../spec/types.js';
import { identityForOutput, OllamaProposer } from './ollama.js';
import { extractPlanJson } from './extract-code-plan.js';
import { kernelNames, planGrammarSchema, PLAN_GRAMMAR_VERSION } from './plan-grammar.js';
import { analyzeState } from '../analysis/analyze.js';
import { TEMPLATE_VERSION } from '../strategy/zero-shot.js';
import { PLAN_GRAMMAR_TEMPLATE_VERSION } from '../strategy/plan-zero-shot.js';
import { startScriptedOllama, type ScriptedOllama, type ScriptedReply } from '../../../../tools/scripted-ollama/server.mjs';

const MODEL = 'qwen2.5:1.5b';
const DIGEST = '5c3f1a2b9d8e7f60112233445566778899aabbccddeeff00112233445566aa01';
const SOURCE = 'void scan(int n, double *a)\n{\n    for (int i = 1; i < n; i++)\n        a[i] = a[i - 1] + a[i];\n}\n\nvoid twice(int n, double *a)\n{\n    for (int i = 0; i < n; i++)\n        a[i] = 2.0 * a[i];\n}\n';
const spec = (name: string): KernelSpec => ({
  name, source: 'k.c', noalias: true, sizes: { test: [{ n: 1 }], bench: { n: 10 } },
  args: [{ name: 'n', kind: 'scalar', type: 'int', value: 'n' }, { name: 'a', kind: 'inout', type: 'double', length: 'n' }],
}) as KernelSpec;
const request = (name: string) => ({ unit: extractKernels(SOURCE, 'k.c', [name])[0]!, spec: spec(name), sourceText: SOURCE, sourcePath: 'k.c' });
const plan = (kernel: string) => ({ version: 1, kernel, loops: [{ loop: 'L1', action: 'parallel-for' }] });

let srv: ScriptedOllama | null = null;
afterEach(async () => {
  await srv?.close();
  srv = null;
});
async function serve(reply: ScriptedReply, fn: ScriptedReply = '```c\nvoid twice(int n, double *a)\n{\n    for (int i = 0; i < n; i++) a[i] = 2.0 * a[i];\n}\n```') {
  srv = await startScriptedOllama({
    script: { models: [{ name: MODEL, digest: DIGEST }], rules: [{ match: { contains: 'parallelization plan' }, reply }, { reply: fn }] },
  });
  return srv;
}
const proposer = (output: 'function' | 'plan' | 'both') => new OllamaProposer({ model: MODEL, host: srv!.url, output });

describe('OllamaProposer plan output', () => {
  it('sends the plan schema as `format` and applies a legal plan after checking it', async () => {
    await serve({ json: plan('twice') });
    const r = await proposer('plan').proposeDetailed(request('twice'));
    expect(r.rejected).toEqual([]);
    const [c] = r.candidates;
    expect(c!.label).toBe('plan-zero-shot#1');
    expect(c!.legality).toEqual({ ok: true, errors: [], warnings: [], unproven: [] });
    expect(c!.functionText).toMatch(/#pragma omp parallel for\n\s*for \(int i = 0; i < n; i\+\+\)/);
    const body = srv!.requests.find((q) => q.path === '/api/chat')!.body as { format: unknown; messages: Array<{ content: string }> };
    // The per-kernel grammar form: the kernel's loop ids and names as enums.
    expect(body.format).toEqual(planGrammarSchema(kernelNames(analyzeState(request('twice').unit, request('twice').spec))));
    expect(JSON.stringify(body.format)).toContain('"enum":["L1"]');
    expect(body.messages[1]!.content).toContain('for (int i = 0; i < n; i++)  // L1');
    expect(body.messages[1]!.content).toMatch(/L1 line 3: for 0 <= i < n, trips n -> PARALLEL/);
  });

  it('an illegal plan becomes a candidate with no code and the failed check recorded', async () => {
    await serve({ json: plan('scan') });
    const [c] = await proposer('plan').propose(request('scan'));
    expect(c!.functionText).toBe('');
    expect(c!.plan).toEqual(plan('scan'));
    expect(c!.legality?.ok).toBe(false);
    expect(c!.legality?.errors[0]).toMatch(/loop L1 \(line 3, index i\) carries a dependence on a between a\[i\] \(line 4\) and a\[i - 1\] \(line 4\)/);
  });

  it('an answer that is not a plan gives no candidate, with the reason', async () => {
    await serve('Sure! Here is how I would do it: parallelize the loop.');
    expect(await proposer('plan').proposeDetailed(request('twice'))).toMatchObject({ candidates: [], rejected: [{ label: 'plan-zero-shot#1', reason: expect.stringMatching(/not a JSON plan/) }] });
    await srv!.close();
    await serve({ json: { version: 1, kernel: 'twice', loops: [{ loop: 'outer loop', action: 'parallelize' }] } });
    const r = await proposer('plan').proposeDetailed(request('twice'));
    expect(r.candidates).toEqual([]);
    expect(r.rejected[0]!.reason).toMatch(/does not match plan\.schema\.json: plan\/loops\/0\/loop must match pattern/);
  });

  it("'both' asks twice (function, then plan) and gives two candidates", async () => {
    await serve({ json: plan('twice') });
    const cs = await proposer('both').propose(request('twice'));
    expect(cs.map((c) => c.label)).toEqual(['zero-shot#1', 'plan-zero-shot#1']);
    expect(srv!.requests.filter((q) => q.path === '/api/chat')).toHaveLength(2);
    expect((srv!.requests.filter((q) => q.path === '/api/chat')[0]!.body as { format?: unknown }).format).toBeUndefined();
  });

  it('the output form is in the identity; the function form keeps the zero-shot identity', async () => {
    await serve('');
    const f = await proposer('function').identify();
    const p = await proposer('plan').identify();
    const b = await proposer('both').identify();
    expect(f).toMatchObject({ strategy: 'zero-shot', templateVersion: TEMPLATE_VERSION, options: { seed: 42, temperature: 0.2, num_ctx: 8192, num_predict: 2048 } });
    expect(f.options).not.toHaveProperty('planSchema');
    expect(p).toMatchObject({ strategy: 'plan-zero-shot', templateVersion: PLAN_GRAMMAR_TEMPLATE_VERSION, options: { planGrammar: PLAN_GRAMMAR_VERSION } });
    expect(b).toMatchObject({ strategy: 'zero-shot+plan-zero-shot', templateVersion: `${TEMPLATE_VERSION}+${PLAN_GRAMMAR_TEMPLATE_VERSION}` });
    expect(f.options).not.toHaveProperty('planGrammar');
    expect(identityForOutput(f, 'plan')).toEqual(p);
    expect(identityForOutput(p, 'function')).toEqual(f);
  });
});

describe('extractPlanJson', () => {
  it('takes the whole answer, a ```json block, or the outer braces', () => {
    expect(extractPlanJson('{"a":1}')).toEqual({ value: { a: 1 } });
    expect(extractPlanJson('Plan:\n```json\n{"a":2}\n```\n')).toEqual({ value: { a: 2 } });
    expect(extractPlanJson('Here: {"a":3} done')).toEqual({ value: { a: 3 } });
    expect(extractPlanJson('')).toMatchObject({ value: null, reason: 'the answer is empty' });
  });
});
