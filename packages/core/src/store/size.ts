// Sizes as people write them for a cache cap ("500M", "2G", ccache's -M): bytes in, bytes out.
const UNITS: Record<string, number> = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4 };

/** "2G" → 2147483648; a plain number is bytes. Throws a TypeError naming the accepted forms. */
export function parseSize(v: string | number): number {
  if (typeof v === 'number') {
    if (Number.isFinite(v) && v > 0) return Math.floor(v);
  } else {
    const m = /^\s*(\d+(?:\.\d+)?)\s*([KMGT]?)i?B?\s*$/i.exec(v);
    if (m && Number(m[1]) > 0) return Math.floor(Number(m[1]) * UNITS[m[2]!.toUpperCase()]!);
  }
  throw new TypeError(`size ${JSON.stringify(v)} is not a positive size; write bytes or a number with K, M, G or T (e.g. "2G")`);
}

export function formatSize(bytes: number): string {
  for (const u of ['T', 'G', 'M', 'K'] as const) {
    if (bytes >= UNITS[u]!) return `${(bytes / UNITS[u]!).toFixed(1)} ${u}B`;
  }
  return `${bytes} B`;
}
