// FsStore, one behaviour per test (in the manner of ccache's test suites): round
// trips, every kind of damage is a miss plus quarantine, racing writers, LRU eviction,
// and a cache that cannot be written.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { execFile, execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHash } from 'node:crypto';
import { FsStore } from './fs-store.js';
import type { Manifest } from './types.js';
import type { Verdict } from '../verify/types.js';

const sha = (s: string) => createHash('sha256').update(s).digest('hex');
const HERE = fileURLToPath(new URL('.', import.meta.url));

const verdict: Verdict = { accepted: true, stage: 'benchmark', reason: 'ok', stages: [] };

function inputsFor(name: string) {
  return { schema: 'test', kernel: { name, text: `void ${name}(void) {}` }, options: { threads: [1, 2] } };
}

/** A manifest plus the blob it names, written through the store as the pipeline does. */
async function putEntry(store: FsStore, name: string, variant = `void ${name}(void) { /* parallel */ }`) {
  const keyInputs = inputsFor(name);
  const key = sha(JSON.stringify(keyInputs));
  const digest = await store.putBlob(variant);
  const m: Manifest = {
    schema: 'autopar-manifest-v1',
    key,
    keyInputs,
    kernel: name,
    createdAt: '2025-01-01T00:00:00Z',
    candidates: [{ label: 'zero-shot#1', proposer: { kind: 'test' }, sourceDigest: digest, verdict }],
    chosen: digest,
    chosenLabel: 'zero-shot#1',
  };
  await store.putManifest(m);
  return { key, keyInputs, digest, manifest: m };
}

let root: string;
let warnings: string[];
let base: string;
const fresh = (opts: { maxBytes?: number } = {}) => new FsStore(root, { ...opts, onWarning: (w) => warnings.push(w) });
const acFile = (key: string) => join(root, 'ac', key.slice(0, 2), key);
const casFile = (d: string) => join(root, 'cas', d.slice(0, 2), d);
const ls = (sub: string) => (existsSync(join(root, sub)) ? readdirSync(join(root, sub), { recursive: true, withFileTypes: true }).filter((d) => d.isFile()) : []);

beforeAll(() => {
  base = mkdtempSync(join(tmpdir(), 'autopar-store-'));
  chmodSync(base, 0o755); // the unprivileged child in the read-only test must reach it
});
afterAll(() => rmSync(base, { recursive: true, force: true }));
beforeEach(() => {
  root = mkdtempSync(join(base, 'c-'));
  chmodSync(root, 0o755);
  warnings = [];
});

describe('FsStore reads and writes', () => {
  it('round-trips a manifest and its blob', async () => {
    const e = await putEntry(fresh(), 'saxpy');
    const got = await fresh().getManifest(e.key, e.keyInputs);
    expect(got).toEqual(e.manifest);
    expect((await fresh().getBlob(e.digest))?.toString('utf8')).toBe('void saxpy(void) { /* parallel */ }');
    expect(warnings).toEqual([]);
  });

  it('misses on an absent key', async () => {
    expect(await fresh().getManifest(sha('nothing'), {})).toBeNull();
    expect(await fresh().getBlob(sha('nothing'))).toBeNull();
  });

  it('lays entries out as ac/<key[0:2]>/<key> and cas/<d[0:2]>/<d>, with nothing left in tmp/', async () => {
    const e = await putEntry(fresh(), 'saxpy');
    expect(existsSync(acFile(e.key))).toBe(true);
    expect(readFileSync(casFile(e.digest), 'utf8')).toContain('saxpy');
    expect(ls('tmp')).toEqual([]);
  });

  it('answers a repeated lookup from memory without reading the disk', async () => {
    const store = fresh();
    const e = await putEntry(store, 'saxpy');
    expect(await store.getManifest(e.key, e.keyInputs)).toEqual(e.manifest);
    rmSync(acFile(e.key)); // a disk read would now miss
    expect(await store.getManifest(e.key, e.keyInputs)).toEqual(e.manifest);
    expect((await store.stats()).memoryHits).toBe(1);
  });

  it('returns copies: a caller mutating a result does not change the next answer', async () => {
    const store = fresh();
    const e = await putEntry(store, 'saxpy');
    const a = (await store.getManifest(e.key, e.keyInputs))!;
    a.chosen = null;
    expect((await store.getManifest(e.key, e.keyInputs))!.chosen).toBe(e.digest);
  });

  it('rejects a key that is not sha256 hex (it becomes a file name)', async () => {
    await expect(fresh().getManifest('../../etc/passwd', {})).rejects.toThrow(TypeError);
  });
});

