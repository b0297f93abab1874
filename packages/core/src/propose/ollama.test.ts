// OllamaProposer against the scripted Ollama-protocol server (canned answers, no model).
import { afterEach, describe, expect, it } from 'vitest';
import { createServer } from 'node:net';
import { OllamaProposer, resolveOllamaHost } from './ollama.js';
import { describeProposer, ProposerUnavailable, type ProposeRequest } from './types.js';
import type { KernelUnit } from '../kernel/types.js';
import type { KernelSpec } from '../spec/types.js';
import { TEMPLATE_VERSION } from '../strategy/zero-shot.js';
import { startScriptedOllama, type ScriptedOllama, type ScriptedOllamaScript } from '../../../../tools/scripted-ollama/server.mjs';

const MODEL = 'qwen2.5:1.5b';
const DIGEST = '5c3f1a2b9d8e7f60112233445566778899aabbccddeeff00112233445566aa01';

const SOURCE = 'void saxpy(int n, float a, const float *x, float *y)\n{\n    for (int i = 0; i < n; i++)\n        y[i] = a * x[i] + y[i];\n}';
const REWRITE = 'void saxpy(int n, float a, const float *x, float *y)\n{\n    #pragma omp parallel for\n    for (int i = 0; i < n; i++)\n        y[i] = a * x[i] + y[i];\n}';
const GOOD = `The iterations are independent.\n\n\`\`\`c\n#include <omp.h>\n${REWRITE}\n\`\`\`\n`;

const unit: KernelUnit = {
  name: 'saxpy',
  language: 'c',
  signature: {
    returnType: 'void',
    params: [
      { name: 'n', type: 'int' },
      { name: 'a', type: 'float' },
      { name: 'x', type: 'const float *' },
      { name: 'y', type: 'float *' },
    ],
    text: 'void saxpy(int n, float a, const float *x, float *y)',
  },
  normalizedText: SOURCE.replace(/\s+/g, ' '),
  closure: [],
  range: { start: 0, end: SOURCE.length },
  sourceText: SOURCE,
};
const spec: KernelSpec = {
  name: 'saxpy',
  source: 'saxpy.c',
  sizes: { test: [{ n: 0 }, { n: 1 }, { n: 17 }], bench: { n: 1 << 24 } },
  args: [
    { name: 'n', kind: 'scalar', type: 'int', value: 'n' },
    { name: 'a', kind: 'scalar', type: 'float', value: 2.5 },
    { name: 'x', kind: 'input', type: 'float', length: 'n', init: { gen: 'uniform', min: -1, max: 1 } },
    { name: 'y', kind: 'inout', type: 'float', length: 'n', init: { gen: 'uniform', min: -1, max: 1 } },
  ],
  noalias: true,
};
const request: ProposeRequest = { unit, spec, sourceText: SOURCE, sourcePath: 'saxpy.c' };

let srv: ScriptedOllama | null = null;
afterEach(async () => {
  await srv?.close();
  srv = null;
});

async function serve(rules: ScriptedOllamaScript['rules'], extra: Partial<ScriptedOllamaScript> = {}) {
  srv = await startScriptedOllama({ script: { models: [{ name: MODEL, digest: DIGEST }], rules, ...extra } });
  return srv;
}
const chatCalls = () => srv!.requests.filter((r) => r.path === '/api/chat').length;

/** A loopback port with nobody listening. */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

