// The store a build uses: the local filesystem store first, then (when configured) the
// HTTP remote. Writes go to both (write-through) unless the remote is read-only.
//
// A remote hit is NOT copied into the local store by the lookup: the caller re-checks it
// first (unless the remote is trusted) and then calls adopt(). Copying before the check
// would turn an unchecked remote answer into a local hit that the next build links
// without any check.
import { FsStore, manifestBlobs, type FsStoreOptions } from './fs-store.js';
import { HttpRemote, type HttpRemoteOptions } from './http-remote.js';
import { appendCounters, ZERO_COUNTERS, type StoreCounters } from './stats.js';
import type { Manifest } from './types.js';

export interface TieredStoreOptions {
  /** Local store folder. */
  root: string;
  local?: Omit<FsStoreOptions, 'onWarning'>;
  /** The remote, or undefined for a local-only store. */
  remote?: Omit<HttpRemoteOptions, 'onWarning'>;
  /**
   * Remote hits are linked without the re-check. Only for a remote that nothing but
   * trusted CI jobs can write to (see README, "Sharing the store").
   */
  remoteTrusted?: boolean;
  onWarning?: (message: string) => void;
}

export interface StoreHit {
  manifest: Manifest;
  origin: 'local' | 'remote';
}

export class TieredStore {
  readonly local: FsStore;
  readonly remote: HttpRemote | null;
  readonly remoteTrusted: boolean;
  /** Blobs of remote hits not (yet) adopted, so the caller can read the chosen text. */
  private readonly remoteBlobs = new Map<string, Buffer>();
  /** Blobs put in this process, kept for the upload that follows their manifest. */
  private readonly putBlobs = new Map<string, Buffer>();
  private readonly extra = { remoteHits: 0, rejectedRemoteHits: 0 };
  private localHitCount = 0;

  constructor(options: TieredStoreOptions) {
    this.local = new FsStore(options.root, { ...options.local, onWarning: options.onWarning });
    this.remote = options.remote ? new HttpRemote({ ...options.remote, onWarning: options.onWarning }) : null;
    this.remoteTrusted = options.remoteTrusted ?? false;
  }

  /** Local first, then remote. A remote hit comes back with origin 'remote' and is not yet local. */
  async lookup(key: string, keyInputs: unknown): Promise<StoreHit | null> {
    const local = await this.local.getManifest(key, keyInputs);
    if (local) {
      this.localHitCount++;
      return { manifest: local, origin: 'local' };
    }
    if (!this.remote) return null;
    const entry = await this.remote.getEntry(key, keyInputs);
    if (!entry) return null;
    for (const [digest, bytes] of entry.blobs) this.remoteBlobs.set(digest, bytes);
    this.extra.remoteHits++;
    return { manifest: entry.manifest, origin: 'remote' };
  }

  /** Copies a (checked) remote hit into the local store: its blobs first, then the manifest. */
  async adopt(hit: StoreHit): Promise<void> {
    if (hit.origin !== 'remote') return;
    for (const c of hit.manifest.candidates) {
      const bytes = this.remoteBlobs.get(c.sourceDigest);
      if (bytes) await this.local.putBlob(bytes);
    }
    await this.putLocalManifest(hit.manifest);
  }

  private async putLocalManifest(m: Manifest): Promise<void> {
    // A blob whose write failed (disk full) would leave a manifest that can never hit: skip it.
    const blobsHere = await Promise.all(manifestBlobs(m).map((d) => this.local.hasBlob(d)));
    if (blobsHere.every(Boolean)) await this.local.putManifest(m);
  }

  /** Records that the re-check refused a remote hit (it is then treated as a miss). */
  rejected(_hit: StoreHit): void {
    this.extra.rejectedRemoteHits++;
  }

  async getBlob(digest: string): Promise<Buffer | null> {
    return (await this.local.getBlob(digest)) ?? this.remoteBlobs.get(digest) ?? null;
  }

  async putBlob(data: string | Buffer): Promise<string> {
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    const digest = await this.local.putBlob(bytes);
    if (this.remote && !this.remote.readOnly) this.putBlobs.set(digest, bytes);
    return digest;
  }

  /** Local write, then (write-through) the remote: blobs before the manifest that names them. */
  async putManifest(m: Manifest): Promise<void> {
    await this.putLocalManifest(m);
    if (!this.remote || this.remote.readOnly) return;
    for (const c of m.candidates) {
      const bytes = this.putBlobs.get(c.sourceDigest) ?? (await this.local.getBlob(c.sourceDigest));
      if (!bytes) return; // cannot upload a complete entry: upload none of it
      await this.remote.putBlob(bytes);
    }
    if (this.remote.disabled === null) await this.remote.putManifest(m);
  }

  /** This process's counters, in the shape `autopar cache -s` sums. */
  counters(): StoreCounters {
    const l = this.local.snapshotCounters();
    const r = this.remote?.counters;
    return {
      ...ZERO_COUNTERS,
      localHits: this.localHitCount,
      remoteHits: this.extra.remoteHits - this.extra.rejectedRemoteHits,
      rejectedRemoteHits: this.extra.rejectedRemoteHits,
      // A lookup that missed locally and then hit remotely is one hit, not a miss and a hit.
      misses: Math.max(0, l.misses - this.extra.remoteHits) + this.extra.rejectedRemoteHits,
      corrupt: l.corrupt + (r?.corrupt ?? 0),
      remoteErrors: r?.errors ?? 0,
      writeErrors: l.writeErrors,
      evictions: l.evicted,
      uploads: r?.uploads ?? 0,
      bytesDown: r?.bytesDown ?? 0,
      bytesUp: r?.bytesUp ?? 0,
    };
  }

  /** Appends this build's counters to the local statistics and closes remote connections. */
  async close(): Promise<void> {
    await appendCounters(this.local.root, this.counters());
    this.remote?.close();
  }
}
