// `autopar cache stats | prune | verify | clear` and `-s` through the real CLI, the
// statistics builds append, the shared-store options and the regression gate on bad input.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createHash } from 'node:crypto';
import { execa } from 'execa';
import { TieredStore } from '../../packages/core/src/store/tiered-store.js';
import { appendCounters, readCounters, ZERO_COUNTERS } from '../../packages/core/src/store/stats.js';
import { parseSize } from '../../packages/core/src/store/size.js';
import { resolveBuildOptions, OptionsError } from '../../packages/core/src/pipeline/options.js';
import { regressionGate } from '../../packages/core/src/pipeline/shared-store.js';
import type { Manifest } from '../../packages/core/src/store/types.js';

const REPO = resolve(__dirname, '../..');
const CLI = join(REPO, 'packages/core/dist/cli/main.js');
const sha = (s: string) => createHash('sha256').update(s).digest('hex');

let base: string;
beforeAll(() => {
  if (!existsSync(CLI)) execFileSync(process.execPath, [join(REPO, 'node_modules/typescript/bin/tsc'), '-b', join(REPO, 'packages/core')]);
  base = mkdtempSync(join(tmpdir(), 'autopar-cachecmd-'));
}, 300_000);
afterAll(() => rmSync(base, { recursive: true, force: true }));

async function cache(args: string[], env: Record<string, string> = {}) {
  const r = await execa(process.execPath, [CLI, 'cache', ...args], { reject: false, env, cwd: base });
  return { code: r.exitCode, stdout: r.stdout, stderr: r.stderr };
}

async function fill(root: string, count: number, pad = 0) {
  const store = new TieredStore({ root });
  const keys: Array<{ key: string; keyInputs: unknown }> = [];
  for (let i = 0; i < count; i++) {
    const keyInputs = { i, root };
    const key = sha(JSON.stringify(keyInputs));
    const digest = await store.putBlob(`void k${i}(void) {} /* ${'z'.repeat(pad)} */`);
    const m: Manifest = { schema: 'autopar-manifest-v1', key, keyInputs, kernel: `k${i}`, createdAt: 'now', chosen: digest, chosenLabel: 'a',
      candidates: [{ label: 'a', proposer: { kind: 'test' }, sourceDigest: digest, verdict: { accepted: true, stage: 'benchmark', reason: 'ok', stages: [] } }] };
    await store.putManifest(m);
    keys.push({ key, keyInputs });
  }
  // Two lookups: one hit, one miss, as a build would record them.
  await store.lookup(keys[0]!.key, keys[0]!.keyInputs);
  await store.lookup(sha('absent'), {});
  await store.close();
  return keys;
}

