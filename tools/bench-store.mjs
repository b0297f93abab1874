// Store section of `npm run bench` (called from tools/bench.mjs; also runs alone:
// `node tools/bench-store.mjs`). Everything is measured in one run, each figure next to a
// baseline measured in the same run:
//   S1  hash + lookup of 10,000 kernels: key computation (normalized kernel + full key
//       inputs, canonical JSON, sha256) and a lookup that hits the local store on disk.
//       Target: >= 5,000 kernels/s.
//   S2  lookups on a 100,000-entry local store / reading the same bytes (manifest + blob
//       files) with plain fs calls. Interleaved rounds (AB BA ...), median ratio. Target <= 2x.
//   S3  remote hit latency against nginx on loopback (GET ac + GET cas, every check, no
//       local copy) / two plain keep-alive HTTP GETs of the same URLs.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { loadSpecFile, extractKernels, computeKey, fingerprintToolchain } from '../packages/core/dist/index.js';
import { kernelKeyPart, proposerKeyPart } from '../packages/core/dist/kernel/key.js';
import { FsStore, encodeManifest, sha256Hex } from '../packages/core/dist/store/fs-store.js';
import { TieredStore } from '../packages/core/dist/store/tiered-store.js';
import { HttpRemote } from '../packages/core/dist/store/http-remote.js';
import { resolvePolicy } from '../packages/core/dist/verify/policy.js';
import { AUTOPAR_VERSION } from '../packages/core/dist/version.js';
import { median } from './bench-common.mjs';
import { nginxMissing, startNginx } from './loopback-nginx.mjs';

/** Key inputs as a build makes them, for a real kernel (matmul) made distinct by `i`. */
async function keyFactory(repo) {
  const { file: specFile, dir } = await loadSpecFile(join(repo, 'kernels/matmul/autopar.spec.json'));
  const kspec = specFile.kernels[0];
  const sourcePath = join(dir, kspec.source);
  const [unit] = extractKernels(await readFile(sourcePath, 'utf8'), sourcePath, [kspec.name]);
  const toolchain = await fingerprintToolchain({ cc: 'gcc', cflags: ['-O3', '-fopenmp'], ldflags: ['-fopenmp', '-lm'] });
  const { description: _d, ...spec } = kspec;
  const policy = { ...resolvePolicy(undefined), impliedPlanCheck: true };
  const proposer = proposerKeyPart({ kind: 'analyzer', version: 1 });
  return (i) => {
    // A distinct kernel per i: what the key covers (its normalized tokens) differs.
    const u = { ...unit, normalizedText: `${unit.normalizedText} /*${i}*/` };
    return computeKey({
      schema: 'autopar-key-v1',
      kernel: kernelKeyPart(u),
      spec,
      target: { cflags: ['-O3', '-fopenmp'], ldflags: ['-fopenmp', '-lm'], kind: 'executable', threshold: 1.05 },
      toolchain,
      proposer,
      verifyPolicy: policy,
      autoparVersion: AUTOPAR_VERSION,
    });
  };
}

function manifestFor(key, inputs, digest) {
  return {
    schema: 'autopar-manifest-v1',
    key,
    keyInputs: inputs,
    kernel: 'matmul',
    createdAt: new Date().toISOString(),
    candidates: [{ label: 'analyzer#1', proposer: { kind: 'analyzer' }, sourceDigest: digest, verdict: { accepted: true, stage: 'benchmark', reason: 'verified', stages: [] } }],
    chosen: digest,
    chosenLabel: 'analyzer#1',
  };
}

/**
 * Writes entries straight into the store's layout (setup, not measured: the store's own
 * writes fsync every file, which would make a 100,000-entry setup take minutes).
 */
