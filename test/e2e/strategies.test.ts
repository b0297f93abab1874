// Reasoning strategies through the whole pipeline (scripted answers, not a model): the
// tree-of-thoughts strategy values its branches with the build's own verifier (screening:
// compile, differential test, short benchmark), the build never screens the same text
// twice, the strategy is in the key and the report, and a rebuild is a store hit with no
// model call.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildProject, type BuildReport } from '../../packages/core/src/pipeline/build.js';
import { startScriptedOllama } from '../../tools/scripted-ollama/server.mjs';
import { buildOptions, MAIN_C, makeProject, type TempProject } from '../failure/project.js';

const plan = (action: string) => ({ loops: [{ loop: 'L1', action, private: [], reduction: [], collapse: 1, schedule: 'default' }], transforms: [] });

let p: TempProject;
let server: Awaited<ReturnType<typeof startScriptedOllama>>;
let first: BuildReport;
let firstLines: string[];

const chats = () => server.requests.filter((r) => r.path === '/api/chat').map((r) => r.body as { messages: Array<{ role: string; content: string }> });
const opts = () =>
  buildOptions(p, { proposer: 'ollama', ollamaHost: server.url, modelOutput: 'plan', strategy: 'tree-of-thoughts', strategyBudget: 4 });

beforeAll(async () => {
  server = await startScriptedOllama({
    script: {
      models: [{ name: 'qwen2.5:1.5b' }],
      rules: [
        { match: { contains: 'The verifier tried your answer' }, reply: { json: plan('parallel-for-simd') } },
        // Three branches: prose, a plan, the same plan again.
        { match: { contains: 'parallelization plan' }, reply: ['Parallelize the loop.', { json: plan('parallel-for') }, { json: plan('parallel-for') }] },
      ],
    },
  });
  p = makeProject();
  p.write('demo/src/main.c', MAIN_C);
  const o = opts();
  first = await buildProject(o);
  firstLines = o.lines;
}, 600_000);

afterAll(async () => {
  await server?.close();
  p?.dispose();
});

describe('tree-of-thoughts in a build', () => {
  it('makes three branch calls and one refinement that sees what the real verifier measured', () => {
    const calls = chats();
    expect(calls).toHaveLength(4);
    const refine = calls[3]!.messages.at(-1)!.content;
    expect(refine).toMatch(/The verifier tried your answer:\n- tree-of-thoughts\/plan#b2: passed the gates, compiled, matched the original on the test sizes; \d+\.\d\dx the original's speed/);
    expect(refine).toMatch(/- tree-of-thoughts\/plan#b1: no candidate: /);
  });

  it('screens each distinct text once, though the strategy and the build both ask', () => {
    const screenings = firstLines.filter((l) => /: screening /.test(l));
    expect(screenings).toEqual(['autopar: scale: screening tree-of-thoughts/plan#b2', 'autopar: scale: screening tree-of-thoughts/plan#r1']);
  });

  it('verifies and links one of them; the strategy is in the identity and every candidate', () => {
    const k = first.kernels[0]!;
    expect(k.outcome).toBe('generated');
    expect(k.candidates.map((c) => c.label).sort()).toEqual(['tree-of-thoughts/plan#b2', 'tree-of-thoughts/plan#r1']);
    expect(k.proposer).toMatchObject({ strategy: 'tree-of-thoughts:plan-zero-shot', scripted: true, options: { budget: 4, samples: 1 } });
    expect(k.rejected?.map((r) => r.label)).toEqual(['tree-of-thoughts/plan#b1']);
  });

  it('a rebuild is a store hit: no model call, no screening', async () => {
    const before = chats().length;
    const o = opts();
    const again = await buildProject(o);
    expect(again.kernels[0]!.outcome).toBe('cache-hit');
    expect(chats()).toHaveLength(before);
    expect(o.lines.filter((l) => /: screening /.test(l))).toEqual([]);
  });
});

describe('few-shot in a build', () => {
  it("shows the store's verified variant of another kernel as the worked example, with lines again", async () => {
    const q = makeProject();
    try {
      q.write('demo/src/main.c', MAIN_C);
      // The analyzer verifies a variant of `scale` into the store.
      const seeded = await buildProject(buildOptions(q, { proposer: 'analyzer' }));
      expect(seeded.kernels[0]!.outcome).toBe('generated');
      // Another kernel text (the same shape) asks a scripted model with the few-shot strategy.
      q.write('demo/src/kern.c', '#include <math.h>\n\nvoid scale(int n, const double *x, double *y)\n{\n    for (int i = 0; i < n; i++)\n        y[i] = sqrt(x[i] * x[i] + 4.0) * 3.0;\n}\n');
      const srv = await startScriptedOllama({ script: { models: [{ name: 'qwen2.5:1.5b' }], rules: [{ reply: { json: plan('parallel-for') } }] } });
      try {
        await buildProject(buildOptions(q, { proposer: 'ollama', ollamaHost: srv.url, modelOutput: 'plan', strategy: 'few-shot' }));
        const user = (srv.requests.find((r) => r.path === '/api/chat')!.body as { messages: Array<{ content: string }> }).messages.at(-1)!.content;
        const example1 = user.slice(user.indexOf('### Example 1'), user.indexOf('### Example 2'));
        expect(example1).toMatch(/Original:\n```c\nvoid scale\(int n, const double \* ?x, double \* ?y\) ?\n?\{\n    for\(int i = 0; i < n; i\+\+\)/);
        expect(example1).toContain('* 2.0');
        expect(example1).toMatch(/Parallel version:\n```c\n[^]*#pragma omp parallel for/);
        expect(example1).toMatch(/Why: A variant autopar verified/);
        expect(user).toContain('### Example 2'); // filled up from the bundled set
      } finally {
        await srv.close();
      }
    } finally {
      q.dispose();
    }
  });
});
