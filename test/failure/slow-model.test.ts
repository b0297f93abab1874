// A model that answers after the request timeout: the build goes on with the original,
// says why, and caches nothing for that kernel, so the next build asks again.
import { afterEach, expect, it } from 'vitest';
import { buildProject } from '../../packages/core/src/pipeline/build.js';
import { startScriptedOllama } from '../../tools/scripted-ollama/server.mjs';
import { buildOptions, fenced, GOOD_VARIANT, makeProject, manifests, modelScript, type TempProject } from './project.js';

let p: TempProject | undefined;
afterEach(() => {
  p?.dispose();
  p = undefined;
});

it('a reply slower than requestTimeoutMs: original linked, reason says timed out, nothing cached, next build asks again', async () => {
  p = makeProject();
  // First request: answers after 8 s (beyond the 1 s limit). Later requests: at once.
  const srv = await startScriptedOllama({
    script: modelScript([{ text: fenced(GOOD_VARIANT), delayMs: 8_000 }, fenced(GOOD_VARIANT)]) as never,
    port: 0,
  });
  const chats = () => srv.requests.filter((r) => r.path === '/api/chat' || r.path === '/api/generate').length;
  try {
    const started = Date.now();
    const first = await buildProject(buildOptions(p, { proposer: 'ollama', ollamaHost: srv.url, requestTimeoutMs: 1_000 }));
    expect(Date.now() - started).toBeLessThan(7_000);
    const k = first.kernels[0]!;
    expect(k.outcome).toBe('original');
    expect(k.reason).toMatch(/timed out after 1000 ms/);
    expect(k.reason).toMatch(/original kept/);
    expect(chats()).toBe(1);
    expect(manifests(p.cacheDir)).toEqual([]);

    const second = await buildProject(buildOptions(p, { proposer: 'ollama', ollamaHost: srv.url, requestTimeoutMs: 1_000, outputPath: p.out('second') }));
    expect(chats()).toBe(2);
    expect(second.kernels[0]!.outcome).toBe('generated');
    expect(manifests(p.cacheDir)).toHaveLength(1);
  } finally {
    await srv.close();
  }
});