function populate(root, count, makeKey) {
  const made = new Set();
  const entries = [];
  for (let i = 0; i < count; i++) {
    const { key, inputs } = makeKey(i);
    const blob = Buffer.from(`void matmul_variant_${i}(int n, const double *a, const double *b, double *c) { /* ${'v'.repeat(600)} */ }\n`);
    const digest = sha256Hex(blob);
    for (const [kind, name, bytes] of [['ac', key, encodeManifest(manifestFor(key, inputs, digest))], ['cas', digest, blob]]) {
      const d = join(root, kind, name.slice(0, 2));
      if (!made.has(d)) mkdirSync(d, { recursive: true }), made.add(d);
      writeFileSync(join(d, name), bytes);
    }
    entries.push({ key, inputs, digest });
  }
  return entries;
}

export async function benchStore({ log = () => {}, repo } = {}) {
  const work = mkdtempSync(join(tmpdir(), 'autopar-bench-store-'));
  const result = {};
  try {
    const makeKey = await keyFactory(repo);

    // ---- S1: hash + lookup of 10,000 kernels -----------------------------------------
    log('store S1: 10,000 kernels: key + local lookup');
    const N1 = 10_000;
    const root1 = join(work, 's1');
    populate(root1, N1, makeKey);
    const runs = [];
    for (let rep = 0; rep < 3; rep++) {
      const store = new TieredStore({ root: root1 }); // fresh: no answers from memory
      let hits = 0;
      const t0 = performance.now();
      for (let i = 0; i < N1; i++) {
        const { key, inputs } = makeKey(i);
        if (await store.lookup(key, inputs)) hits++;
      }
      const ms = performance.now() - t0;
      if (hits !== N1) throw new Error(`S1: ${hits} of ${N1} lookups hit; the bench store is broken`);
      runs.push(N1 / (ms / 1000));
    }
    result.S1 = { kernels: N1, kernelsPerSecond: median(runs), perRep: runs, target: 5000 };

    // ---- S2: 100,000-entry store vs plain fs reads of the same files ------------------
    log('store S2: writing a 100,000-entry local store (setup)');
    const N2 = 100_000;
    const root2 = join(work, 's2');
    const entries = populate(root2, N2, makeKey);
    const rounds = 10;
    const perRound = 2_000;
    const ratios = [];
    let storeMs = 0;
    let plainMs = 0;
    // Warm the page cache for the sample both sides read, so neither pays the first read.
    const sample = Array.from({ length: rounds * perRound }, (_, i) => entries[(i * 7919) % N2]);
    for (const e of sample) {
      await readFile(join(root2, 'ac', e.key.slice(0, 2), e.key));
      await readFile(join(root2, 'cas', e.digest.slice(0, 2), e.digest));
    }
    log('store S2: interleaved rounds, store lookup vs plain fs reads');
    for (let r = 0; r < rounds; r++) {
      const part = sample.slice(r * perRound, (r + 1) * perRound);
      const store = new FsStore(root2); // fresh: every lookup reads and checks the disk
      const storeSide = async () => {
        const t0 = performance.now();
        for (const e of part) {
          const m = await store.getManifest(e.key, e.inputs);
          if (!m) throw new Error('S2: a lookup missed');
        }
        return performance.now() - t0;
      };
      const plainSide = () => {
        const t0 = performance.now();
        for (const e of part) {
          // The same bytes: the manifest file and the blob file it names, read the fastest
          // plain way (synchronous, as the store itself reads them).
          const ac = readFileSync(join(root2, 'ac', e.key.slice(0, 2), e.key));
          const cas = readFileSync(join(root2, 'cas', e.digest.slice(0, 2), e.digest));
          if (ac.length === 0 || cas.length === 0) throw new Error('S2: empty file');
        }
        return performance.now() - t0;
      };
      // Whichever side reads a round's files first may pay for kernel caches the second
      // then finds warm: alternate which side goes first (ABBA...), so neither is favoured.
      let a;
      let b;
      if (r % 2 === 0) {
        a = await storeSide();
        b = plainSide();
      } else {
        b = plainSide();
        a = await storeSide();
      }
      storeMs += a;
      plainMs += b;
      ratios.push(a / b);
    }
    result.S2 = { entries: N2, lookupsPerRound: perRound, rounds, ratio: median(ratios), perRound: ratios, storeLookupsPerSecond: (rounds * perRound) / (storeMs / 1000), plainReadsPerSecond: (rounds * perRound) / (plainMs / 1000), target: 2 };
    rmSync(root2, { recursive: true, force: true });

    // ---- S3: remote hit latency on loopback nginx -------------------------------------
    const missing = nginxMissing();
    if (missing) {
      result.S3 = { skipped: missing };
    } else {
      log('store S3: remote hits against nginx on loopback');
      const nginx = await startNginx({ accessLog: false });
      try {
        const N3 = 300;
        // Setup: straight to the remote (a local store's fsyncs would only slow the setup).
        const writer = new HttpRemote({ url: nginx.url });
        const remoteEntries = [];
        for (let i = 0; i < N3; i++) {
          const { key, inputs } = makeKey(1_000_000 + i);
          const blob = Buffer.from(`void v${i}(void) { /* ${'r'.repeat(600)} */ }\n`);
          const digest = sha256Hex(blob);
          await writer.putBlob(blob);
          await writer.putManifest(manifestFor(key, inputs, digest));
          remoteEntries.push({ key, inputs, digest });
        }
        if (writer.disabled) throw new Error(`S3 setup: ${writer.disabled}`);
        writer.close();
        const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
        const plainGet = (url) =>
          new Promise((resolve, reject) => {
            http.get(url, { agent }, (res) => {
              const chunks = [];
              res.on('data', (c) => chunks.push(c));
              res.on('end', () => (res.statusCode === 200 ? resolve(Buffer.concat(chunks)) : reject(new Error(`HTTP ${res.statusCode}`))));
            }).on('error', reject);
          });
        const remoteMs = [];
        const plainHttpMs = [];
        const remote = new HttpRemote({ url: nginx.url });
        for (let i = 0; i < N3; i++) {
          const e = remoteEntries[i];
          const a0 = performance.now();
          const hit = await remote.getEntry(e.key, e.inputs);
          remoteMs.push(performance.now() - a0);
          if (!hit) throw new Error(`S3: remote miss (${remote.disabled ?? 'no reason'})`);
          const b0 = performance.now();
          await plainGet(`${nginx.url}ac/${e.key}`);
          await plainGet(`${nginx.url}cas/${e.digest}`);
          plainHttpMs.push(performance.now() - b0);
        }
        remote.close();
        agent.destroy();
        result.S3 = { hits: N3, medianHitMs: median(remoteMs), medianPlainGetsMs: median(plainHttpMs), ratio: median(remoteMs) / median(plainHttpMs) };
      } finally {
        await nginx.close();
      }
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return result;
}

export function printStore(r, out) {
  const s1 = r.S1;
  out(`S1 hash + lookup of ${s1.kernels} kernels (local disk hits): ${Math.round(s1.kernelsPerSecond)} kernels/s (reps ${s1.perRep.map((x) => Math.round(x)).join(', ')}; target >= ${s1.target}: ${s1.kernelsPerSecond >= s1.target ? 'met' : 'not met'})`);
  const s2 = r.S2;
  out(
    `S2 lookup on a ${s2.entries}-entry local store / plain fs reads of the same bytes = ${s2.ratio.toFixed(2)}x ` +
      `(rounds ${s2.perRound.map((x) => x.toFixed(2)).join(', ')}; ${Math.round(s2.storeLookupsPerSecond)} vs ${Math.round(s2.plainReadsPerSecond)} per s; target <= ${s2.target}x: ${s2.ratio <= s2.target ? 'met' : 'not met'})`,
  );
  if (r.S3.skipped) out(`S3 remote hit latency: not measured (${r.S3.skipped})`);
  else out(`S3 remote hit on loopback nginx: median ${r.S3.medianHitMs.toFixed(2)} ms per hit = ${r.S3.ratio.toFixed(2)}x two plain keep-alive GETs of the same URLs (${r.S3.medianPlainGetsMs.toFixed(2)} ms), ${r.S3.hits} hits`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { REPO } = await import('./bench-common.mjs');
  const r = await benchStore({ repo: REPO, log: (l) => process.stderr.write(`[bench] ${l}\n`) });
  printStore(r, console.log);
}
