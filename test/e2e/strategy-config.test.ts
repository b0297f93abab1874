// Per-target strategy configuration, the Nx way: nx.json targetDefaults give every autopar
// target a strategy and output form; one project's project.json overrides the strategy.
// The real nx CLI builds both against the scripted Ollama server (scripted answers, not a
// model) and each build's report names the strategy it ran, in the key's identity.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createWorkspace, REPO, type TempWorkspace } from './workspace.js';
import { startScriptedOllama } from '../../tools/scripted-ollama/server.mjs';

const FIXTURE = join(REPO, 'test/fixtures/demo');
let ws: TempWorkspace;
let server: Awaited<ReturnType<typeof startScriptedOllama>>;

beforeAll(async () => {
  // Every answer is prose: nothing to verify, the test is about which strategy ran.
  server = await startScriptedOllama({ script: { models: [{ name: 'qwen2.5:1.5b' }], rules: [], default: 'I would use threads.' } });
  ws = createWorkspace({ demo: FIXTURE, other: FIXTURE });
  const nx = JSON.parse(ws.read('nx.json'));
  nx.targetDefaults = { '@autopar/nx:build': { options: { strategy: 'chain-of-thought', modelOutput: 'plan' } } };
  writeFileSync(join(ws.root, 'nx.json'), JSON.stringify(nx, null, 2));
  const other = JSON.parse(ws.read('other/project.json'));
  other.name = 'other';
  other.sourceRoot = 'other/src';
  other.targets.build.options.strategy = 'tree-of-thoughts';
  other.targets.build.options.strategyBudget = 2;
  ws.write('other/project.json', JSON.stringify(other, null, 2));
}, 120_000);

afterAll(async () => {
  await server?.close();
  ws?.dispose();
});

describe('strategy per target', () => {
  it('nx shows the merged options: targetDefaults for one project, its own override for the other', async () => {
    const show = async (p: string) => {
      const { output } = await ws.nx(['show', 'project', p, '--json']);
      return JSON.parse(output.slice(output.indexOf('{')));
    };
    expect((await show('demo')).targets.build.options).toMatchObject({ strategy: 'chain-of-thought', modelOutput: 'plan' });
    expect((await show('other')).targets.build.options).toMatchObject({ strategy: 'tree-of-thoughts', strategyBudget: 2, modelOutput: 'plan' });
  }, 240_000);

  it('each build runs its strategy and says so in the report', async () => {
    const r = await ws.nx(['run-many', '-t', 'build', '--projects=demo,other', '--skip-nx-cache', '--outputStyle=static', '--parallel=1'], { OLLAMA_HOST: server.url });
    expect(r.exitCode, r.output).toBe(0);
    const demo = JSON.parse(readFileSync(join(ws.root, 'dist/kernels/demo/autopar-report.json'), 'utf8'));
    const other = JSON.parse(readFileSync(join(ws.root, 'dist/kernels/other/autopar-report.json'), 'utf8'));
    for (const k of demo.kernels) expect(k.proposer).toMatchObject({ strategy: 'chain-of-thought:plan-zero-shot', templateVersion: 'chain-of-thought/1+plan-zero-shot-grammar/1', scripted: true });
    for (const k of other.kernels) expect(k.proposer).toMatchObject({ strategy: 'tree-of-thoughts:plan-zero-shot', options: { budget: 2 } });
    const users = server.requests.filter((q) => q.path === '/api/chat').map((q) => (q.body as { messages: Array<{ content: string }> }).messages.at(-1)!.content);
    const kernels = demo.kernels.length;
    // chain-of-thought: a reasoning turn and an answer turn per kernel; tree-of-thoughts: two branches (its budget).
    expect(users.filter((u) => u.includes('## Think first'))).toHaveLength(kernels);
    expect(users.filter((u) => u.startsWith('Now give your answer'))).toHaveLength(kernels);
    expect(users).toHaveLength(2 * kernels + 2 * other.kernels.length);
  }, 600_000);
});
