// Filesystem store: `ac/` manifests and `cas/` blobs under one root (default
// `.autopar/cache`, chosen by the caller).
//
//   ac/<key[0:2]>/<key>       manifest, in an envelope with its own sha256
//   cas/<d[0:2]>/<sha256>     blob whose name is the sha256 of its bytes
//   quarantine/               entries that failed an integrity check (kept for a post-mortem)
//   tmp/                      files being written; renamed into place when complete
//
// Rules this file keeps:
// - Every read is checked. Anything that does not check out is a miss, never an error:
//   the original kernel is always a correct fallback, so a broken cache must cost
//   time, not correctness.
// - A manifest is returned only when its recorded key inputs equal the request's and
//   every blob it names is present and intact.
// - Writes are temp file + fsync + rename, so readers see a whole old file or a whole
//   new file. Two writers of one key both write complete files; the last rename wins.
// - Write failures (disk full, read-only dir) are warnings: the build goes on uncached.
import { randomBytes } from 'node:crypto';
import { closeSync, fstatSync, openSync, promises as fsp, readSync } from 'node:fs';
import path from 'node:path';
import { LRUCache } from 'lru-cache';
import { decodeManifest, encodeManifest, manifestBlobs, matchManifest, matchSplit, sha256Hex, type ManifestMatch, type SplitManifest } from './manifest-file.js';
import type { Manifest } from './types.js';

export { decodeManifest, encodeManifest, manifestBlobs, sha256Hex };

/** A manifest as read and checked from disk, kept as text: each memory hit parses a fresh copy. */
type MemoryEntry = SplitManifest;

export interface FsStoreOptions {
  /** Size cap for ac/ + cas/ in bytes; no cap when absent. */
  maxBytes?: number;
  /**
   * How far below the cap an automatic eviction goes, in bytes (default 10% of
   * maxBytes). The next automatic scan happens only after about this much has been
   * written, so puts are not O(entries) each.
   */
  evictSlackBytes?: number;
  /** Entries kept in the in-process manifest cache (default 1000). */
  memoryEntries?: number;
  /** Integrity problems and write failures. Defaults to silence. */
  onWarning?: (message: string) => void;
}

/** Counters for this process. */
export interface FsStoreCounters {
  memoryHits: number;
  diskHits: number;
  misses: number;
  corrupt: number;
  writeErrors: number;
  evicted: number;
}

/** What is in the store folder, plus this process's counters. */
export interface StoreStats extends FsStoreCounters {
  root: string;
  manifests: number;
  blobs: number;
  /** Bytes in ac/ + cas/ (what the size cap counts). */
  bytes: number;
  quarantined: number;
  tmpFiles: number;
}

const HEX64 = /^[0-9a-f]{64}$/;
// Temp files older than this belong to a writer that died; eviction removes them.
const STALE_TMP_MS = 60 * 60 * 1000;

/**
 * A hit refreshes an entry's mtime (the LRU clock) only when it is older than this: the
 * size cap evicts by hours and days, and skipping the write on hot entries saves two
 * metadata writes per lookup on a no-change rebuild.
 */
const TOUCH_AFTER_MS = 60 * 60 * 1000;

function errCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

function checkDigest(kind: string, value: string): void {
  // Keys and digests become file names: anything but lowercase sha256 hex is a caller bug.
  if (!HEX64.test(value)) throw new TypeError(`${kind} must be 64 lowercase hex characters, got ${JSON.stringify(value)}`);
}

export class FsStore {
  readonly root: string;
  private readonly maxBytes: number | undefined;
  private readonly slack: number;
  private readonly warn: (message: string) => void;
  private readonly memory: LRUCache<string, MemoryEntry>;
  private readonly madeDirs = new Set<string>();
  private readonly warnedWriteCodes = new Set<string>();
  /** Bytes in ac/ + cas/ as of the last scan plus what this process wrote since; null before the first scan. */
  private approxBytes: number | null = null;
  private evicting: Promise<void> | null = null;
  private readonly counters: FsStoreCounters = { memoryHits: 0, diskHits: 0, misses: 0, corrupt: 0, writeErrors: 0, evicted: 0 };

