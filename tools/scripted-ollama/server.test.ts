// The scripted Ollama-protocol server speaks the wire format the `ollama` client
// expects, and drives as a separate process for demos.
import { afterEach, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startScriptedOllama, type ScriptedOllama } from './server.mjs';

const SERVER = fileURLToPath(new URL('./server.mjs', import.meta.url));
const DIGEST = 'a'.repeat(64);
const SCRIPT = {
  models: [{ name: 'qwen2.5:1.5b', digest: DIGEST }, { name: 'gemma3:latest' }],
  rules: [
    { match: { contains: 'boom' }, reply: { status: 500, text: 'scripted failure' } },
    { match: { model: 'gemma3' }, reply: 'from the gemma rule' },
  ],
  default: 'hello from the script',
};

let srv: ScriptedOllama | null = null;
afterEach(async () => {
  await srv?.close();
  srv = null;
});

// Response bodies are whatever the test expects them to be.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const json = async (res: Response | Promise<Response>): Promise<any> => (await res).json();

const post = (path: string, body: unknown) =>
  fetch(`${srv!.url}${path}`, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });

describe('scripted-ollama', () => {
  it('lists models as /api/tags does, with digests, and marks itself as scripted', async () => {
    srv = await startScriptedOllama({ script: SCRIPT });
    const res = await fetch(`${srv.url}/api/tags`);
    expect(res.headers.get('x-autopar-scripted')).toBe('1');
    const { models } = await json(res);
    expect(models[0]).toMatchObject({ name: 'qwen2.5:1.5b', model: 'qwen2.5:1.5b', digest: DIGEST, details: { family: 'scripted' } });
    expect(models[1].digest).toMatch(/^[0-9a-f]{64}$/);
    expect(await json(fetch(`${srv.url}/api/version`))).toEqual({ version: '0.0.0-scripted' });
  });

  it('streams a chat answer as NDJSON ending with a done chunk', async () => {
    srv = await startScriptedOllama({ script: SCRIPT });
    const res = await post('/api/chat', { model: 'qwen2.5:1.5b', messages: [{ role: 'user', content: 'hi' }] });
    expect(res.headers.get('content-type')).toBe('application/x-ndjson');
    const lines = (await res.text()).trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => l.message.content).join('')).toBe('hello from the script');
    expect(lines.at(-1)).toMatchObject({ done: true, done_reason: 'stop', eval_count: 4 });
    expect(lines.slice(0, -1).every((l) => l.done === false)).toBe(true);
  });

  it('answers stream:false with one JSON object, for chat and generate', async () => {
    srv = await startScriptedOllama({ script: SCRIPT });
    const chat = await json(post('/api/chat', { model: 'gemma3', stream: false, messages: [{ role: 'user', content: 'x' }] }));
    expect(chat).toMatchObject({ done: true, message: { role: 'assistant', content: 'from the gemma rule' } });
    const gen = await json(post('/api/generate', { model: 'qwen2.5:1.5b', stream: false, prompt: 'x' }));
    expect(gen).toMatchObject({ done: true, response: 'hello from the script', context: [] });
  });

  it('answers 404 with an error for a model it does not have', async () => {
    srv = await startScriptedOllama({ script: SCRIPT });
    const res = await post('/api/chat', { model: 'llama3.2:1b', messages: [] });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: "model 'llama3.2:1b' not found" });
    expect((await post('/api/show', { model: 'llama3.2:1b' })).status).toBe(404);
    expect((await json(post('/api/show', { model: 'qwen2.5:1.5b' }))).details.family).toBe('scripted');
  });

  it('plays scripted status codes and reply lists in order', async () => {
    srv = await startScriptedOllama({ script: { ...SCRIPT, rules: [{ match: {}, reply: [{ status: 503 }, 'second', 'third'] }] } });
    const ask = () => post('/api/generate', { model: 'qwen2.5:1.5b', stream: false, prompt: 'x' });
    expect((await ask()).status).toBe(503);
    expect((await json(ask())).response).toBe('second');
    expect((await json(ask())).response).toBe('third');
    expect((await json(ask())).response).toBe('third');
  });

  it('records requests, serves them at /_autopar/requests and clears them on reset', async () => {
    srv = await startScriptedOllama({ script: SCRIPT });
    await (await post('/api/chat', { model: 'qwen2.5:1.5b', stream: false, messages: [{ role: 'user', content: 'boom' }] })).text();
    const recorded = await json(fetch(`${srv.url}/_autopar/requests`));
    expect(recorded).toEqual([{ method: 'POST', path: '/api/chat', body: expect.objectContaining({ model: 'qwen2.5:1.5b' }) }]);
    expect(srv.requests).toHaveLength(1);
    await post('/_autopar/reset', {});
    expect(srv.requests).toHaveLength(0);
  });

  it('refuses to bind anything but loopback', async () => {
    await expect(startScriptedOllama({ script: SCRIPT, host: '0.0.0.0' as never })).rejects.toThrow(/loopback only/);
  });

  it('runs as a process: prints its URL and exits when stdin closes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'scripted-ollama-'));
    try {
      const file = join(dir, 'script.json');
      writeFileSync(file, JSON.stringify(SCRIPT));
      const p = spawn(process.execPath, [SERVER, '--script', file, '--port', '0', '--exit-on-stdin-close', '--max-seconds', '60'], {
        stdio: ['pipe', 'pipe', 'inherit'],
      });
      const [line] = (await once(p.stdout!, 'data')) as [Buffer];
      const url = /^listening (http:\/\/127\.0\.0\.1:\d+)$/m.exec(line.toString())![1]!;
      expect((await json(fetch(`${url}/api/tags`))).models).toHaveLength(2);
      p.stdin!.end();
      const [code] = await once(p, 'exit');
      expect(code).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
