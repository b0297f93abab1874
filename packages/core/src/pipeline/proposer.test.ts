// Proposer selection: auto (Ollama → embedded model → analyzer), embedded, portfolio, and
// the model budget. The embedded model here is a GGUF *path* to a file that is never
// loaded: identities are made from the file's sha256 alone, so no weights are needed.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createServer } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { resolveProposer } from './proposer.js';
import { extractKernels } from '../kernel/extract.js';
import type { KernelSpec } from '../spec/types.js';
import { startScriptedOllama, type ScriptedOllama } from '../../../../tools/scripted-ollama/server.mjs';

const SOURCE = 'void twice(int n, double *a)\n{\n    for (int i = 0; i < n; i++)\n        a[i] = 2.0 * a[i];\n}\n';
const spec = { name: 'twice', source: 'k.c', noalias: true, sizes: { test: [{ n: 1 }], bench: { n: 10 } }, args: [{ name: 'n', kind: 'scalar', type: 'int', value: 'n' }, { name: 'a', kind: 'inout', type: 'double', length: 'n' }] } as KernelSpec;
const request = { unit: extractKernels(SOURCE, 'k.c', ['twice'])[0]!, spec, sourceText: SOURCE, sourcePath: 'k.c' };
const FN = '```c\nvoid twice(int n, double *a)\n{\n    #pragma omp parallel for\n    for (int i = 0; i < n; i++) a[i] = 2.0 * a[i];\n}\n```';

let dir: string;
let srv: ScriptedOllama | null = null;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'autopar-proposer-'));
});
afterEach(async () => {
  await srv?.close();
  srv = null;
  rmSync(dir, { recursive: true, force: true });
});

/** A port nobody listens on. */
async function closedPort(): Promise<string> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return `http://127.0.0.1:${port}`;
}

const base = (over: Partial<Parameters<typeof resolveProposer>[0]>) => ({
  choice: 'auto' as const,
  model: 'qwen2.5:1.5b',
  cacheDir: join(dir, 'cache'),
  modelsDir: join(dir, 'models'),
  // Generous: on a loaded machine the scripted server may take seconds to answer /api/tags.
  timeoutMs: 30_000,
  ...over,
});

describe('proposer: auto', () => {
  it('Ollama down and no embedded model installed: the analyzer, with one note naming both and the fetch command', async () => {
    const r = await resolveProposer(base({ host: await closedPort(), embeddedModel: 'smollm2-135m' }));
    expect(r.identity.kind).toBe('analyzer');
    expect(r.note).toMatch(/did not answer GET \/api\/tags/);
    expect(r.note).toMatch(/no embedded model: model smollm2-135m is not installed .*`npx autopar models pull smollm2-135m`/);
    expect(r.note).toMatch(/using the built-in analyzer$/);
    expect(r.note).not.toContain('\n');
  });

  it('Ollama down and the embedded model present: the embedded model, keyed by the file\'s sha256', async () => {
    const gguf = join(dir, 'tiny.gguf');
    writeFileSync(gguf, 'fake weights: never loaded by identify()');
    const r = await resolveProposer(base({ host: await closedPort(), embeddedModel: gguf }));
    expect(r.identity).toMatchObject({
      kind: 'embedded',
      model: gguf,
      modelDigest: `sha256:${createHash('sha256').update('fake weights: never loaded by identify()').digest('hex')}`,
      strategy: 'menu-zero-shot',
      options: { seed: 42, temperature: 0.2, topP: 0.9, engine: expect.stringMatching(/^node-llama-cpp@3\.21\.1$/) },
    });
    expect(r.identity.options).not.toHaveProperty('threads');
    expect(r.spend?.()).toMatchObject({ calls: 0, budget: { calls: null, seconds: null } });
  });

  it('Ollama up: Ollama first, with the scripted server marked as such', async () => {
    srv = await startScriptedOllama({ script: { models: [{ name: 'qwen2.5:1.5b' }], rules: [{ reply: FN }] } });
    const r = await resolveProposer(base({ host: srv.url }));
    expect(r.identity).toMatchObject({ kind: 'ollama', scripted: true });
  });
});

describe('proposer: embedded', () => {
  it('a missing model: nothing proposed, the note says how to fetch it', async () => {
    const r = await resolveProposer(base({ choice: 'embedded', embeddedModel: 'gemma3-270m' }));
    expect(r.proposer).toBeNull();
    expect(r.note).toMatch(/model gemma3-270m is not installed .*`npx autopar models pull gemma3-270m`/);
  });
});

describe('proposer: portfolio and the model budget', () => {
  it('runs the analyzer and the model on each kernel; both identities are in the key', async () => {
    srv = await startScriptedOllama({ script: { models: [{ name: 'qwen2.5:1.5b' }], rules: [{ reply: FN }] } });
    const r = await resolveProposer(base({ choice: 'portfolio', host: srv.url }));
    expect(r.identity.kind).toBe('portfolio');
    expect(r.identity.members?.map((m) => m.kind)).toEqual(['analyzer', 'ollama']);
    expect(r.identity.members?.[1]).not.toHaveProperty('host'); // the key must not depend on where the model runs
    const cands = await r.proposer!.propose(request);
    expect(cands.some((c) => c.proposer.kind === 'analyzer')).toBe(true);
    expect(cands.some((c) => c.proposer.kind === 'ollama')).toBe(true);
    expect(r.spend?.()).toMatchObject({ calls: 1, refusedForBudget: 0 });
  });

  it('a spent budget refuses the model (the analyzer still proposes in a portfolio) and the report says so', async () => {
    srv = await startScriptedOllama({ script: { models: [{ name: 'qwen2.5:1.5b' }], rules: [{ reply: FN }] } });
    const auto = await resolveProposer(base({ host: srv.url, modelMaxCalls: 1 }));
    await auto.proposer!.propose(request);
    await expect(auto.proposer!.propose(request)).rejects.toThrow(/model budget spent \(1 calls, .* of 1 calls, ∞ s\)/);
    expect(auto.spend?.()).toMatchObject({ calls: 1, budget: { calls: 1, seconds: null }, refusedForBudget: 1 });

    const portfolio = await resolveProposer(base({ choice: 'portfolio', host: srv.url, modelMaxCalls: 0 }));
    const cands = await portfolio.proposer!.propose(request);
    expect(cands.length).toBeGreaterThan(0);
    expect(cands.every((c) => c.proposer.kind === 'analyzer')).toBe(true);
    expect(portfolio.spend?.()).toMatchObject({ calls: 0, refusedForBudget: 1 });
  });
});