describe('autopar cache', () => {
  it('stats (and -s) shows entries, size and the counters builds appended', async () => {
    const root = join(base, 'stats');
    await fill(root, 5);
    const r = await cache(['stats', '--cache-dir', root]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^manifests +5$/m);
    expect(r.stdout).toMatch(/^blobs +5$/m);
    expect(r.stdout).toMatch(/^ {2}local hits +1 \(50\.0 %\)$/m);
    expect(r.stdout).toMatch(/^ {2}misses +1 \(50\.0 %\)$/m);
    expect(r.stdout).toMatch(/^remote errors +0$/m);
    expect(r.stdout).toMatch(/^evictions +0$/m);
    const s = await cache(['-s', '--json'], { AUTOPAR_CACHE_DIR: root });
    const json = JSON.parse(s.stdout);
    expect(json.store.manifests).toBe(5);
    expect(json.counters).toMatchObject({ localHits: 1, misses: 1 });
  });

  it('prune --max-size evicts least recently used entries down to the cap and counts the evictions', async () => {
    const root = join(base, 'prune');
    const keys = await fill(root, 20, 2000);
    // Age all but the last: they are the least recently used.
    const old = new Date(Date.now() - 3600_000);
    for (const d of ['ac', 'cas']) {
      for (const f of readdirSync(join(root, d), { recursive: true, withFileTypes: true })) if (f.isFile()) utimesSync(join(f.parentPath, f.name), old, old);
    }
    await new TieredStore({ root }).lookup(keys[19]!.key, keys[19]!.keyInputs); // refreshes the last entry
    const r = await cache(['prune', '--cache-dir', root, '--max-size', '10K', '--json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.bytesAfter).toBeLessThanOrEqual(10 * 1024);
    expect(out.evicted).toBeGreaterThan(0);
    expect(await new TieredStore({ root }).lookup(keys[19]!.key, keys[19]!.keyInputs)).not.toBeNull();
    expect(await new TieredStore({ root }).lookup(keys[0]!.key, keys[0]!.keyInputs)).toBeNull();
    expect((await readCounters(root)).evictions).toBe(out.evicted);
  });

  it('verify finds and quarantines damaged entries, exit 1; then all intact, exit 0', async () => {
    const root = join(base, 'verify');
    const keys = await fill(root, 3);
    const k = keys[1]!.key;
    writeFileSync(join(root, 'ac', k.slice(0, 2), k), 'autopar-ac-v1 0 0\n');
    const bad = await cache(['verify', '--cache-dir', root]);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/3 manifest\(s\) and 3 blob\(s\).*1 damaged/);
    expect(readdirSync(join(root, 'quarantine'))).toHaveLength(1);
    const good = await cache(['verify', '--cache-dir', root]);
    expect(good.code).toBe(0);
    expect(good.stdout).toMatch(/all intact/);
  });

  it('clear removes every entry and zeroes the statistics', async () => {
    const root = join(base, 'clear');
    await fill(root, 3);
    const r = await cache(['clear', '--cache-dir', root]);
    expect(r.code).toBe(0);
    expect(existsSync(join(root, 'ac'))).toBe(false);
    expect(await readCounters(root)).toEqual(ZERO_COUNTERS);
  });

  it('an unknown action or a bad --max-size: exit 2 with what to do', async () => {
    const r = await cache(['purge']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown action "purge".*stats, prune, verify, clear/);
    const s = await cache(['prune', '--cache-dir', join(base, 'x'), '--max-size', 'lots']);
    expect(s.code).toBe(2);
    expect(s.stderr).toMatch(/"lots" is not a positive size.*2G/);
  });
});

describe('statistics log', () => {
  it('sums lines from many builds and skips a torn line', async () => {
    const root = join(base, 'log');
    await Promise.all(Array.from({ length: 50 }, () => appendCounters(root, { ...ZERO_COUNTERS, localHits: 1, remoteErrors: 2 })));
    writeFileSync(join(root, 'stats.log'), '{"localHits": 3', { flag: 'a' }); // a crash mid-append
    expect(await readCounters(root)).toMatchObject({ localHits: 50, remoteErrors: 100 });
  });
});

describe('shared-store options', () => {
  const ctx = { workspaceRoot: '/ws', projectRoot: '/ws/p', projectName: 'p', log: () => {} };
  const withEnv = <T>(env: Record<string, string>, f: () => T): T => {
    const saved = { ...process.env };
    Object.assign(process.env, env);
    try {
      return f();
    } finally {
      for (const k of Object.keys(env)) delete process.env[k];
      Object.assign(process.env, saved);
    }
  };

  it('AUTOPAR_REMOTE_CACHE, _TOKEN, _CA, AUTOPAR_NO_GENERATE, AUTOPAR_STORE_READONLY and the size cap', () => {
    const o = withEnv(
      { AUTOPAR_REMOTE_CACHE: 'https://cache.example/autopar', AUTOPAR_REMOTE_CACHE_TOKEN: 't0k', AUTOPAR_REMOTE_CACHE_CA: 'ca.pem', AUTOPAR_NO_GENERATE: '1', AUTOPAR_STORE_READONLY: '1' },
      () => resolveBuildOptions({ cacheMaxSize: '2G' }, ctx),
    );
    expect(o.remoteCache).toMatchObject({ url: 'https://cache.example/autopar', authorization: 'Bearer t0k', caFile: '/ws/ca.pem', timeoutMs: 10000, retries: 2 });
    expect(o).toMatchObject({ noGenerate: true, storeReadonly: true, remoteCacheTrusted: false, cacheMaxBytes: 2 * 1024 ** 3 });
    expect(resolveBuildOptions({}, ctx).remoteCache).toBeUndefined();
  });

  it('bad values name the option and the fix', () => {
    expect(() => resolveBuildOptions({ remoteCache: 'cache.example:8080' }, ctx)).toThrow(OptionsError);
    expect(() => resolveBuildOptions({ remoteCache: 'cache.example:8080' }, ctx)).toThrow(/"remoteCache".*http:\/\//);
    expect(() => resolveBuildOptions({ remoteCacheRetries: -1 }, ctx)).toThrow(/"remoteCacheRetries" must be a non-negative integer/);
    expect(() => resolveBuildOptions({ remoteCacheTimeoutMs: 0 }, ctx)).toThrow(/"remoteCacheTimeoutMs" must be a positive integer/);
    expect(() => resolveBuildOptions({ cacheMaxSize: '2 lightyears' }, ctx)).toThrow(/"cacheMaxSize".*not a positive size/);
  });

  it('parseSize', () => {
    expect(parseSize('500M')).toBe(500 * 1024 ** 2);
    expect(parseSize('1.5GiB')).toBe(1.5 * 1024 ** 3);
    expect(parseSize(4096)).toBe(4096);
    expect(() => parseSize('-1G')).toThrow(TypeError);
  });
});

describe('regression gate', () => {
  const baseline = (kernels: unknown[]) => {
    const f = join(base, `baseline-${Math.random()}.json`);
    writeFileSync(f, JSON.stringify({ schema: 'autopar-report-v1', kernels }));
    return f;
  };
  const now = (kernel: string, chosen: string | null, notVerifiedHere = false) => ({ kernel, outcome: chosen ? 'cache-hit' : 'original', reason: 'r', chosen: chosen ? { label: chosen } : null, notVerifiedHere });

  it('a kernel that had a variant and lost it by a verdict fails; one missed under --no-generate is listed, not failed', async () => {
    const f = baseline([{ kernel: 'a', chosen: { label: 'x' } }, { kernel: 'b', chosen: { label: 'y' } }, { kernel: 'c', chosen: null }, { kernel: 'gone', chosen: { label: 'z' } }]);
    const g = await regressionGate(f, [now('a', null), now('b', null, true), now('c', null)]);
    expect(g.failed).toBe(true);
    expect(g.lost).toEqual([
      { kernel: 'a', baseline: 'x', cause: 'verdict', reason: 'r' },
      { kernel: 'b', baseline: 'y', cause: 'not-verified-here', reason: 'r' },
    ]);
    const ok = await regressionGate(f, [now('a', 'x2'), now('b', null, true)]);
    expect(ok.failed).toBe(false);
  });

  it('a baseline that is not a report: a clear error naming the file and the field', async () => {
    const f = join(base, 'not-a-report.json');
    writeFileSync(f, '{"kernels": 3}');
    await expect(regressionGate(f, [])).rejects.toThrow(/not-a-report\.json: field "schema" is not "autopar-report-v1"/);
    await expect(regressionGate(join(base, 'absent.json'), [])).rejects.toThrow(/absent\.json: cannot read it as JSON.*autopar-report\.json of main's build/);
  });
});

describe('LRU clock', () => {
  it('a hit refreshes an entry older than an hour, and leaves a fresh one unwritten', async () => {
    const root = join(base, 'lru');
    const [old, fresh] = await fill(root, 2);
    const { statSync } = await import('node:fs');
    const acOf = (k: string) => join(root, 'ac', k.slice(0, 2), k);
    const twoHours = new Date(Date.now() - 2 * 3600_000);
    const tenMinutes = new Date(Date.now() - 600_000);
    utimesSync(acOf(old!.key), twoHours, twoHours);
    utimesSync(acOf(fresh!.key), tenMinutes, tenMinutes);
    const store = new TieredStore({ root });
    expect(await store.lookup(old!.key, old!.keyInputs)).not.toBeNull();
    expect(await store.lookup(fresh!.key, fresh!.keyInputs)).not.toBeNull();
    expect(Date.now() - statSync(acOf(old!.key)).mtimeMs).toBeLessThan(60_000);
    expect(Math.round(statSync(acOf(fresh!.key)).mtimeMs)).toBe(tenMinutes.getTime()); // float ns rounding
  });
});
