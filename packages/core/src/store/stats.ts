// Cumulative store statistics, ccache-style (`autopar cache -s`): each build appends one
// line of its counters to <root>/stats.log; `cache stats` sums the lines.
//
// Why a log and not one counters file: many builds (CI shards, `nx run-many`) end at once.
// An O_APPEND write of one short line is not interleaved with another process's line on a
// local file system, so no lock and no read-modify-write race is needed. `cache prune`
// folds the log into one line so it stays small.
import { promises as fsp } from 'node:fs';
import path from 'node:path';

export interface StoreCounters {
  /** Lookups answered by the local store (memory or disk). */
  localHits: number;
  /** Lookups answered by the remote (after the local store missed). */
  remoteHits: number;
  /** Lookups answered by neither. */
  misses: number;
  /** Remote hits that the re-check before linking rejected (counted as misses too). */
  rejectedRemoteHits: number;
  /** Local entries that failed an integrity check and were quarantined. */
  corrupt: number;
  /** Remote requests that failed or answered garbage. */
  remoteErrors: number;
  /** Local write failures (disk full, read-only). */
  writeErrors: number;
  /** Local files removed by the size cap. */
  evictions: number;
  /** Entries uploaded to the remote. */
  uploads: number;
  bytesDown: number;
  bytesUp: number;
}

export const ZERO_COUNTERS: StoreCounters = {
  localHits: 0,
  remoteHits: 0,
  misses: 0,
  rejectedRemoteHits: 0,
  corrupt: 0,
  remoteErrors: 0,
  writeErrors: 0,
  evictions: 0,
  uploads: 0,
  bytesDown: 0,
  bytesUp: 0,
};

const FILE = 'stats.log';

export function addCounters(a: StoreCounters, b: Partial<StoreCounters>): StoreCounters {
  const out = { ...a };
  for (const k of Object.keys(ZERO_COUNTERS) as Array<keyof StoreCounters>) {
    const v = b[k];
    if (typeof v === 'number' && Number.isFinite(v)) out[k] += v;
  }
  return out;
}

/** Appends one build's counters. Failure (read-only cache) is silent: statistics are not worth a warning. */
export async function appendCounters(root: string, c: StoreCounters): Promise<void> {
  if (Object.values(c).every((v) => v === 0)) return;
  const line = JSON.stringify({ at: new Date().toISOString(), ...c }) + '\n';
  try {
    await fsp.mkdir(root, { recursive: true });
    await fsp.appendFile(path.join(root, FILE), line);
  } catch {
    // nothing to do
  }
}

/** The sum of every line; a damaged line (a crash mid-append) is skipped. */
export async function readCounters(root: string): Promise<StoreCounters> {
  let text = '';
  try {
    text = await fsp.readFile(path.join(root, FILE), 'utf8');
  } catch {
    return { ...ZERO_COUNTERS };
  }
  let sum = { ...ZERO_COUNTERS };
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      sum = addCounters(sum, JSON.parse(line) as Partial<StoreCounters>);
    } catch {
      // a torn line: skip it
    }
  }
  return sum;
}

/** Replaces the log by one line holding its sum (temp file + rename). */
export async function compactCounters(root: string): Promise<void> {
  const sum = await readCounters(root);
  const tmp = path.join(root, `${FILE}.${process.pid}.tmp`);
  try {
    await fsp.writeFile(tmp, JSON.stringify({ at: new Date().toISOString(), ...sum }) + '\n');
    await fsp.rename(tmp, path.join(root, FILE));
  } catch {
    await fsp.rm(tmp, { force: true }).catch(() => {});
  }
}

export async function clearCounters(root: string): Promise<void> {
  await fsp.rm(path.join(root, FILE), { force: true });
}