describe('FsStore integrity', () => {
  it('a flipped byte in a manifest is a miss, and the file is quarantined', async () => {
    const e = await putEntry(fresh(), 'saxpy');
    const bytes = readFileSync(acFile(e.key));
    bytes[bytes.length - 10] ^= 0x01;
    writeFileSync(acFile(e.key), bytes);
    expect(await fresh().getManifest(e.key, e.keyInputs)).toBeNull();
    expect(existsSync(acFile(e.key))).toBe(false);
    expect(ls('quarantine')).toHaveLength(1);
    expect(warnings.join('\n')).toMatch(/checksum mismatch.*quarantine/);
  });

  it('a truncated manifest is a miss', async () => {
    const e = await putEntry(fresh(), 'saxpy');
    truncateSync(acFile(e.key), Math.floor(statSync(acFile(e.key)).size / 2));
    expect(await fresh().getManifest(e.key, e.keyInputs)).toBeNull();
    expect(warnings.join('\n')).toMatch(/truncated/);
    expect(ls('quarantine')).toHaveLength(1);
  });

  it('a zero-byte manifest is a miss', async () => {
    const e = await putEntry(fresh(), 'saxpy');
    writeFileSync(acFile(e.key), '');
    expect(await fresh().getManifest(e.key, e.keyInputs)).toBeNull();
    expect(warnings.join('\n')).toMatch(/empty file/);
  });

  it('a manifest whose checksum matches but whose body is not JSON is a miss', async () => {
    const e = await putEntry(fresh(), 'saxpy');
    const body = '{"schema":"autopar-manifest-v1",';
    writeFileSync(acFile(e.key), `autopar-ac-v1 ${sha(body)} ${body.length}\n${body}`);
    expect(await fresh().getManifest(e.key, e.keyInputs)).toBeNull();
    expect(warnings.join('\n')).toMatch(/not JSON/);
  });

  it('a corrupt blob makes its manifest a miss, and the blob is quarantined', async () => {
    const e = await putEntry(fresh(), 'saxpy');
    writeFileSync(casFile(e.digest), 'void saxpy(void) { /* tampered */ }');
    expect(await fresh().getManifest(e.key, e.keyInputs)).toBeNull();
    expect(existsSync(casFile(e.digest))).toBe(false);
    expect(ls('quarantine')).toHaveLength(1);
    expect(warnings.join('\n')).toMatch(/does not match its digest/);
  });

  it('a missing blob makes its manifest a miss', async () => {
    const e = await putEntry(fresh(), 'saxpy');
    rmSync(casFile(e.digest));
    expect(await fresh().getManifest(e.key, e.keyInputs)).toBeNull();
  });

  it('a manifest recorded for other key inputs is a miss with a warning, and is left in place', async () => {
    const e = await putEntry(fresh(), 'saxpy');
    expect(await fresh().getManifest(e.key, { ...e.keyInputs, schema: 'other' })).toBeNull();
    expect(warnings.join('\n')).toMatch(/different key inputs/);
    expect(existsSync(acFile(e.key))).toBe(true);
  });

  it('compares key inputs canonically: member order does not matter', async () => {
    const e = await putEntry(fresh(), 'saxpy');
    const reordered = { options: { threads: [1, 2] }, kernel: { text: e.keyInputs.kernel.text, name: 'saxpy' }, schema: 'test' };
    expect(await fresh().getManifest(e.key, reordered)).toEqual(e.manifest);
  });
});

// ---- child processes -------------------------------------------------------------
// Racing writers and the unprivileged writer run the real store code in other
// processes: the compiled package (`npm test` builds it first; built here if absent).

let bundle: string;

beforeAll(async () => {
  bundle = join(HERE, '../../dist/store/fs-store.js');
  if (!existsSync(bundle)) {
    execFileSync(process.execPath, [join(HERE, '../../../../node_modules/typescript/bin/tsc'), '-b', join(HERE, '../..')]);
  }
}, 120_000);

/** Runs `body` (ESM, with `FsStore` and `env` in scope) in a new node process. */
function child(body: string, env: Record<string, string>, opts: { uid?: number; gid?: number } = {}): Promise<string> {
  const code = `const { FsStore } = await import(process.env.STORE_BUNDLE); const env = process.env;\n${body}`;
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--input-type=module', '-e', code],
      { env: { ...process.env, ...env, STORE_BUNDLE: bundle }, cwd: base, ...opts },
      (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout)),
    );
  });
}

