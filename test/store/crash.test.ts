// Crash safety and concurrency of the store, each with real processes and a real nginx:
// 100 processes writing one key (local + remote), kill -9 in the middle of writes, and a
// full disk (a small tmpfs this test mounts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createHash } from 'node:crypto';
import { FsStore } from '../../packages/core/src/store/fs-store.js';
import { TieredStore } from '../../packages/core/src/store/tiered-store.js';
import { HttpRemote } from '../../packages/core/src/store/http-remote.js';
import { nginxMissing, startNginx, type Nginx } from './nginx.js';

const REPO = resolve(__dirname, '../..');
const BUNDLE = join(REPO, 'packages/core/dist/store/tiered-store.js');
const sha = (s: string | Buffer) => createHash('sha256').update(s).digest('hex');
const missing = nginxMissing();
if (missing) throw new Error(`${missing}: the store crash tests need a real nginx`);

let base: string;
let nginx: Nginx;

beforeAll(async () => {
  // Children run the compiled store (`npm test` builds it first; built here if absent).
  if (!existsSync(BUNDLE)) execFileSync(process.execPath, [join(REPO, 'node_modules/typescript/bin/tsc'), '-b', join(REPO, 'packages/core')]);
  base = mkdtempSync(join(tmpdir(), 'autopar-crash-'));
  nginx = await startNginx();
}, 300_000);
afterAll(async () => {
  await nginx?.close();
  rmSync(base, { recursive: true, force: true });
});

const files = (dir: string) => (existsSync(dir) ? readdirSync(dir, { recursive: true, withFileTypes: true }).filter((d) => d.isFile()) : []);

/** A writer process: the real TieredStore, writing `rounds` manifests for KEY once GO exists. */
const WRITER = `
const { TieredStore } = await import(process.env.BUNDLE);
const { existsSync, writeFileSync } = await import('node:fs');
const env = process.env;
const store = new TieredStore({ root: env.ROOT, remote: env.REMOTE ? { url: env.REMOTE, timeoutMs: 20000 } : undefined,
  onWarning: (w) => process.stderr.write('WARN ' + w + '\\n') });
writeFileSync(env.READY, '');
while (!existsSync(env.GO)) await new Promise((r) => setTimeout(r, 10));
for (let i = 0; i < Number(env.ROUNDS); i++) {
  const text = 'variant from writer ' + env.WRITER + ' round ' + i + ' ' + 'x'.repeat(Number(env.PAD ?? 0));
  const digest = await store.putBlob(text);
  await store.putManifest({ schema: 'autopar-manifest-v1', key: env.KEY, keyInputs: JSON.parse(env.INPUTS), kernel: 'race',
    createdAt: new Date().toISOString(), chosen: digest, chosenLabel: 'w' + env.WRITER,
    candidates: [{ label: 'w' + env.WRITER, proposer: { kind: 'test' }, sourceDigest: digest,
      verdict: { accepted: true, stage: 'benchmark', reason: 'ok', stages: [] } }] });
  if (env.PROGRESS) writeFileSync(env.PROGRESS, String(i + 1));
}
await store.close();
`;

