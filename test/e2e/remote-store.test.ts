// Two "machines" share a store: two separate temp Nx workspaces, each with its own local
// cache folder, both pointed at one real nginx (WebDAV PUT) on loopback through
// AUTOPAR_REMOTE_CACHE. The scripted Ollama-protocol server counts proposer calls.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createWorkspace, REPO, type TempWorkspace } from './workspace.js';
import { startScriptedOllama } from '../../tools/scripted-ollama/server.mjs';
import { nginxMissing, startNginx, type Nginx } from '../store/nginx.js';
import { HttpRemote } from '../../packages/core/src/store/http-remote.js';

const FIXTURE = join(REPO, 'test/fixtures/demo');
const SCRIPT = JSON.parse(readFileSync(join(REPO, 'test/fixtures/models/demo-script.json'), 'utf8'));
const missing = nginxMissing();
if (missing) throw new Error(`${missing}: the shared-store e2e needs a real nginx`);

let nginx: Nginx;
let server: { url: string; close(): Promise<void>; requests: Array<{ path: string }> };
let a: TempWorkspace;
let b: TempWorkspace;

const modelCalls = () => server.requests.filter((r) => r.path === '/api/chat' || r.path === '/api/generate').length;
const remoteWarnings = (out: string) => out.split('\n').filter((l) => /remote .* is unusable/.test(l));

async function build(ws: TempWorkspace, env: Record<string, string> = {}, expectExit = 0) {
  const before = modelCalls();
  const r = await ws.nx(['build', 'demo', '--skip-nx-cache', '--outputStyle=static'], { OLLAMA_HOST: server.url, AUTOPAR_REMOTE_CACHE: nginx.url, ...env });
  if (r.exitCode !== expectExit) throw new Error(`nx build exited ${r.exitCode}, expected ${expectExit}:\n${r.output}`);
  return { calls: modelCalls() - before, output: r.output };
}

type Report = ReturnType<TempWorkspace['report']> & {
  kernels: Array<{ storeOrigin?: string; recheck?: { accepted: boolean; stages: Array<{ stage: string }> } }>;
  missed?: string[];
  regressionGate?: { failed: boolean; lost: Array<{ kernel: string; cause: string }> };
};
const report = (ws: TempWorkspace) => ws.report('demo') as Report;
const kernel = (ws: TempWorkspace, k: string) => report(ws).kernels.find((x) => x.kernel === k)!;

beforeAll(async () => {
  nginx = await startNginx();
  server = await startScriptedOllama({ script: SCRIPT, port: 0 });
  a = createWorkspace({ demo: FIXTURE });
  b = createWorkspace({ demo: FIXTURE });
});

afterAll(async () => {
  await nginx?.close();
  await server?.close();
  a?.dispose();
  b?.dispose();
});

