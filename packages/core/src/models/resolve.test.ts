// Model resolution without downloads: GGUF paths, a fake Ollama store laid out as
// Ollama lays it out, catalog names (installed or not), and the errors for each miss.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { listModels, locateModel, pullCommand } from './resolve.js';
import { manifestParts } from './ollama-store.js';
import { ggufDigest, modelsDir } from './folder.js';

let root: string;
const sha = (b: string) => createHash('sha256').update(b).digest('hex');

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'autopar-models-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

/** An Ollama store with one model: manifests/<registry>/<ns>/<model>/<tag> → blobs/sha256-<hex>. */
function fakeOllamaStore(ref: string, content: string, opts: { dropBlob?: boolean; noModelLayer?: boolean } = {}): string {
  const store = join(root, 'ollama');
  const digest = sha(content);
  const parts = manifestParts(ref)!;
  mkdirSync(join(store, 'manifests', ...parts.slice(0, -1)), { recursive: true });
  mkdirSync(join(store, 'blobs'), { recursive: true });
  if (!opts.dropBlob) writeFileSync(join(store, 'blobs', `sha256-${digest}`), content);
  writeFileSync(join(store, 'blobs', `sha256-${sha('{}')}`), '{}');
  const layers = [
    { mediaType: 'application/vnd.ollama.image.template', digest: `sha256:${sha('{}')}`, size: 2 },
    ...(opts.noModelLayer ? [] : [{ mediaType: 'application/vnd.ollama.image.model', digest: `sha256:${digest}`, size: content.length }]),
  ];
  writeFileSync(join(store, 'manifests', ...parts), JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.docker.distribution.manifest.v2+json', layers }));
  return store;
}

describe('locateModel', () => {
  it('takes a GGUF path as is and hashes the file (sidecar reused while the file is unchanged)', async () => {
    const f = join(root, 'tiny.gguf');
    writeFileSync(f, 'GGUF fake weights');
    const m = await locateModel(f, { modelsDir: join(root, 'models') });
    expect(m).toMatchObject({ source: 'path', path: f, sha256: sha('GGUF fake weights') });
    writeFileSync(`${f}.sha256.json`, JSON.stringify({ sha256: 'f'.repeat(64), size: 1, mtimeMs: 0 }));
    expect(await ggufDigest(f)).toBe(sha('GGUF fake weights')); // stale sidecar (size differs): hashed again
  });

  it('says which file is missing for a GGUF path', async () => {
    await expect(locateModel(join(root, 'nope.gguf'))).rejects.toThrow(/model file .*nope\.gguf does not exist/);
  });

  it("finds a model in Ollama's store (gemma3:1b → library/gemma3/1b → blob) with no server", async () => {
    const store = fakeOllamaStore('gemma3:1b', 'gemma weights');
    const m = await locateModel('gemma3:1b', { ollamaRoot: store, modelsDir: join(root, 'models') });
    expect(m).toMatchObject({ source: 'ollama-store', sha256: sha('gemma weights') });
    expect(m.path).toBe(join(store, 'blobs', `sha256-${sha('gemma weights')}`));
    // A bare name is the :latest tag; a user namespace keeps its own folder.
    expect(manifestParts('qwen2.5')).toEqual(['registry.ollama.ai', 'library', 'qwen2.5', 'latest']);
    expect(manifestParts('me/tiny:q4')).toEqual(['registry.ollama.ai', 'me', 'tiny', 'q4']);
  });

  it('names the broken manifest when its blob is missing or it has no model layer', async () => {
    const missing = fakeOllamaStore('gemma3:1b', 'x', { dropBlob: true });
    await expect(locateModel('gemma3:1b', { ollamaRoot: missing })).rejects.toThrow(/names blob .* which is missing; run `ollama pull gemma3:1b`/);
    rmSync(join(root, 'ollama'), { recursive: true });
    const noLayer = fakeOllamaStore('gemma3:1b', 'x', { noModelLayer: true });
    await expect(locateModel('gemma3:1b', { ollamaRoot: noLayer })).rejects.toThrow(/has no model layer/);
  });

  it('a catalog name that is not installed: the error gives the command that fetches it', async () => {
    const err = await locateModel('smollm2-135m', { modelsDir: join(root, 'models'), ollamaRoot: join(root, 'none') }).catch((e: Error) => e);
    expect((err as Error).message).toContain('model smollm2-135m is not installed');
    expect((err as Error).message).toContain(pullCommand('smollm2-135m'));
  });

  it('a catalog file whose sha256 is not the published one is refused', async () => {
    const dir = join(root, 'models');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'SmolLM2-135M-Instruct.Q4_1.gguf'), 'not the real weights');
    await expect(locateModel('smollm2-135m', { modelsDir: dir, ollamaRoot: join(root, 'none') })).rejects.toThrow(/not the published b179c952/);
  });

  it('an unknown name lists where it looked', async () => {
    await expect(locateModel('no-such-model', { modelsDir: join(root, 'models'), ollamaRoot: join(root, 'none') })).rejects.toThrow(
      /unknown model 'no-such-model': not a GGUF path, not in Ollama's store .* not an hf: URI, and not one of smollm2-135m, gemma3-270m/,
    );
  });
});

describe('models folder and list', () => {
  it('defaults to the user cache folder, AUTOPAR_MODELS_DIR overrides it', () => {
    const saved = { dir: process.env.AUTOPAR_MODELS_DIR, xdg: process.env.XDG_CACHE_HOME };
    try {
      delete process.env.AUTOPAR_MODELS_DIR;
      process.env.XDG_CACHE_HOME = join(root, 'cache');
      expect(modelsDir()).toBe(join(root, 'cache', 'autopar', 'models'));
      process.env.AUTOPAR_MODELS_DIR = join(root, 'elsewhere');
      expect(modelsDir()).toBe(join(root, 'elsewhere'));
      expect(modelsDir(join(root, 'explicit'))).toBe(join(root, 'explicit'));
    } finally {
      for (const [k, v] of [['AUTOPAR_MODELS_DIR', saved.dir], ['XDG_CACHE_HOME', saved.xdg]] as const) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  });

  it('lists the catalog (not installed) and other GGUF files in the folder', () => {
    const dir = join(root, 'models');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'mine.gguf'), 'x');
    const list = listModels({ modelsDir: dir });
    expect(list.map((m) => [m.name, m.installed])).toEqual([
      ['smollm2-135m', false],
      ['gemma3-270m', false],
      [join(dir, 'mine.gguf'), true],
    ]);
  });
});
