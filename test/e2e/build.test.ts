// End to end: a temp Nx workspace, the real nx CLI, the built @autopar packages,
// and the scripted Ollama-protocol server (scripted answers, not a model).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { execa } from 'execa';
import { createWorkspace, REPO, type TempWorkspace } from './workspace.js';
import { startScriptedOllama } from '../../tools/scripted-ollama/server.mjs';

// The fixture's threshold is 0.01: this file tests what the pipeline links and when it asks
// the model, not how fast a variant is on a busy machine (that is `npm run bench`'s job).
const FIXTURE = join(REPO, 'test/fixtures/demo');
const SCRIPT = JSON.parse(readFileSync(join(REPO, 'test/fixtures/models/demo-script.json'), 'utf8'));

let ws: TempWorkspace;
let server: { url: string; close(): Promise<void>; requests: Array<{ path: string; body: unknown }> };
let env: Record<string, string>;

function modelCalls(): number {
  return server.requests.filter((r) => r.path === '/api/chat' || r.path === '/api/generate').length;
}

async function build(): Promise<{ calls: number; output: string }> {
  const before = modelCalls();
  const r = await ws.nx(['build', 'demo', '--skip-nx-cache', '--outputStyle=static'], env);
  if (r.exitCode !== 0) throw new Error(`nx build failed:\n${r.output}`);
  return { calls: modelCalls() - before, output: r.output };
}

const outcome = (k: string) => ws.report('demo').kernels.find((x) => x.kernel === k)!;

beforeAll(async () => {
  server = await startScriptedOllama({ script: SCRIPT, port: 0 });
  ws = createWorkspace({ demo: FIXTURE });
  env = { OLLAMA_HOST: server.url };
});

afterAll(async () => {
  await server?.close();
  ws?.dispose();
});

describe('nx build through autopar', () => {
  it('first build asks the model once per kernel and links the verified variant', async () => {
    const { calls, output } = await build();
    expect(calls).toBe(2);
    const wave = outcome('wave');
    expect(wave.outcome).toBe('generated');
    expect(wave.chosen?.proposer.kind).toBe('ollama');
    expect(wave.chosen?.proposer.model).toBe('qwen2.5:1.5b');
    expect(wave.chosen?.proposer.modelDigest).toBe(SCRIPT.models[0].digest);
    // What is linked went through the whole verifier, not only the screening benchmark.
    const linkedRecord = wave.candidates.find((c) => c.label === wave.chosen?.label)!;
    expect(linkedRecord.verdict.accepted).toBe(true);
    expect(linkedRecord.verdict.stages.map((s) => s.stage)).toEqual(
      expect.arrayContaining(['static-gate', 'compile', 'differential', 'sanitize-memory', 'sanitize-race', 'benchmark']),
    );
    expect(output).toContain('wave');
    // The linked program still computes what the original computes.
    const linked = await execa(join(ws.root, 'dist/kernels/demo/demo'), ['5000']);
    const plain = await compilePlain();
    expect(linked.stdout).toBe(plain);
    expect(ws.read('dist/kernels/demo/autopar-src/kern.c')).toContain('#pragma omp parallel for');
  });

  it('a scripted wrong variant is rejected with its reason and the original is linked', () => {
    const prefix = outcome('prefix');
    expect(prefix.outcome).toBe('original');
    expect(prefix.candidates).toHaveLength(1);
    expect(prefix.candidates[0]!.verdict.accepted).toBe(false);
    // Its pragma parallelizes a loop that carries `run`: caught before compile.
    expect(prefix.candidates[0]!.verdict.stage).toBe('plan-legality');
    expect(prefix.candidates[0]!.verdict.reason).toMatch(/run/);
    expect(ws.read('dist/kernels/demo/autopar-src/kern.c')).toContain('run += x[i];\n        out[i] = run;');
  });

  it('a second build makes zero model calls', async () => {
    const { calls } = await build();
    expect(calls).toBe(0);
    expect(outcome('wave').outcome).toBe('cache-hit');
    expect(outcome('wave').chosen?.label).toBeTruthy();
    expect(outcome('prefix').outcome).toBe('cache-hit');
  });

  it('a comment-only edit makes zero model calls', async () => {
    const src = ws.read('demo/src/kern.c');
    ws.write('demo/src/kern.c', src.replace('/* Smooth response curve applied per element. */', '/* reworded comment */\n\n'));
    const { calls } = await build();
    expect(calls).toBe(0);
  });

  it('an edit to one of two kernels makes exactly one model session', async () => {
    const keyWave = outcome('wave').key;
    const src = ws.read('demo/src/kern.c');
    ws.write('demo/src/kern.c', src.replace('run += x[i];', 'run = run + x[i];'));
    const { calls } = await build();
    expect(calls).toBe(1);
    expect(outcome('wave').key).toBe(keyWave);
    expect(outcome('wave').outcome).toBe('cache-hit');
  });

  it('an edit to a helper the kernel calls invalidates that kernel only', async () => {
    const src = ws.read('demo/src/kern.c');
    ws.write('demo/src/kern.c', src.replace('sqrt(v * v + 1.0)', 'sqrt(v * v + 2.0)'));
    const { calls } = await build();
    expect(calls).toBe(1);
    expect(outcome('prefix').outcome).toBe('cache-hit');
    expect(outcome('wave').outcome).not.toBe('cache-hit');
  });
});

async function compilePlain(): Promise<string> {
  const out = join(ws.root, 'plain-demo');
  await execa('gcc', ['-O3', join(ws.root, 'demo/src/kern.c'), join(ws.root, 'demo/src/main.c'), '-o', out, '-lm']);
  return (await execa(out, ['5000'])).stdout;
}