describe('two machines share an nginx remote', () => {
  it('machine A builds, verifies and writes the remote', async () => {
    const { calls } = await build(a);
    expect(calls).toBe(2);
    expect(kernel(a, 'wave').outcome).toBe('generated');
    expect(readdirSync(join(nginx.dataDir, 'ac'))).toHaveLength(2);
    expect(readdirSync(join(nginx.dataDir, 'cas')).length).toBeGreaterThanOrEqual(2);
  });

  it('machine B links the same variants with zero proposer calls, each remote hit re-checked, and keeps them locally', async () => {
    expect(existsSync(join(b.root, '.autopar/cache/ac'))).toBe(false); // a machine that never built
    const { calls, output } = await build(b);
    expect(calls).toBe(0);
    const wave = kernel(b, 'wave');
    expect(wave.outcome).toBe('cache-hit');
    expect(wave.storeOrigin).toBe('remote');
    expect(wave.chosen?.label).toBe(kernel(a, 'wave').chosen?.label);
    expect(wave.recheck?.accepted).toBe(true);
    expect(wave.recheck?.stages.map((s) => s.stage)).toEqual(expect.arrayContaining(['static-gate', 'compile', 'differential']));
    expect(wave.reason).toMatch(/remote, re-checked/);
    expect(kernel(b, 'prefix').outcome).toBe('cache-hit');
    expect(kernel(b, 'prefix').chosen).toBeNull();
    // Same spliced source as machine A.
    expect(b.read('dist/kernels/demo/autopar-src/kern.c')).toBe(a.read('dist/kernels/demo/autopar-src/kern.c'));
    expect(output).toMatch(/remote hit .*re-checking before linking/);
    expect(remoteWarnings(output)).toEqual([]);
    // Copied into B's own store: the next build is a local hit.
    await build(b);
    expect(kernel(b, 'wave').storeOrigin).toBe('local');
    expect(kernel(b, 'wave').recheck).toBeUndefined();
  });

  it('with the remote stopped, B (fresh local cache) still builds, and says so once', async () => {
    await nginx.stop();
    try {
      const { calls, output } = await build(b, { AUTOPAR_CACHE_DIR: mkdtempSync(join(tmpdir(), 'autopar-b-cache-')) });
      expect(remoteWarnings(output)).toHaveLength(1);
      expect(remoteWarnings(output)[0]).toMatch(/local store only/);
      // It proposed and verified on its own, as a machine without any store would.
      expect(calls).toBe(2);
      expect(kernel(b, 'wave').outcome).toBe('generated');
    } finally {
      await nginx.start();
    }
  });

  it('--no-generate (AUTOPAR_NO_GENERATE=1) with the remote stopped: no model call, the originals, the misses listed, one warning', async () => {
    await nginx.stop();
    try {
      const { calls, output } = await build(b, { AUTOPAR_CACHE_DIR: mkdtempSync(join(tmpdir(), 'autopar-b-cache-')), AUTOPAR_NO_GENERATE: '1' });
      expect(calls).toBe(0);
      expect(remoteWarnings(output)).toHaveLength(1);
      expect(report(b).missed).toEqual(['wave', 'prefix']);
      expect(output).toMatch(/no-generate: 2 kernel\(s\) missed the store and keep the original: wave, prefix/);
      expect(kernel(b, 'wave').outcome).toBe('original');
    } finally {
      await nginx.start();
    }
  });

  it('a poisoned remote entry (right key, wrong variant) is refused by the re-check; trusted, it would be linked', async () => {
    const wave = kernel(a, 'wave');
    const remote = new HttpRemote({ url: nginx.url });
    const key = wave.key;
    const original = (await remote.getEntry(key, JSON.parse(JSON.stringify(await keyInputsOf(key)))))!;
    const chosen = original.manifest.chosen!;
    const wrong = original.blobs.get(chosen)!.toString().replace('r * 0.125', 'r * 0.25');
    expect(wrong).not.toBe(original.blobs.get(chosen)!.toString());
    await remote.putBlob(Buffer.from(wrong));
    const { createHash } = await import('node:crypto');
    const wrongDigest = createHash('sha256').update(wrong).digest('hex');
    const poisoned = {
      ...original.manifest,
      chosen: wrongDigest,
      candidates: original.manifest.candidates.map((c) => (c.sourceDigest === chosen ? { ...c, sourceDigest: wrongDigest } : c)),
    };
    await remote.putManifest(poisoned);
    remote.close();

    const fresh = () => mkdtempSync(join(tmpdir(), 'autopar-b-cache-'));
    const refused = await build(b, { AUTOPAR_CACHE_DIR: fresh(), AUTOPAR_NO_GENERATE: '1' });
    expect(refused.output).toMatch(/wave: the remote's variant .* failed the re-check \(differential/);
    expect(kernel(b, 'wave').outcome).toBe('original');
    expect(b.read('dist/kernels/demo/autopar-src/kern.c')).not.toContain('r * 0.25');

    // Marked trusted (only for a remote only CI can write): linked without a check. This is why.
    await build(b, { AUTOPAR_CACHE_DIR: fresh(), AUTOPAR_NO_GENERATE: '1', AUTOPAR_REMOTE_CACHE_TRUSTED: '1' });
    expect(kernel(b, 'wave').reason).toMatch(/remote, trusted/);
    expect(b.read('dist/kernels/demo/autopar-src/kern.c')).toContain('r * 0.25');

    // Put the honest entry back for the tests that follow.
    const honest = new HttpRemote({ url: nginx.url });
    await honest.putManifest(original.manifest);
    honest.close();
  });

  it('the regression gate fails the build (artifact and report written) when a kernel lost the variant it had on main', async () => {
    // main's report, as CI keeps it; in it `prefix` had a verified variant, which the store now says it has not.
    const baseline = JSON.parse(a.read('dist/kernels/demo/autopar-report.json'));
    baseline.kernels.find((k: { kernel: string }) => k.kernel === 'prefix').chosen = { label: 'main#1' };
    const file = join(b.root, 'main-report.json');
    writeFileSync(file, JSON.stringify(baseline));
    const { output } = await build(b, { AUTOPAR_CACHE_DIR: mkdtempSync(join(tmpdir(), 'autopar-b-cache-')), AUTOPAR_NO_GENERATE: '1', AUTOPAR_REGRESSION_BASELINE: file }, 1);
    expect(output).toMatch(/regression gate: 1 kernel\(s\) lost .*prefix \(had main#1/);
    expect(report(b).regressionGate).toMatchObject({ failed: true, lost: [{ kernel: 'prefix', cause: 'verdict' }] });
    expect(existsSync(join(b.root, 'dist/kernels/demo/demo'))).toBe(true);

    // The same baseline with only `wave` (still linked): the gate passes.
    baseline.kernels.find((k: { kernel: string }) => k.kernel === 'prefix').chosen = null;
    writeFileSync(file, JSON.stringify(baseline));
    await build(b, { AUTOPAR_NO_GENERATE: '1', AUTOPAR_REGRESSION_BASELINE: file });
    expect(report(b).regressionGate).toMatchObject({ failed: false, lost: [] });
  });
});

/** The key inputs machine A recorded for `key` (from its local store). */
async function keyInputsOf(key: string): Promise<unknown> {
  const file = join(a.root, '.autopar/cache/ac', key.slice(0, 2), key);
  const { decodeManifest } = await import('../../packages/core/src/store/fs-store.js');
  const d = decodeManifest(readFileSync(file));
  if ('error' in d) throw new Error(d.error);
  return d.manifest.keyInputs;
}
