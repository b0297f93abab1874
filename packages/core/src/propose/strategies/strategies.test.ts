// The reasoning strategies against the scripted Ollama server (real HTTP on loopback,
// canned answers, no model): which calls each strategy makes, how it uses the verifier's
// feedback, how it picks, and what budget exhaustion, garbage and hangs do.
import { afterEach, describe, expect, it } from 'vitest';
import { extractKernels } from '../../kernel/extract.js';
import type { KernelSpec } from '../../spec/types.js';
import { OllamaProposer } from '../ollama.js';
import type { Candidate, ProposeRequest, ScreenResult } from '../types.js';
import { ProposerUnavailable } from '../types.js';
import type { StrategyName, StrategyOptions } from '../../strategy/names.js';
import { startScriptedOllama, type ScriptedOllama, type ScriptedReply } from '../../../../../tools/scripted-ollama/server.mjs';

const MODEL = 'qwen2.5:1.5b';
const SOURCE = 'void twice(int n, double *a, double *b)\n{\n    for (int i = 0; i < n; i++)\n        a[i] = 2.0 * b[i];\n    for (int i = 1; i < n; i++)\n        b[i] = b[i - 1] + a[i];\n}\n';
const spec = {
  name: 'twice', source: 'k.c', noalias: true, sizes: { test: [{ n: 1 }], bench: { n: 10 } },
  args: [
    { name: 'n', kind: 'scalar', type: 'int', value: 'n' },
    { name: 'a', kind: 'inout', type: 'double', length: 'n' },
    { name: 'b', kind: 'inout', type: 'double', length: 'n' },
  ],
} as KernelSpec;
const unit = extractKernels(SOURCE, 'k.c', ['twice'])[0]!;

/** Grammar-form plans for loop L1 (legal: no carried dependence) and L2 (illegal: b[i - 1]). */
const plan = (action: string, loop = 'L1') => ({ loops: [{ loop, action, private: [], reduction: [], collapse: 1, schedule: 'default' }], transforms: [] });
const PLAN_PROMPT = 'parallelization plan';

let srv: ScriptedOllama | null = null;
afterEach(async () => {
  await srv?.close();
  srv = null;
});

async function serve(rules: Array<{ contains?: string; reply: ScriptedReply }>) {
  srv = await startScriptedOllama({
    script: { models: [{ name: MODEL }], rules: rules.map((r) => ({ match: r.contains ? { contains: r.contains } : {}, reply: r.reply })) },
  });
  return srv;
}

const chats = () =>
  srv!.requests
    .filter((q) => q.path === '/api/chat')
    .map((q) => q.body as { messages: Array<{ role: string; content: string }>; format?: unknown; options: { seed: number; temperature: number } });

function proposer(strategy: StrategyName, output: 'plan' | 'menu' | 'function', extra: Partial<StrategyOptions> = {}, timeoutMs?: number) {
  return new OllamaProposer({ model: MODEL, host: srv!.url, output, strategy: { strategy, samples: 1, budget: null, ...extra }, ...(timeoutMs ? { timeoutMs, retries: 0 } : {}) });
}

/** A verifier stand-in: speedups by what the text contains; records what it screened. */
function fakeTools(speeds: Array<[RegExp, number]>) {
  const screened: string[] = [];
  return {
    screened,
    tools: {
      async screen(c: Candidate): Promise<ScreenResult> {
        screened.push(c.label);
        const hit = speeds.find(([re]) => re.test(c.functionText));
        return hit ? { passed: true, stage: 'benchmark', reason: 'ok', speedup: hit[1] } : { passed: false, stage: 'differential', reason: 'output b differs at index 3' };
      },
    },
  };
}

const request = (extra: Partial<ProposeRequest> = {}): ProposeRequest => ({ unit, spec, sourceText: SOURCE, sourcePath: 'k.c', ...extra });