  /** `root`: the cache folder, e.g. `<workspace>/.autopar/cache`; created on first write. */
  constructor(root: string, options: FsStoreOptions = {}) {
    this.root = path.resolve(root);
    this.maxBytes = options.maxBytes;
    this.slack = options.evictSlackBytes ?? Math.floor((options.maxBytes ?? 0) / 10);
    this.warn = options.onWarning ?? (() => {});
    this.memory = new LRUCache<string, MemoryEntry>({ max: options.memoryEntries ?? 1000 });
  }

  private acPath(key: string): string {
    // Plain concatenation, not path.join: root is already resolved and the rest is hex, and
    // this runs twice per lookup.
    return `${this.root}${path.sep}ac${path.sep}${key.slice(0, 2)}${path.sep}${key}`;
  }

  private casPath(digest: string): string {
    return `${this.root}${path.sep}cas${path.sep}${digest.slice(0, 2)}${path.sep}${digest}`;
  }

  // ---- reads -------------------------------------------------------------------

  async getManifest(key: string, expectedKeyInputs: unknown): Promise<Manifest | null> {
    checkDigest('key', key);

    const cached = this.memory.get(key);
    if (cached) {
      const match = matchSplit(cached, key, expectedKeyInputs);
      if ('manifest' in match) {
        this.counters.memoryHits++;
        return match.manifest;
      }
      this.missFor(key, match);
      return null;
    }

    const file = this.acPath(key);
    const read = this.readFileAndAge(file);
    if (read === null) {
      this.counters.misses++;
      return null;
    }
    const match: ManifestMatch = matchManifest(read.bytes, key, expectedKeyInputs);
    if ('error' in match) {
      await this.quarantine(file, `manifest ${key}: ${match.error}`);
      this.counters.misses++;
      return null;
    }
    if ('otherInputs' in match) {
      // Same key, different inputs: a sha256 collision or, far likelier, a bug in how
      // keys are computed. Either way the entry does not answer this request. The file
      // is left alone; the next put of this key replaces it.
      this.missFor(key, match);
      return null;
    }
    const m = match.manifest;
    for (const digest of manifestBlobs(m)) {
      if (!HEX64.test(digest) || (await this.getBlob(digest)) === null) {
        this.counters.misses++;
        return null;
      }
    }
    if (Date.now() - read.mtimeMs > TOUCH_AFTER_MS) await this.touch(file);
    this.counters.diskHits++;
    this.memory.set(key, match.split);
    return m;
  }

  private missFor(key: string, match: ManifestMatch): void {
    if ('otherInputs' in match) this.warnKeyMismatch(key);
    this.counters.misses++;
  }

  async getBlob(digest: string): Promise<Buffer | null> {
    checkDigest('digest', digest);
    const file = this.casPath(digest);
    const read = this.readFileAndAge(file);
    if (read === null) return null;
    if (sha256Hex(read.bytes) !== digest) {
      await this.quarantine(file, `blob ${digest}: content does not match its digest`);
      return null;
    }
    if (Date.now() - read.mtimeMs > TOUCH_AFTER_MS) await this.touch(file);
    return read.bytes;
  }

  /** True when a file for `digest` is in cas/ (not checked: for writers deciding what to write). */
  async hasBlob(digest: string): Promise<boolean> {
    checkDigest('digest', digest);
    return (await fsp.stat(this.casPath(digest)).catch(() => null))?.isFile() ?? false;
  }

  /** Reads a whole file; null when absent or unreadable (unreadable also warns). */
  private async readFile(file: string): Promise<Buffer | null> {
    try {
      return await fsp.readFile(file);
    } catch (err) {
      if (errCode(err) !== 'ENOENT' && errCode(err) !== 'ENOTDIR') {
        this.warn(`autopar cache: cannot read ${file}: ${(err as Error).message}; treated as a miss`);
      }
      return null;
    }
  }