describe('OllamaProposer.identify', () => {
  it('reads the model digest from /api/tags into the identity', async () => {
    const s = await serve([]);
    const id = await new OllamaProposer({ model: MODEL, host: s.url }).identify();
    expect(id).toEqual({
      kind: 'ollama',
      model: MODEL,
      modelDigest: DIGEST,
      host: s.url,
      strategy: 'zero-shot',
      templateVersion: TEMPLATE_VERSION,
      options: { seed: 42, temperature: 0.2, num_ctx: 8192, num_predict: 2048 },
      // The scripted server lists its models with family "scripted": the identity says so.
      scripted: true,
    });
    expect(describeProposer(id)).toBe(`ollama ${MODEL} (scripted test server, not a model)`);
  });

  it('a server that does not call itself scripted gives no scripted mark', async () => {
    const s = await serve([]);
    // What a real Ollama lists: its own family name for the model.
    const real = { models: [{ name: MODEL, model: MODEL, digest: DIGEST, details: { family: 'qwen2', families: ['qwen2'] } }] };
    const fetchReal: typeof fetch = async (input, init) => {
      if (String(input).endsWith('/api/tags')) return new Response(JSON.stringify(real), { headers: { 'content-type': 'application/json' } });
      return fetch(input, init);
    };
    const saved = globalThis.fetch;
    globalThis.fetch = fetchReal;
    try {
      const id = await new OllamaProposer({ model: MODEL, host: s.url }).identify();
      expect(id.scripted).toBeUndefined();
      expect(describeProposer(id)).toBe(`ollama ${MODEL}`);
    } finally {
      globalThis.fetch = saved;
    }
  });

  it("finds a model asked for without its tag as '<name>:latest'", async () => {
    const s = await serve([], { models: [{ name: 'gemma3:latest', digest: DIGEST }] });
    expect((await new OllamaProposer({ model: 'gemma3', host: s.url }).identify()).modelDigest).toBe(DIGEST);
  });

  it('says to `ollama pull` a model the server does not have', async () => {
    const s = await serve([]);
    const p = new OllamaProposer({ model: 'llama3.2:1b', host: s.url });
    await expect(p.identify()).rejects.toThrow(ProposerUnavailable);
    await expect(p.identify()).rejects.toThrow(/ollama pull llama3\.2:1b/);
  });

  it('fails fast with ProposerUnavailable naming the host when nobody listens', async () => {
    const host = `http://127.0.0.1:${await closedPort()}`;
    const t0 = Date.now();
    const err = await new OllamaProposer({ model: MODEL, host }).identify().catch((e: unknown) => e);
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(err).toBeInstanceOf(ProposerUnavailable);
    expect((err as Error).message).toContain(host);
    expect((err as Error).message).toMatch(/ollama serve.*OLLAMA_HOST/);
  });
});