describe('FsStore concurrency', () => {
  it('20 processes writing the same key leave one valid manifest and no temp files', async () => {
    const keyInputs = inputsFor('race');
    const key = sha(JSON.stringify(keyInputs));
    const go = join(root, '..', `go-${Date.now()}`);
    const writer = `
      const store = new FsStore(env.ROOT);
      const { existsSync, writeFileSync } = await import('node:fs');
      writeFileSync(env.GO + '.ready.' + env.WRITER, '');
      while (!existsSync(env.GO)) await new Promise((r) => setTimeout(r, 5));
      for (let i = 0; i < 20; i++) {
        const digest = await store.putBlob('variant from writer ' + env.WRITER + ' round ' + i);
        await store.putManifest({
          schema: 'autopar-manifest-v1', key: env.KEY, keyInputs: JSON.parse(env.INPUTS), kernel: 'race',
          createdAt: new Date().toISOString(), chosen: digest, chosenLabel: 'w' + env.WRITER,
          candidates: [{ label: 'w' + env.WRITER, proposer: { kind: 'test' }, sourceDigest: digest,
                         verdict: { accepted: true, stage: 'benchmark', reason: 'ok', stages: [] } }],
        });
      }`;
    const writers = Array.from({ length: 20 }, (_, w) =>
      child(writer, { ROOT: root, GO: go, KEY: key, INPUTS: JSON.stringify(keyInputs), WRITER: String(w) }),
    );
    // Barrier: release them together once all 20 are up, so their writes overlap.
    const ready = () => readdirSync(base).filter((f) => f.startsWith(`${go.split('/').pop()}.ready.`)).length;
    const all = Promise.all(writers);
    let failed: unknown = null;
    all.catch((err) => (failed = err));
    while (ready() < 20 && !failed) await new Promise((r) => setTimeout(r, 20));
    writeFileSync(go, '');
    await all;

    const got = await fresh().getManifest(key, keyInputs);
    expect(got).not.toBeNull();
    const text = (await fresh().getBlob(got!.chosen!))!.toString('utf8');
    expect(text).toMatch(new RegExp(`^variant from writer ${got!.chosenLabel!.slice(1)} round \\d+$`));
    expect(ls('tmp')).toEqual([]);
    expect(ls('quarantine')).toEqual([]);
    expect(warnings).toEqual([]);
  }, 120_000);
});

describe('FsStore size cap', () => {
  it('eviction keeps the most recently used entry', async () => {
    const a = await putEntry(fresh(), 'alpha');
    const b = await putEntry(fresh(), 'beta');
    const c = await putEntry(fresh(), 'gamma');
    // Age everything (oldest: alpha), then use alpha: it becomes the most recent.
    const hour = 3600_000;
    [a, b, c].forEach((e, i) => {
      const t = new Date(Date.now() - (3 - i) * hour);
      utimesSync(acFile(e.key), t, t);
      utimesSync(casFile(e.digest), t, t);
    });
    expect(await fresh().getManifest(a.key, a.keyInputs)).not.toBeNull();
    const oneEntry = statSync(acFile(a.key)).size + statSync(casFile(a.digest)).size;

    await fresh().evict(oneEntry);

    expect(await fresh().getManifest(a.key, a.keyInputs)).toEqual(a.manifest);
    expect(await fresh().getManifest(b.key, b.keyInputs)).toBeNull();
    expect(await fresh().getManifest(c.key, c.keyInputs)).toBeNull();
    expect((await fresh().stats()).bytes).toBeLessThanOrEqual(oneEntry);
  });

  it('keeps the store under maxBytes as entries are put', async () => {
    const store = fresh({ maxBytes: 8 * 1024 });
    for (let i = 0; i < 40; i++) await putEntry(store, `k${i}`, `void k${i}(void) { ${'x'.repeat(400)} }`);
    const s = await store.stats();
    expect(s.bytes).toBeLessThanOrEqual(8 * 1024);
    expect(s.evicted).toBeGreaterThan(0);
    // The last entry written is the most recent and survives.
    const last = inputsFor('k39');
    expect(await store.getManifest(sha(JSON.stringify(last)), last)).not.toBeNull();
  });

  it('eviction removes temp files left by a writer that died', async () => {
    await putEntry(fresh(), 'saxpy');
    const stale = join(root, 'tmp', 'dead-writer.tmp');
    writeFileSync(stale, 'partial');
    const old = new Date(Date.now() - 2 * 3600_000);
    utimesSync(stale, old, old);
    await fresh().evict(1 << 30);
    expect(existsSync(stale)).toBe(false);
  });
});

describe('FsStore on a cache it cannot write', () => {
  it('put on a read-only cache dir warns and does not throw; the lookup is a miss', async () => {
    chmodSync(root, 0o555);
    try {
      const run = `
        const warnings = [];
        const store = new FsStore(env.ROOT, { onWarning: (w) => warnings.push(w) });
        const digest = await store.putBlob('void k(void) {}');
        await store.putManifest({ schema: 'autopar-manifest-v1', key: env.KEY, keyInputs: {}, kernel: 'k',
          createdAt: 'now', candidates: [], chosen: digest, chosenLabel: null });
        const got = await new FsStore(env.ROOT).getManifest(env.KEY, {});
        console.log(JSON.stringify({ warnings, got, stats: await store.stats() }));`;
      // Root ignores file modes: run the writer as nobody when the tests run as root.
      const asUser = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
      const out = JSON.parse(await child(run, { ROOT: root, KEY: sha('ro') }, asUser));
      expect(out.got).toBeNull();
      expect(out.warnings).toHaveLength(1); // one warning per kind of failure, not one per put
      expect(out.warnings[0]).toMatch(/cannot write .*EACCES.*without caching/);
      expect(out.stats.writeErrors).toBe(2);
    } finally {
      chmodSync(root, 0o755);
    }
  });
});