  /** readFile plus the file's mtime, from one open file (no second path lookup). */
  // Synchronous on purpose: a lookup reads two small files (manifest, blob), and on the
  // lookup path of a no-change build four thread-pool round trips per file cost more than
  // the reads themselves. The files are small (a manifest, a variant's source).
  private readFileAndAge(file: string): { bytes: Buffer; mtimeMs: number } | null {
    let fd: number;
    try {
      fd = openSync(file, 'r');
    } catch (err) {
      if (errCode(err) !== 'ENOENT' && errCode(err) !== 'ENOTDIR') {
        this.warn(`autopar cache: cannot read ${file}: ${(err as Error).message}; treated as a miss`);
      }
      return null;
    }
    try {
      const st = fstatSync(fd);
      const bytes = Buffer.allocUnsafe(st.size);
      let off = 0;
      while (off < st.size) {
        const bytesRead = readSync(fd, bytes, off, st.size - off, off);
        if (bytesRead === 0) break; // shrank under us: the checks below see a short file
        off += bytesRead;
      }
      return { bytes: off === st.size ? bytes : bytes.subarray(0, off), mtimeMs: st.mtimeMs };
    } catch (err) {
      this.warn(`autopar cache: cannot read ${file}: ${(err as Error).message}; treated as a miss`);
      return null;
    } finally {
      try {
        closeSync(fd);
      } catch {
        // closing a file we only read cannot lose data
      }
    }
  }

  /** Marks an entry used: its mtime is the LRU clock (atime is unreliable under noatime/relatime). */
  private async touch(file: string): Promise<void> {
    const now = new Date();
    try {
      await fsp.utimes(file, now, now);
    } catch {
      // Read-only cache or a racing eviction: recency is a hint, not worth a warning.
    }
  }

  private warnKeyMismatch(key: string): void {
    this.warn(
      `autopar cache: manifest ${key} was stored for different key inputs ` +
        '(a hash collision or a bug in key computation); treated as a miss',
    );
  }

  /** Moves a bad entry aside so it is neither read again nor lost for diagnosis. */
  private async quarantine(file: string, reason: string): Promise<void> {
    this.counters.corrupt++;
    const rel = path.relative(this.root, file).split(path.sep).join('_');
    const dest = path.join(this.root, 'quarantine', `${rel}.${Date.now()}.${randomBytes(4).toString('hex')}`);
    try {
      await fsp.mkdir(path.dirname(dest), { recursive: true });
      await fsp.rename(file, dest);
      this.warn(`autopar cache: ${reason}; treated as a miss and moved to ${dest}`);
    } catch (err) {
      // Cannot move it (read-only cache?): try to delete it; if that fails too it stays a miss on every read.
      await fsp.rm(file, { force: true }).catch(() => {});
      this.warn(`autopar cache: ${reason}; treated as a miss (could not quarantine: ${(err as Error).message})`);
    }
  }

  // ---- writes ------------------------------------------------------------------

  async putManifest(m: Manifest): Promise<void> {
    checkDigest('key', m.key);
    if (m.schema !== 'autopar-manifest-v1') throw new TypeError(`unknown manifest schema ${String(m.schema)}`);
    await this.writeAtomic(this.acPath(m.key), encodeManifest(m));
    // The memory layer is filled only by checked disk reads: a put whose blobs failed to
    // write (disk full) must not be served from memory as if it were complete.
    this.memory.delete(m.key);
    await this.maybeEvict();
  }

  /** Stores a blob and returns its sha256. On a write failure it warns and still returns the digest. */
  async putBlob(data: string | Buffer): Promise<string> {
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    const digest = sha256Hex(bytes);
    const file = this.casPath(digest);
    // Content-addressed: an existing file of the right size is this blob already.
    // (A same-size corrupt file is caught by the digest check on read and quarantined.)
    const st = await fsp.stat(file).catch(() => null);
    if (st && st.size === bytes.length) {
      await this.touch(file);
      return digest;
    }
    await this.writeAtomic(file, bytes);
    await this.maybeEvict();
    return digest;
  }

  /** temp file (O_EXCL, unique name) → write → fsync → rename → fsync dir. False when it could not be written. */
  private async writeAtomic(dest: string, bytes: Buffer): Promise<boolean> {
    try {
      await this.writeAtomicOnce(dest, bytes);
    } catch (err) {
      if (errCode(err) !== 'ENOENT') {
        this.writeFailed(dest, err);
        return false;
      }
      // A directory we made earlier was removed under us (`rm -rf .autopar/cache`): make it again, once.
      this.madeDirs.clear();
      try {
        await this.writeAtomicOnce(dest, bytes);
      } catch (err2) {
        this.writeFailed(dest, err2);
        return false;
      }
    }
    if (this.approxBytes !== null) this.approxBytes += bytes.length;
    return true;
  }

