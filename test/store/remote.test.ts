// The HTTP remote and the tiered store against a real nginx (WebDAV PUT) on loopback:
// round trips in the bazel-remote layout, auth, TLS with a CA file, bounded retries,
// time-outs, and every way a remote can be wrong or gone — each a miss plus ONE warning,
// never an error and never a wrong answer.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { HttpRemote, remoteAuthFromEnv } from '../../packages/core/src/store/http-remote.js';
import { TieredStore } from '../../packages/core/src/store/tiered-store.js';
import { encodeManifest } from '../../packages/core/src/store/fs-store.js';
import type { Manifest } from '../../packages/core/src/store/types.js';
import { nginxMissing, startNginx, type Nginx } from './nginx.js';

const sha = (s: string | Buffer) => createHash('sha256').update(s).digest('hex');
const missing = nginxMissing();
if (missing) throw new Error(`${missing}: the remote-store tests need a real nginx`);

let base: string;
let nginx: Nginx;
let warnings: string[];

beforeAll(async () => {
  base = mkdtempSync(join(tmpdir(), 'autopar-remote-'));
  nginx = await startNginx();
});
afterAll(async () => {
  await nginx?.close();
  rmSync(base, { recursive: true, force: true });
});
beforeEach(() => {
  warnings = [];
});

let n = 0;
function entry(name = `k${n++}`, variant = `void ${name}(float *x) { /* parallel ${Math.random()} */ }`) {
  const keyInputs = { schema: 'test', kernel: name, salt: Math.random() };
  const key = sha(JSON.stringify(keyInputs));
  const digest = sha(variant);
  const manifest: Manifest = {
    schema: 'autopar-manifest-v1',
    key,
    keyInputs,
    kernel: name,
    createdAt: '2025-01-01T00:00:00Z',
    candidates: [{ label: 'zero-shot#1', proposer: { kind: 'test' }, sourceDigest: digest, verdict: { accepted: true, stage: 'benchmark', reason: 'ok', stages: [] } }],
    chosen: digest,
    chosenLabel: 'zero-shot#1',
  };
  return { key, keyInputs, digest, variant, manifest };
}

/** A store as a build makes it: its own local folder (one "machine"), the shared remote. */
function machine(remote: Partial<ConstructorParameters<typeof HttpRemote>[0]> = {}, url = nginx.url) {
  return new TieredStore({
    root: mkdtempSync(join(base, 'local-')),
    remote: { url, timeoutMs: 3000, ...remote },
    onWarning: (w) => warnings.push(w),
  });
}

async function publish(e: ReturnType<typeof entry>, store = machine()) {
  await store.putBlob(e.variant);
  await store.putManifest(e.manifest);
  return store;
}

const accessLog = () => readFileSync(nginx.accessLog, 'utf8');