describe('OllamaProposer.propose', () => {
  it('extracts the scripted function into one candidate with the identity and the raw answer', async () => {
    const s = await serve([{ match: { contains: 'void saxpy(' }, reply: GOOD }]);
    const [c, ...rest] = await new OllamaProposer({ model: MODEL, host: s.url }).propose(request);
    expect(rest).toEqual([]);
    expect(c!.label).toBe('zero-shot#1');
    expect(c!.functionText).toBe(`#include <omp.h>\n\n${REWRITE}\n`);
    expect(c!.rawResponse).toBe(GOOD);
    expect(c!.proposer).toMatchObject({ model: MODEL, modelDigest: DIGEST, strategy: 'zero-shot', templateVersion: TEMPLATE_VERSION });
  });

  it('sends the fixed sampling options and the prompt with the kernel and its spec', async () => {
    const s = await serve([{ reply: GOOD }]);
    await new OllamaProposer({ model: MODEL, host: s.url }).propose(request);
    const body = s.requests.find((r) => r.path === '/api/chat')!.body as {
      options: unknown;
      messages: Array<{ role: string; content: string }>;
    };
    expect(body.options).toEqual({ seed: 42, temperature: 0.2, num_ctx: 8192, num_predict: 2048 });
    const user = body.messages.find((m) => m.role === 'user')!.content;
    expect(user).toContain(SOURCE);
    expect(user).toContain('never alias');
    expect(user).toContain('```c');
  });

  it('parses a non-streamed answer the same way', async () => {
    const s = await serve([{ reply: GOOD }]);
    const [c] = await new OllamaProposer({ model: MODEL, host: s.url, stream: false }).propose(request);
    expect(c!.functionText).toContain('#pragma omp parallel for');
    expect((s.requests.find((r) => r.path === '/api/chat')!.body as { stream: boolean }).stream).toBe(false);
  });

  it('gives no candidate, and the reason, for a prose-only answer', async () => {
    const prose = 'You should add a parallel for pragma to the loop; the iterations are independent.';
    const s = await serve([{ reply: prose }]);
    const p = new OllamaProposer({ model: MODEL, host: s.url });
    expect(await p.propose(request)).toEqual([]);
    const detailed = await p.proposeDetailed(request);
    expect(detailed.rejected).toEqual([{ label: 'zero-shot#1', reason: 'the answer has no fenced code block', rawResponse: prose }]);
  });

  it('passes a wrong answer on as a candidate: judging it is the verifier’s job', async () => {
    const wrong = '```c\nvoid saxpy(int n, float a, const float *x, float *y)\n{\n    #pragma omp parallel for\n    for (int i = 0; i < n - 1; i++) y[i] = a * x[i];\n}\n```';
    const s = await serve([{ reply: wrong }]);
    const [c] = await new OllamaProposer({ model: MODEL, host: s.url }).propose(request);
    expect(c!.functionText).toContain('n - 1');
  });

  it('times out a slow answer with ProposerUnavailable naming the host and the limit', async () => {
    const s = await serve([{ reply: { text: GOOD, delayMs: 10_000 } }]);
    const t0 = Date.now();
    const err = await new OllamaProposer({ model: MODEL, host: s.url, timeoutMs: 400 }).propose(request).catch((e: unknown) => e);
    expect(Date.now() - t0).toBeLessThan(3000);
    expect(err).toBeInstanceOf(ProposerUnavailable);
    expect((err as Error).message).toContain(s.url);
    expect((err as Error).message).toContain('timed out after 400 ms');
    expect(chatCalls()).toBe(1); // a timeout is not retried
  });

  it('times out an answer that starts streaming but then drips too slowly', async () => {
    const s = await serve([{ reply: { text: GOOD, chunkDelayMs: 200 } }]);
    const err = await new OllamaProposer({ model: MODEL, host: s.url, timeoutMs: 500 }).propose(request).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProposerUnavailable);
    expect((err as Error).message).toContain('timed out after 500 ms');
  });

  it('retries once after a 500 and uses the second answer', async () => {
    const s = await serve([{ reply: [{ status: 500, text: 'llama runner crashed' }, GOOD] }]);
    const out = await new OllamaProposer({ model: MODEL, host: s.url }).propose(request);
    expect(out).toHaveLength(1);
    expect(chatCalls()).toBe(2);
  });

  it('gives up with ProposerUnavailable after the retry also fails', async () => {
    const s = await serve([{ reply: { status: 500, text: 'llama runner crashed' } }]);
    const err = await new OllamaProposer({ model: MODEL, host: s.url }).propose(request).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProposerUnavailable);
    expect((err as Error).message).toMatch(/HTTP 500: llama runner crashed/);
    expect(chatCalls()).toBe(2);
  });

  it('retries a connection dropped mid-stream', async () => {
    const s = await serve([{ reply: [{ text: GOOD, hangup: true }, GOOD] }]);
    const out = await new OllamaProposer({ model: MODEL, host: s.url }).propose(request);
    expect(out).toHaveLength(1);
    expect(chatCalls()).toBe(2);
  });

  it('turns a connection dropped twice into ProposerUnavailable', async () => {
    const s = await serve([{ reply: { text: GOOD, hangup: true } }]);
    const err = await new OllamaProposer({ model: MODEL, host: s.url, stream: false }).propose(request).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProposerUnavailable);
    expect((err as Error).message).toContain(s.url);
  });

  it('asks the model once per propose() and the tags once per proposer', async () => {
    const s = await serve([{ reply: GOOD }]);
    const p = new OllamaProposer({ model: MODEL, host: s.url });
    await p.propose(request);
    await p.propose(request);
    expect(chatCalls()).toBe(2);
    expect(s.requests.filter((r) => r.path === '/api/tags')).toHaveLength(1);
  });
});

describe('resolveOllamaHost', () => {
  it('uses the option, then OLLAMA_HOST, then the default, filling in scheme and port', () => {
    const saved = process.env.OLLAMA_HOST;
    try {
      delete process.env.OLLAMA_HOST;
      expect(resolveOllamaHost()).toBe('http://127.0.0.1:11434');
      process.env.OLLAMA_HOST = 'gpu-box';
      expect(resolveOllamaHost()).toBe('http://gpu-box:11434');
      expect(resolveOllamaHost('http://10.0.0.2:8080/')).toBe('http://10.0.0.2:8080');
      expect(resolveOllamaHost(':9999')).toBe('http://127.0.0.1:9999');
    } finally {
      if (saved === undefined) delete process.env.OLLAMA_HOST;
      else process.env.OLLAMA_HOST = saved;
    }
  });
});