  private async writeAtomicOnce(dest: string, bytes: Buffer): Promise<void> {
    const tmpDir = path.join(this.root, 'tmp');
    // pid + random: unique across processes and concurrent writes in one process.
    const tmp = path.join(tmpDir, `${path.basename(dest)}.${process.pid}.${randomBytes(6).toString('hex')}`);
    await this.mkdirOnce(tmpDir);
    await this.mkdirOnce(path.dirname(dest));
    const fh = await fsp.open(tmp, 'wx', 0o644);
    try {
      try {
        await fh.writeFile(bytes);
        await fh.sync();
      } finally {
        await fh.close();
      }
      await fsp.rename(tmp, dest);
    } catch (err) {
      // Never leave a partial file behind (disk full mid-write).
      await fsp.rm(tmp, { force: true }).catch(() => {});
      throw err;
    }
    await this.syncDir(path.dirname(dest));
  }

  private async mkdirOnce(dir: string): Promise<void> {
    if (this.madeDirs.has(dir)) return;
    await fsp.mkdir(dir, { recursive: true });
    this.madeDirs.add(dir);
  }

  /** Makes the rename durable. Cheap on Linux; some platforms cannot open a directory, which is fine. */
  private async syncDir(dir: string): Promise<void> {
    try {
      const fh = await fsp.open(dir, 'r');
      try {
        await fh.sync();
      } finally {
        await fh.close();
      }
    } catch {
      // Not supported here (e.g. Windows): the rename is still atomic, only less durable on power loss.
    }
  }

  private writeFailed(dest: string, err: unknown): void {
    const code = errCode(err);
    if (code === undefined) throw err; // not an I/O error: a bug, let it surface
    this.counters.writeErrors++;
    // One warning per kind of failure: a full disk should not print a line per kernel.
    if (this.warnedWriteCodes.has(code)) return;
    this.warnedWriteCodes.add(code);
    this.warn(
      `autopar cache: cannot write ${dest} (${code}: ${(err as Error).message}); ` +
        'the build goes on without caching this result (further failures of this kind are only counted)',
    );
  }

  // ---- size cap ----------------------------------------------------------------

  private async maybeEvict(): Promise<void> {
    if (this.maxBytes === undefined) return;
    // First put of the process scans once to learn the size; after that the running
    // estimate triggers a scan only when it crosses the cap. Other processes' writes are
    // not seen until the next scan, so the cap is approximate (as in ccache).
    if (this.approxBytes !== null && this.approxBytes <= this.maxBytes) return;
    await this.evict(this.approxBytes === null ? this.maxBytes : Math.max(0, this.maxBytes - this.slack));
  }

  /**
   * Deletes least recently used entries (by the mtime that reads refresh) until ac/ +
   * cas/ hold at most maxBytes. Also removes temp files left by writers that died.
   * Concurrent calls in one process share one pass.
   */
  async evict(maxBytes: number): Promise<void> {
    if (this.evicting) return this.evicting;
    this.evicting = this.evictOnce(maxBytes).finally(() => {
      this.evicting = null;
    });
    return this.evicting;
  }

  private async evictOnce(maxBytes: number): Promise<void> {
    const entries = [...(await this.listFiles('ac')), ...(await this.listFiles('cas'))];
    let total = entries.reduce((sum, e) => sum + e.size, 0);
    if (total > maxBytes) {
      entries.sort((a, b) => a.mtimeMs - b.mtimeMs);
      let removedAny = false;
      for (const e of entries) {
        if (total <= maxBytes) break;
        try {
          await fsp.rm(e.file);
          removedAny = true;
          this.counters.evicted++;
        } catch {
          // Someone else evicted it first; it is gone either way.
        }
        total -= e.size;
      }
      // A manifest in memory may name a blob just deleted; drop the layer rather than track references.
      if (removedAny) this.memory.clear();
    }
    this.approxBytes = total;
    const now = Date.now();
    for (const t of await this.listFiles('tmp')) {
      if (now - t.mtimeMs > STALE_TMP_MS) await fsp.rm(t.file, { force: true }).catch(() => {});
    }
  }