describe('remote round trip (bazel-remote layout on a WebDAV server)', () => {
  it('a write-through put lands at /ac/<key> and /cas/<sha256>; another machine hits it and copies it locally', async () => {
    const e = entry();
    await publish(e);
    expect(readFileSync(join(nginx.dataDir, 'cas', e.digest), 'utf8')).toBe(e.variant);
    expect(readFileSync(join(nginx.dataDir, 'ac', e.key)).equals(encodeManifest(e.manifest))).toBe(true);

    const other = machine();
    const hit = await other.lookup(e.key, e.keyInputs);
    expect(hit?.origin).toBe('remote');
    expect(hit?.manifest).toEqual(e.manifest);
    expect((await other.getBlob(e.digest))?.toString()).toBe(e.variant);
    // Not local until adopted (the caller re-checks first).
    expect(await other.local.getManifest(e.key, e.keyInputs)).toBeNull();
    await other.adopt(hit!);
    expect(await other.local.getManifest(e.key, e.keyInputs)).toEqual(e.manifest);
    const again = await other.lookup(e.key, e.keyInputs);
    expect(again?.origin).toBe('local');
    expect(other.counters()).toMatchObject({ remoteHits: 1, localHits: 1, remoteErrors: 0 });
    expect(warnings).toEqual([]);
  });

  it('HEAD first: a blob the remote has is not uploaded again', async () => {
    const e = entry();
    await publish(e);
    const second = machine();
    await publish(e, second);
    expect(second.remote!.counters.uploads).toBe(1); // the manifest only
  });

  it('a manifest recorded for other key inputs is a miss', async () => {
    const e = entry();
    await publish(e);
    expect(await machine().lookup(e.key, { ...e.keyInputs, salt: 'other' })).toBeNull();
    expect(warnings).toEqual([]);
  });

  it('an absent key is a quiet miss (404 is not an error)', async () => {
    const s = machine();
    expect(await s.lookup(sha('absent'), {})).toBeNull();
    expect(s.remote!.disabled).toBeNull();
    expect(s.counters()).toMatchObject({ misses: 1, remoteErrors: 0 });
  });

  it('read-only (--store-readonly): reads hit, nothing is PUT', async () => {
    const e = entry();
    const before = (accessLog().match(/"PUT /g) ?? []).length;
    await publish(e, machine({ readOnly: true }));
    expect((accessLog().match(/"PUT /g) ?? []).length).toBe(before);
    expect(existsSync(join(nginx.dataDir, 'ac', e.key))).toBe(false);
  });
});

describe('a remote that is wrong: a miss, one warning, the remote off for the build', () => {
  it('a remote that returns a different blob for a digest', async () => {
    const e = entry();
    await publish(e);
    writeFileSync(join(nginx.dataDir, 'cas', e.digest), e.variant.replace('parallel', 'evil'));
    const s = machine();
    expect(await s.lookup(e.key, e.keyInputs)).toBeNull();
    expect(s.counters()).toMatchObject({ corrupt: 1, remoteHits: 0 });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/does not match its digest.*local store only/);
    // Off for the rest of the build: a good entry is not fetched from a server that lied.
    const good = entry();
    await publish(good, machine());
    expect(await s.lookup(good.key, good.keyInputs)).toBeNull();
    expect(warnings).toHaveLength(1);
  });

  it('a corrupt remote manifest (a flipped byte)', async () => {
    const e = entry();
    await publish(e);
    const file = join(nginx.dataDir, 'ac', e.key);
    const bytes = readFileSync(file);
    bytes[bytes.length - 5] ^= 1;
    writeFileSync(file, bytes);
    const s = machine();
    expect(await s.lookup(e.key, e.keyInputs)).toBeNull();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/checksum mismatch/);
  });

  it('a truncated remote manifest', async () => {
    const e = entry();
    await publish(e);
    truncateSync(join(nginx.dataDir, 'ac', e.key), 40);
    expect(await machine().lookup(e.key, e.keyInputs)).toBeNull();
    expect(warnings.join('\n')).toMatch(/truncated|bad header|no header/);
  });

  it('garbage (an HTML page) where a manifest should be', async () => {
    const e = entry();
    writeFileSync(join(nginx.dataDir, 'ac', e.key), '<html><body>Welcome to nginx!</body></html>');
    expect(await machine().lookup(e.key, e.keyInputs)).toBeNull();
    expect(warnings).toHaveLength(1);
  });

  it('a manifest stored under another key', async () => {
    const a = entry();
    const b = entry();
    await publish(a);
    writeFileSync(join(nginx.dataDir, 'ac', b.key), encodeManifest(a.manifest));
    expect(await machine().lookup(b.key, b.keyInputs)).toBeNull();
    expect(warnings.join('\n')).toMatch(/records key/);
  });

  it('a corrupt local entry falls through to an intact remote one', async () => {
    const e = entry();
    const s = await publish(e);
    const local = join(s.local.root, 'ac', e.key.slice(0, 2), e.key);
    writeFileSync(local, 'garbage');
    const hit = await s.lookup(e.key, e.keyInputs);
    expect(hit?.origin).toBe('remote');
    expect(warnings.join('\n')).toMatch(/quarantine/);
  });
});

describe('a remote that is down, slow, failing or locked', () => {
  it('down (connection refused): every lookup misses, one warning, bounded retries', async () => {
    const dead = await startNginx();
    const url = dead.url;
    await dead.close();
    const s = machine({ retries: 2 }, url);
    const started = performance.now();
    for (let i = 0; i < 20; i++) expect(await s.lookup(sha(`k${i}`), {})).toBeNull();
    const e = entry();
    await publish(e, s); // writes go on locally
    expect(await s.local.getManifest(e.key, e.keyInputs)).toEqual(e.manifest);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/ECONNREFUSED.*local store only/);
    // 3 attempts for the first request, none after: the remote is off.
    expect(s.counters().remoteErrors).toBe(1);
    expect(performance.now() - started).toBeLessThan(30_000);
  });

  it('503: retried exactly `retries` times, then off', async () => {
    const failing = await startNginx({ locationExtra: 'return 503;' });
    try {
      const s = machine({ retries: 2 }, failing.url);
      expect(await s.lookup(sha('x'), {})).toBeNull();
      expect(await s.lookup(sha('y'), {})).toBeNull();
      const log = readFileSync(failing.accessLog, 'utf8');
      expect((log.match(/"GET \/store\/ac\//g) ?? []).length).toBe(3);
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(/HTTP 503/);
    } finally {
      await failing.close();
    }
  });

  it('slow (a server that trickles 1 byte a second): the time limit ends it, once', async () => {
    const e = entry();
    await publish(e);
    // A second nginx over the same data, rate-limited to 1 byte/s.
    const slow = await startNginx({ dataDir: join(nginx.dataDir, '..'), locationExtra: 'limit_rate 1;' });
    try {
      expect(existsSync(join(slow.dataDir, 'ac', e.key))).toBe(true); // it serves the entry, slowly
      const s = machine({ timeoutMs: 800 }, slow.url);
      expect(await s.lookup(e.key, e.keyInputs)).toBeNull();
      expect(await s.lookup(e.key, e.keyInputs)).toBeNull();
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(/no complete answer within 800 ms/);
    } finally {
      await slow.close();
    }
  });

  it('bearer auth: without the token PUT is refused (one warning naming the env vars); with it, stored and read', async () => {
    const locked = await startNginx({ authorization: 'Bearer s3cret' });
    try {
      const e = entry();
      await publish(e, machine({}, locked.url));
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(/401.*AUTOPAR_REMOTE_CACHE_TOKEN/);
      warnings = [];
      const auth = remoteAuthFromEnv({ AUTOPAR_REMOTE_CACHE_TOKEN: 's3cret' });
      await publish(e, machine({ authorization: auth }, locked.url));
      expect((await machine({ authorization: auth }, locked.url).lookup(e.key, e.keyInputs))?.origin).toBe('remote');
      expect(warnings).toEqual([]);
    } finally {
      await locked.close();
    }
  });

  it('basic auth from AUTOPAR_REMOTE_CACHE_USER/_PASSWORD, and from user:password in the URL', async () => {
    const header = `Basic ${Buffer.from('ci:pa ss').toString('base64')}`;
    expect(remoteAuthFromEnv({ AUTOPAR_REMOTE_CACHE_USER: 'ci', AUTOPAR_REMOTE_CACHE_PASSWORD: 'pa ss' })).toBe(header);
    const locked = await startNginx({ authorization: header });
    try {
      const e = entry();
      await publish(e, machine({ authorization: header }, locked.url));
      const inUrl = locked.url.replace('http://', 'http://ci:pa%20ss@');
      const s = machine({}, inUrl);
      expect((await s.lookup(e.key, e.keyInputs))?.origin).toBe('remote');
      expect(s.remote!.url).not.toContain('pa%20ss'); // never logged
      expect(warnings).toEqual([]);
    } finally {
      await locked.close();
    }
  });

  it('https with a CA file: trusted with remoteCacheCaFile, refused (one warning) without', async () => {
    const dir = mkdtempSync(join(base, 'tls-'));
    const o = (f: string) => join(dir, f);
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=autopar test CA', '-keyout', o('ca.key'), '-out', o('ca.pem')], { stdio: 'ignore' });
    execFileSync('openssl', ['req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=127.0.0.1', '-keyout', o('srv.key'), '-out', o('srv.csr')], { stdio: 'ignore' });
    writeFileSync(o('ext'), 'subjectAltName=IP:127.0.0.1\n');
    execFileSync('openssl', ['x509', '-req', '-in', o('srv.csr'), '-CA', o('ca.pem'), '-CAkey', o('ca.key'), '-CAcreateserial', '-days', '1', '-extfile', o('ext'), '-out', o('srv.pem')], { stdio: 'ignore' });
    const tls = await startNginx({ tls: { cert: o('srv.pem'), key: o('srv.key') } });
    try {
      expect(tls.url).toMatch(/^https:/);
      const e = entry();
      await publish(e, machine({ caFile: o('ca.pem') }, tls.url));
      expect(warnings).toEqual([]);
      expect((await machine({ caFile: o('ca.pem') }, tls.url).lookup(e.key, e.keyInputs))?.origin).toBe('remote');
      expect(await machine({}, tls.url).lookup(e.key, e.keyInputs)).toBeNull();
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(/certificate/);
    } finally {
      await tls.close();
    }
  });

  it('a bad URL is a clear error naming the option', () => {
    expect(() => new HttpRemote({ url: 'cache.example:8080' })).toThrow(/remoteCache.*http:\/\//);
    expect(() => new HttpRemote({ url: 'ftp://cache.example/' })).toThrow(/must start with http/);
  });
});
