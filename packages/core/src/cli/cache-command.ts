// `autopar cache stats | prune | verify | clear` (and ccache's `-s`): housekeeping of the
// local store. Plain data out (json) plus the text the CLI prints.
import { FsStore } from '../store/fs-store.js';
import { formatSize, parseSize } from '../store/size.js';
import { appendCounters, clearCounters, compactCounters, readCounters, ZERO_COUNTERS } from '../store/stats.js';

export const CACHE_ACTIONS = ['stats', 'prune', 'verify', 'clear'] as const;
export type CacheAction = (typeof CACHE_ACTIONS)[number];

export interface CacheCommandOptions {
  cacheDir: string;
  /** prune: the cap, bytes or "2G". */
  maxSize?: string;
}

export interface CacheCommandResult {
  text: string;
  json: unknown;
  exitCode: number;
}

export async function runCacheCommand(action: string, o: CacheCommandOptions): Promise<CacheCommandResult> {
  if (!(CACHE_ACTIONS as readonly string[]).includes(action)) {
    throw new Error(`cache: unknown action "${action}"; use one of ${CACHE_ACTIONS.join(', ')} (e.g. autopar cache stats)`);
  }
  const store = new FsStore(o.cacheDir);
  switch (action as CacheAction) {
    case 'stats': {
      const s = await store.stats();
      const c = await readCounters(o.cacheDir);
      const lookups = c.localHits + c.remoteHits + c.misses;
      const pct = (n: number) => (lookups === 0 ? '-' : `${((100 * n) / lookups).toFixed(1)} %`);
      const rows: Array<[string, string]> = [
        ['store', s.root],
        ['manifests', String(s.manifests)],
        ['blobs', String(s.blobs)],
        ['size', formatSize(s.bytes)],
        ['quarantined files', String(s.quarantined)],
        ['temp files', String(s.tmpFiles)],
        ['lookups', String(lookups)],
        ['  local hits', `${c.localHits} (${pct(c.localHits)})`],
        ['  remote hits', `${c.remoteHits} (${pct(c.remoteHits)})`],
        ['  misses', `${c.misses} (${pct(c.misses)})`],
        ['remote hits refused by re-check', String(c.rejectedRemoteHits)],
        ['remote errors', String(c.remoteErrors)],
        ['corrupt entries', String(c.corrupt)],
        ['write errors', String(c.writeErrors)],
        ['evictions', String(c.evictions)],
        ['uploaded', `${c.uploads} (${formatSize(c.bytesUp)})`],
        ['downloaded', formatSize(c.bytesDown)],
      ];
      const text = rows.map(([k, v]) => `${k.padEnd(32)} ${v}\n`).join('');
      return { text, json: { store: s, counters: c }, exitCode: 0 };
    }
    case 'prune': {
      const cap = o.maxSize === undefined ? undefined : parseSize(o.maxSize);
      const before = await store.stats();
      // Without a cap: only stale temp files and the quarantine go.
      await store.evict(cap ?? Number.MAX_SAFE_INTEGER);
      const quarantined = await store.dropQuarantine();
      const after = await store.stats();
      await appendCounters(o.cacheDir, { ...ZERO_COUNTERS, evictions: after.evicted });
      await compactCounters(o.cacheDir);
      const text =
        `pruned ${o.cacheDir}${cap === undefined ? ' (no --max-size or AUTOPAR_CACHE_MAX_SIZE: temp and quarantined files only)' : ` to ${formatSize(cap)}`}: ` +
        `${after.evicted} file(s) evicted, ${quarantined} quarantined file(s) removed, ${formatSize(before.bytes)} → ${formatSize(after.bytes)}\n`;
      return { text, json: { cap: cap ?? null, evicted: after.evicted, quarantinedRemoved: quarantined, bytesBefore: before.bytes, bytesAfter: after.bytes }, exitCode: 0 };
    }
    case 'verify': {
      const r = await store.verifyAll();
      await appendCounters(o.cacheDir, { ...ZERO_COUNTERS, corrupt: r.damaged.length });
      const text =
        `checked ${r.manifests} manifest(s) and ${r.blobs} blob(s) in ${o.cacheDir}: ` +
        (r.damaged.length === 0 ? 'all intact\n' : `${r.damaged.length} damaged, moved to quarantine/:\n${r.damaged.map((d) => `  ${d}\n`).join('')}`);
      // Non-zero when something was damaged, so a scheduled CI job notices.
      return { text, json: r, exitCode: r.damaged.length === 0 ? 0 : 1 };
    }
    case 'clear': {
      const removed = await store.clear();
      await clearCounters(o.cacheDir);
      return { text: `cleared ${o.cacheDir}: ${removed} file(s) removed, statistics zeroed\n`, json: { removed }, exitCode: 0 };
    }
  }
}