function startWriter(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--max-old-space-size=64', '--input-type=module', '-e', WRITER], {
    env: { ...process.env, BUNDLE, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((r) =>
    child.once('exit', (code, signal) => r({ code, signal, stderr })),
  );
  return { child, done };
}

async function until(cond: () => boolean, what: string, ms = 120_000) {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('100 processes writing the same key', () => {
  it('leave one valid entry, locally and on the remote, with no temp files and no warnings', async () => {
    const root = mkdtempSync(join(base, 'race-'));
    const keyInputs = { kernel: 'race', n: 100 };
    const key = sha(JSON.stringify(keyInputs));
    const go = join(root, 'GO');
    const N = 100;
    const writers = Array.from({ length: N }, (_, w) =>
      startWriter({ ROOT: join(root, 'cache'), REMOTE: nginx.url, KEY: key, INPUTS: JSON.stringify(keyInputs), WRITER: String(w), ROUNDS: '3', READY: join(root, `ready.${w}`), GO: go }),
    );
    // Barrier: all 100 are up before any writes, so their writes overlap.
    await until(() => readdirSync(root).filter((f) => f.startsWith('ready.')).length === N, 'the writers to start');
    writeFileSync(go, '');
    const results = await Promise.all(writers.map((w) => w.done));
    for (const r of results) expect(r, r.stderr).toMatchObject({ code: 0 });
    expect(results.map((r) => r.stderr).join('')).toBe('');

    // Local: one manifest, naming one of the writers' blobs, intact.
    const local = new FsStore(join(root, 'cache'));
    const got = await local.getManifest(key, keyInputs);
    expect(got).not.toBeNull();
    const w = got!.chosenLabel!.slice(1);
    expect((await local.getBlob(got!.chosen!))!.toString()).toMatch(new RegExp(`^variant from writer ${w} round \\d `));
    expect(files(join(root, 'cache', 'ac'))).toHaveLength(1);
    expect(files(join(root, 'cache', 'tmp'))).toEqual([]);
    expect((await local.verifyAll()).damaged).toEqual([]);

    // Remote: one manifest that checks out, whose blob is there and intact.
    const remote = new HttpRemote({ url: nginx.url });
    const r = await remote.getEntry(key, keyInputs);
    expect(r).not.toBeNull();
    expect(r!.blobs.get(r!.manifest.chosen!)!.toString()).toContain(`variant from writer ${r!.manifest.chosenLabel!.slice(1)} round`);
    expect(remote.disabled).toBeNull();
    remote.close();
  }, 300_000);
});

describe('kill -9 during writes', () => {
  it('leaves only whole entries (local and remote); a later build reads and cleans up', async () => {
    const root = mkdtempSync(join(base, 'kill-'));
    const cache = join(root, 'cache');
    const keyInputs = { kernel: 'killed' };
    const key = sha(JSON.stringify(keyInputs));
    const progress = join(root, 'progress');
    writeFileSync(join(root, 'GO'), '');
    // Big blobs (4 MiB each) so a kill lands inside a write or an upload most of the time.
    const w = startWriter({ ROOT: cache, REMOTE: nginx.url, KEY: key, INPUTS: JSON.stringify(keyInputs), WRITER: '0', ROUNDS: '1000', PAD: String(4 << 20), READY: join(root, 'ready'), GO: join(root, 'GO'), PROGRESS: progress });
    await until(() => existsSync(progress) && Number(readFileSync(progress, 'utf8')) >= 3, 'three complete writes');
    // Kill as soon as a temp file exists: a local write is in progress right now.
    await until(() => files(join(cache, 'tmp')).length > 0, 'a write in progress', 30_000);
    w.child.kill('SIGKILL');
    const r = await w.done;
    expect(r.signal).toBe('SIGKILL');

    const store = new FsStore(cache);
    // Every file in ac/ and cas/ is whole: nothing damaged, nothing to quarantine.
    expect((await store.verifyAll()).damaged).toEqual([]);
    const got = await store.getManifest(key, keyInputs);
    expect(got).not.toBeNull();
    expect((await store.getBlob(got!.chosen!))!.length).toBeGreaterThan(4 << 20);
    // The dead writer's temp file is removed by the next eviction once it is stale.
    const tmp = files(join(cache, 'tmp'));
    expect(tmp.length).toBeGreaterThan(0);
    const old = new Date(Date.now() - 2 * 3600_000);
    for (const t of tmp) spawnSync('touch', ['-d', old.toISOString(), join(t.parentPath, t.name)]);
    await store.evict(1 << 40);
    expect(files(join(cache, 'tmp'))).toEqual([]);

    // Remote: nginx stores a PUT body only when it is complete, so what is there checks out.
    const remote = new HttpRemote({ url: nginx.url });
    const entry = await remote.getEntry(key, keyInputs);
    expect(remote.disabled).toBeNull();
    expect(entry).not.toBeNull();
    for (const f of files(join(nginx.dataDir, 'cas'))) {
      expect(sha(readFileSync(join(f.parentPath, f.name)))).toBe(f.name);
    }
    remote.close();
  }, 300_000);
});

describe('a full disk', () => {
  let mnt: string | null = null;
  let why = '';
  beforeAll(() => {
    const dir = mkdtempSync(join(base, 'tmpfs-'));
    const r = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', dir], { encoding: 'utf8' });
    if (r.status === 0) mnt = dir;
    else why = `cannot mount a tmpfs (${(r.stderr || r.error?.message || '').trim()}); needs root or CAP_SYS_ADMIN`;
  });
  afterAll(() => {
    if (mnt) spawnSync('umount', [mnt]);
  });

  it('ENOSPC: puts warn once and do not throw, nothing partial is left, what was stored stays readable; remote writes go on', async (t) => {
    if (!mnt) t.skip(why);
    const warnings: string[] = [];
    const store = new TieredStore({ root: join(mnt!, 'cache'), remote: { url: nginx.url }, onWarning: (w) => warnings.push(w) });
    const written: Array<{ key: string; keyInputs: unknown }> = [];
    for (let i = 0; i < 40; i++) {
      const keyInputs = { kernel: 'full', i, salt: Math.random() };
      const key = sha(JSON.stringify(keyInputs));
      const digest = await store.putBlob(`blob ${i} ${'y'.repeat(100_000)}`);
      await store.putManifest({ schema: 'autopar-manifest-v1', key, keyInputs, kernel: 'full', createdAt: 'now', chosen: digest, chosenLabel: 'a',
        candidates: [{ label: 'a', proposer: { kind: 'test' }, sourceDigest: digest, verdict: { accepted: true, stage: 'benchmark', reason: 'ok', stages: [] } }] });
      written.push({ key, keyInputs });
    }
    expect(store.counters().writeErrors).toBeGreaterThan(0);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/ENOSPC.*without caching/);
    expect(files(join(mnt!, 'cache', 'tmp'))).toEqual([]);
    const local = new FsStore(join(mnt!, 'cache'));
    expect((await local.verifyAll()).damaged).toEqual([]);
    let localHits = 0;
    for (const w of written) if (await local.getManifest(w.key, w.keyInputs)) localHits++;
    expect(localHits).toBeGreaterThan(0);
    expect(localHits).toBeLessThan(written.length);
    // The remote got every entry (its blobs come from memory, not the full disk).
    const reader = new TieredStore({ root: mkdtempSync(join(base, 'reader-')), remote: { url: nginx.url } });
    for (const w of written) expect((await reader.lookup(w.key, w.keyInputs))?.origin).toBe('remote');
  }, 120_000);
});