  /** Regular files under root/<sub>, recursively, with size and mtime. Missing dirs are empty. */
  private async listFiles(sub: string): Promise<Array<{ file: string; size: number; mtimeMs: number }>> {
    const out: Array<{ file: string; size: number; mtimeMs: number }> = [];
    const walk = async (dir: string): Promise<void> => {
      const names = await fsp.readdir(dir, { withFileTypes: true }).catch(() => []);
      for (const d of names) {
        const file = path.join(dir, d.name);
        if (d.isDirectory()) await walk(file);
        else if (d.isFile()) {
          const st = await fsp.stat(file).catch(() => null);
          if (st) out.push({ file, size: st.size, mtimeMs: st.mtimeMs });
        }
      }
    };
    await walk(path.join(this.root, sub));
    return out;
  }

  // ---- housekeeping (autopar cache verify | clear) -------------------------------

  /**
   * Checks every entry on disk: each blob against its name, each manifest's envelope and
   * key, and that the blobs it names are present. Damaged ones are quarantined (as a read
   * would); a manifest with a missing blob is removed (it can never be a hit).
   */
  async verifyAll(): Promise<{ manifests: number; blobs: number; damaged: string[] }> {
    const damaged: string[] = [];
    const cas = await this.listFiles('cas');
    const good = new Set<string>();
    for (const f of cas) {
      const digest = path.basename(f.file);
      if (!HEX64.test(digest)) {
        damaged.push(f.file);
        await this.quarantine(f.file, `cas file ${f.file}: not named by a sha256`);
      } else if ((await this.getBlob(digest)) === null) damaged.push(f.file);
      else good.add(digest);
    }
    const ac = await this.listFiles('ac');
    for (const f of ac) {
      const key = path.basename(f.file);
      const bytes = await this.readFile(f.file);
      if (bytes === null) continue; // removed meanwhile
      const decoded = decodeManifest(bytes);
      const problem =
        !HEX64.test(key) ? 'not named by a sha256'
        : 'error' in decoded ? decoded.error
        : decoded.manifest.key !== key ? `records key ${decoded.manifest.key}`
        : manifestBlobs(decoded.manifest).some((d) => !good.has(d)) ? 'names a blob that is missing or damaged'
        : null;
      if (problem === null) continue;
      damaged.push(f.file);
      await this.quarantine(f.file, `manifest ${key}: ${problem}`);
    }
    this.memory.clear();
    return { manifests: ac.length, blobs: cas.length, damaged };
  }

  /** Removes every entry, temp file and quarantined file (not the statistics: the caller decides). */
  async clear(): Promise<number> {
    let removed = 0;
    for (const sub of ['ac', 'cas', 'tmp', 'quarantine']) {
      removed += (await this.listFiles(sub)).length;
      await fsp.rm(path.join(this.root, sub), { recursive: true, force: true });
    }
    this.memory.clear();
    this.madeDirs.clear();
    this.approxBytes = null;
    return removed;
  }

  /** Removes quarantined files (kept for a post-mortem until a prune). */
  async dropQuarantine(): Promise<number> {
    const n = (await this.listFiles('quarantine')).length;
    await fsp.rm(path.join(this.root, 'quarantine'), { recursive: true, force: true });
    return n;
  }

  // ---- reporting ---------------------------------------------------------------

  /** This process's counters, without walking the store (for the per-build statistics). */
  snapshotCounters(): FsStoreCounters {
    return { ...this.counters };
  }

  /** Walks the store (O(entries)): for `autopar cache stats`, not for the hot path. */
  async stats(): Promise<StoreStats> {
    const ac = await this.listFiles('ac');
    const cas = await this.listFiles('cas');
    const quarantine = await this.listFiles('quarantine');
    const tmp = await this.listFiles('tmp');
    return {
      root: this.root,
      manifests: ac.length,
      blobs: cas.length,
      bytes: [...ac, ...cas].reduce((sum, e) => sum + e.size, 0),
      quarantined: quarantine.length,
      tmpFiles: tmp.length,
      ...this.counters,
    };
  }
}
