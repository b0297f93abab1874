// Two builds of one project at once, one store: both succeed, and the store ends with
// one valid manifest per key and no leftover temp files.
import { afterEach, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildProject } from '../../packages/core/src/pipeline/build.js';
import { decodeManifest } from '../../packages/core/src/store/fs-store.js';
import { startScriptedOllama } from '../../tools/scripted-ollama/server.mjs';
import { buildOptions, fenced, GOOD_VARIANT, listFiles, makeProject, manifests, modelScript, type TempProject } from './project.js';

let p: TempProject | undefined;
afterEach(() => {
  p?.dispose();
  p = undefined;
});

it('concurrent buildProject calls sharing a cacheDir both succeed; one valid manifest per key', async () => {
  p = makeProject();
  const srv = await startScriptedOllama({ script: modelScript(fenced(GOOD_VARIANT)) as never, port: 0 });
  try {
    // Three at once: before each build verified in a work dir of its own, they built and ran
    // the original in one shared folder (ETXTBSY, half-linked binaries, "fix the spec or the kernel").
    const a = buildOptions(p, { proposer: 'ollama', ollamaHost: srv.url, outputPath: p.out('a') });
    const b = buildOptions(p, { proposer: 'ollama', ollamaHost: srv.url, outputPath: p.out('b') });
    const b2 = buildOptions(p, { proposer: 'ollama', ollamaHost: srv.url, outputPath: p.out('b2') });
    const [ra, rb, rb2] = await Promise.all([buildProject(a), buildProject(b), buildProject(b2)]);
    for (const r of [ra, rb, rb2]) {
      expect(r.kernels[0]!.outcome).toBe('generated');
      expect(existsSync(r.artifact)).toBe(true);
      expect(readFileSync(join(r.artifact, '..', 'autopar-src/kern.c'), 'utf8')).toContain('#pragma omp parallel for');
    }
    expect(ra.kernels[0]!.key).toBe(rb.kernels[0]!.key);
    expect(rb2.kernels[0]!.key).toBe(rb.kernels[0]!.key);
    const all = manifests(p.cacheDir);
    expect(all).toHaveLength(1);
    const m = decodeManifest(readFileSync(all[0]!));
    expect('manifest' in m && m.manifest.key).toBe(ra.kernels[0]!.key);
    expect(listFiles(join(p.cacheDir, 'tmp'))).toEqual([]);
    expect(listFiles(join(p.cacheDir, 'quarantine'))).toEqual([]);
    expect([...a.lines, ...b.lines, ...b2.lines].filter((l) => l.startsWith('warning:'))).toEqual([]);
    // Verification scratch is removed when a build is done with it.
    expect(listFiles(join(p.cacheDir, 'work'))).toEqual([]);

    // A third build finds it.
    const c = await buildProject(buildOptions(p, { proposer: 'ollama', ollamaHost: srv.url, outputPath: p.out('c') }));
    expect(c.kernels[0]!.outcome).toBe('cache-hit');
  } finally {
    await srv.close();
  }
});