describe('few-shot', () => {
  it('shows the nearest bundled examples before the task when the store gave none, in one call', async () => {
    await serve([{ reply: { json: plan('parallel-for') } }]);
    const r = await proposer('few-shot', 'plan').proposeDetailed(request());
    expect(r.candidates.map((c) => c.label)).toEqual(['few-shot/plan#1']);
    expect(chats()).toHaveLength(1);
    const user = chats()[0]!.messages.at(-1)!.content;
    expect(user).toMatch(/^## Worked examples/);
    expect(user.match(/### Example \d/g)).toHaveLength(2);
    expect(user.indexOf('## Your task')).toBeLessThan(user.indexOf('## Your answer'));
  });

  it("uses the build's examples (the store's verified variants) when it has them", async () => {
    await serve([{ reply: { json: plan('parallel-for') } }]);
    const mine = { source: 'store' as const, original: 'void mine(void) { /* ORIGINAL-X */ }', parallel: 'void mine(void) { /* PARALLEL-X */ }', note: 'NOTE-X' };
    await proposer('few-shot', 'plan').proposeDetailed(request({ examples: [mine] }));
    const user = chats()[0]!.messages.at(-1)!.content;
    expect(user).toContain('ORIGINAL-X');
    expect(user).toContain('PARALLEL-X');
    expect(user).toContain('Why: NOTE-X');
    expect(user.match(/### Example \d/g)).toHaveLength(1);
  });
});

describe('chain-of-thought and step-by-step', () => {
  it('chain-of-thought reasons in free text, then answers under the grammar with its reasoning above', async () => {
    await serve([
      { contains: 'Think first', reply: 'L1 writes a[i] only: independent. L2 reads b[i - 1]: carried.' },
      { contains: 'Now give your answer', reply: { json: plan('parallel-for') } },
    ]);
    const r = await proposer('chain-of-thought', 'plan').proposeDetailed(request());
    const [first, second] = chats();
    expect(first!.format).toBeUndefined();
    expect(first!.messages.map((m) => m.role)).toEqual(['system', 'user']);
    expect(second!.format).toBeDefined();
    expect(second!.messages.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'user']);
    expect(second!.messages[2]!.content).toContain('L2 reads b[i - 1]: carried.');
    expect(second!.messages[3]!.content).toContain('## Your answer');
    expect(r.candidates[0]!.label).toBe('chain-of-thought/plan#1');
    expect(r.candidates[0]!.functionText).toMatch(/#pragma omp parallel for/);
    expect(r.candidates[0]!.rawResponse).toContain('carried.\n--- answer ---\n');
  });

  it('step-by-step asks numbered steps first; a garbage answer is a rejection that keeps the steps', async () => {
    await serve([
      { contains: 'Work through these steps', reply: 'Step 1: L1, L2.' },
      { reply: 'I think you should use threads.' },
    ]);
    const r = await proposer('step-by-step', 'function').proposeDetailed(request());
    expect(chats()[0]!.messages.at(-1)!.content).toContain('Step 5. Say which loop you would parallelize');
    expect(r.candidates).toEqual([]);
    expect(r.rejected[0]!.label).toBe('step-by-step/function#1');
    expect(r.rejected[0]!.rawResponse).toContain('Step 1: L1, L2.');
  });
});

describe('tree-of-thoughts', () => {
  const branchReplies: ScriptedReply = [
    'no idea',
    { json: plan('simd') },
    { json: plan('parallel-for') },
  ];

  it('grows three branches at different seeds, values them by screening, refines the best with what the verifier saw', async () => {
    await serve([
      { contains: 'The verifier tried your answer', reply: { json: plan('parallel-for-simd') } },
      { contains: PLAN_PROMPT, reply: branchReplies },
    ]);
    const { tools, screened } = fakeTools([[/parallel for simd/, 2.1], [/parallel for/, 1.8], [/omp simd/, 1.2]]);
    const r = await proposer('tree-of-thoughts', 'plan').proposeDetailed(request({ tools }));
    const calls = chats();
    expect(calls).toHaveLength(5); // default budget: three branches, two refinements
    expect(calls.slice(0, 3).map((c) => c.options.seed)).toEqual([42, 42 + 1009, 42 + 2018]);
    expect(calls[1]!.options.temperature).toBe(0.8);
    // The first refinement continues the best branch (parallel-for, 1.80x) and shows the others.
    const refine = calls[3]!;
    expect(refine.messages.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'user']);
    expect(refine.messages[2]!.content).toContain('"parallel-for"');
    expect(refine.messages[3]!.content).toMatch(/tree-of-thoughts\/plan#b3: passed .* 1\.80x/);
    expect(refine.messages[3]!.content).toMatch(/Other answers it tried:\n- tree-of-thoughts\/plan#b1: no candidate: .*\n- tree-of-thoughts\/plan#b2: passed .* 1\.20x/);
    // The second refinement continues the first (2.10x), now the best.
    expect(calls[4]!.messages).toHaveLength(6);
    // Best first; the duplicate refinement is kept once; every distinct text screened once.
    expect(r.candidates.map((c) => c.label)).toEqual(['tree-of-thoughts/plan#r1', 'tree-of-thoughts/plan#b3', 'tree-of-thoughts/plan#b2']);
    expect(screened).toEqual(['tree-of-thoughts/plan#b2', 'tree-of-thoughts/plan#b3', 'tree-of-thoughts/plan#r1', 'tree-of-thoughts/plan#r2']);
    expect(r.rejected.map((x) => x.label)).toEqual(['tree-of-thoughts/plan#b1']);
    expect(r.candidates[0]!.rawResponse).toMatch(/--- verifier: passed .* 2\.10x/);
  });

  it('stops at its budget of model calls', async () => {
    await serve([{ contains: PLAN_PROMPT, reply: branchReplies }]);
    const { tools } = fakeTools([[/parallel for/, 1.8]]);
    const r = await proposer('tree-of-thoughts', 'plan', { budget: 2 }).proposeDetailed(request({ tools }));
    expect(chats()).toHaveLength(2);
    expect(r.candidates.map((c) => c.label)).toEqual(['tree-of-thoughts/plan#b2']);
  });

  it('without a verifier it ranks by legality and says nothing was measured', async () => {
    await serve([
      { contains: 'The verifier tried your answer', reply: { json: plan('parallel-for', 'L2') } },
      { contains: PLAN_PROMPT, reply: branchReplies },
    ]);
    const r = await proposer('tree-of-thoughts', 'plan', { budget: 4 }).proposeDetailed(request());
    expect(chats()[3]!.messages.at(-1)!.content).toContain('legal; not measured (no verifier in this run)');
    // The illegal refinement (L2 carries b) comes back with no code, ranked last.
    expect(r.candidates.at(-1)!.label).toBe('tree-of-thoughts/plan#r1');
    expect(r.candidates.at(-1)!.legality?.ok).toBe(false);
  });

  it('a hang after the first branch keeps what grew, with why it stopped; a hang at once is the engine failing', async () => {
    await serve([{ contains: PLAN_PROMPT, reply: [{ json: plan('parallel-for') }, { text: 'late', delayMs: 5000 }] }]);
    const { tools } = fakeTools([[/parallel for/, 1.8]]);
    const r = await proposer('tree-of-thoughts', 'plan', {}, 700).proposeDetailed(request({ tools }));
    expect(r.candidates.map((c) => c.label)).toEqual(['tree-of-thoughts/plan#b1']);
    expect(r.rejected.at(-1)!.reason).toMatch(/^stopped: Ollama at .* did not answer POST \/api\/chat \(timed out after 700 ms\)/);
    await srv!.close();
    await serve([{ reply: { text: 'late', delayMs: 5000 } }]);
    await expect(proposer('tree-of-thoughts', 'plan', {}, 700).proposeDetailed(request({ tools }))).rejects.toBeInstanceOf(ProposerUnavailable);
  });
});

describe('react', () => {
  it('acts through the tools: facts for a loop, then a plan tried by the verifier, then finish', async () => {
    await serve([
      {
        reply: [
          { json: { thought: 'what does L2 carry?', action: 'facts', loop: 'L2' } },
          { json: { thought: 'L1 is independent', action: 'try', plan: plan('parallel-for') } },
          { json: { thought: 'good enough', action: 'finish' } },
        ],
      },
    ]);
    const { tools, screened } = fakeTools([[/parallel for/, 1.5]]);
    const r = await proposer('react', 'plan').proposeDetailed(request({ tools }));
    const calls = chats();
    expect(calls).toHaveLength(3);
    expect(JSON.stringify(calls[0]!.format)).toContain('"oneOf"');
    expect(calls[0]!.messages.at(-1)!.content).toContain('"action": "facts", "loop": id}: the analysis of one loop (ids: L1, L2)');
    expect(calls[1]!.messages.at(-1)!.content).toMatch(/^Observation: L2 line 5: .*NOT parallel/);
    expect(calls[2]!.messages.at(-1)!.content).toMatch(/^Observation: passed .* 1\.50x .*\n\(4 step\(s\) left\.\)/);
    expect(calls[2]!.messages).toHaveLength(6);
    expect(screened).toEqual(['react/plan#s2']);
    expect(r.candidates.map((c) => c.label)).toEqual(['react/plan#s2']);
    expect(r.candidates[0]!.rawResponse).toContain('observation: passed');
  });

  it('answers garbage and illegal plans with observations, and stops at the budget', async () => {
    await serve([{ reply: ['let me think', { json: { thought: 'try L2', action: 'try', plan: plan('parallel-for', 'L2') } }, { json: { thought: 'again', action: 'facts', loop: 'L1' } }] }]);
    const { tools, screened } = fakeTools([]);
    const r = await proposer('react', 'plan', { budget: 3 }).proposeDetailed(request({ tools }));
    const calls = chats();
    expect(calls).toHaveLength(3);
    expect(calls[1]!.messages.at(-1)!.content).toMatch(/^Observation: that step was not one JSON object/);
    expect(calls[2]!.messages.at(-1)!.content).toMatch(/^Observation: illegal plan: loop L2 .* carries a dependence on b/);
    expect(screened).toEqual([]); // an illegal plan never reaches the verifier
    expect(r.candidates).toHaveLength(1);
    expect(r.candidates[0]!.legality?.ok).toBe(false);
  });

  it('picks menu options in the menu form', async () => {
    await serve([{ reply: [{ json: { thought: 'outer', action: 'try', choice: 'outer' } }, { json: { thought: 'done', action: 'finish' } }] }]);
    const { tools } = fakeTools([[/parallel for/, 1.4]]);
    const r = await proposer('react', 'menu').proposeDetailed(request({ tools }));
    const enumOf = JSON.stringify(chats()[0]!.format);
    expect(enumOf).toContain('"choice":{"enum":[');
    expect(r.candidates.map((c) => c.label)).toEqual(['react/menu#s1:outer']);
  });

  it('refuses the function form, saying why', async () => {
    await serve([{ reply: 'x' }]);
    const r = await proposer('react', 'function').proposeDetailed(request());
    expect(chats()).toHaveLength(0);
    expect(r.rejected[0]!.reason).toMatch(/use output form plan or menu/);
  });
});

describe('self-consistency', () => {
  it('draws k samples at other seeds; the same answer is kept once, different ones are all screened by the build', async () => {
    await serve([{ contains: PLAN_PROMPT, reply: [{ json: plan('parallel-for') }, { json: plan('parallel-for') }, { json: plan('simd') }] }]);
    const r = await proposer('zero-shot', 'plan', { samples: 3 }).proposeDetailed(request());
    expect(chats().map((c) => c.options.seed)).toEqual([42, 7001, 7002]);
    expect(chats().map((c) => c.options.temperature)).toEqual([0.2, 0.7, 0.7]);
    expect(r.candidates.map((c) => c.label)).toEqual(['plan-zero-shot#1', 'plan-zero-shot#1~3']);
  });
});

describe('identity', () => {
  it('zero-shot with one sample keeps the identity of earlier builds; other strategies, samples and budgets are in it', async () => {
    await serve([{ reply: 'x' }]);
    const zero = await proposer('zero-shot', 'plan').identify();
    expect(zero.strategy).toBe('plan-zero-shot');
    expect(zero.options).not.toHaveProperty('samples');
    const tot = await proposer('tree-of-thoughts', 'plan').identify();
    expect(tot).toMatchObject({ strategy: 'tree-of-thoughts:plan-zero-shot', templateVersion: 'tree-of-thoughts/1+plan-zero-shot-grammar/1', options: { samples: 1, budget: 5 } });
    expect((await proposer('tree-of-thoughts', 'plan', { budget: 3 }).identify()).options).toMatchObject({ budget: 3 });
    expect((await proposer('zero-shot', 'plan', { samples: 2 }).identify()).strategy).toBe('zero-shot:plan-zero-shot');
  });
});

describe('react finishing', () => {
  it('offers finish only after a try, and answers an early finish (from a server that ignores the schema) with what is missing', async () => {
    await serve([{ reply: [{ json: { thought: 'done', action: 'finish' } }, { json: { thought: 'try', action: 'try', plan: plan('parallel-for') } }, { json: { thought: 'done', action: 'finish' } }] }]);
    const { tools } = fakeTools([[/parallel for/, 1.5]]);
    const r = await proposer('react', 'plan').proposeDetailed(request({ tools }));
    const calls = chats();
    expect(calls).toHaveLength(3);
    expect(JSON.stringify(calls[0]!.format)).not.toContain('"finish"');
    expect(JSON.stringify(calls[2]!.format)).toContain('"finish"');
    expect(calls[1]!.messages.at(-1)!.content).toMatch(/^Observation: nothing was tried yet: try an answer first/);
    expect(r.candidates.map((c) => c.label)).toEqual(['react/plan#s2']);
  });
});
