// The sandbox's memory cap per step (cgroup memory.max): 2 GiB unless the kernel's spec
// (`memoryLimit`) or the environment (AUTOPAR_MEMORY_LIMIT) says otherwise; the spec's
// value wins, as it belongs to the kernel (a big bench size) rather than to the machine.
// It can change a verdict (a step over the cap is stopped), so it is part of the key: the
// spec is keyed as a whole, and a set AUTOPAR_MEMORY_LIMIT is part of the conditions.

/** The cap when neither the spec nor the environment sets one. */
export const DEFAULT_MEMORY_LIMIT_BYTES = 2 * 1024 ** 3;

/** Below this a harness cannot even start (the C runtime, OpenMP's thread stacks). */
const SMALLEST_MEMORY_LIMIT_BYTES = 16 * 1024 ** 2;

const UNITS: Record<string, number> = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4 };

export class MemoryLimitError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MemoryLimitError';
  }
}

/**
 * Parses "512M", "4G", "4GiB", "1.5G" or a number of bytes (binary units: K = 1024).
 * `what` names the field or variable in the error, e.g. 'AUTOPAR_MEMORY_LIMIT'.
 */
export function parseMemoryLimit(value: string | number, what: string): number {
  const fix = `use a size such as "512M", "4G" or "16G" (K, M, G, T are powers of 1024), at least 16M`;
  let bytes: number;
  if (typeof value === 'number') bytes = value;
  else {
    const m = /^\s*(\d+(?:\.\d+)?)\s*([KMGT]?)(?:i?B)?\s*$/i.exec(value);
    if (!m) throw new MemoryLimitError(`${what}: "${value}" is not a memory size; ${fix}`);
    bytes = Number(m[1]) * UNITS[m[2]!.toUpperCase()]!;
  }
  if (!Number.isFinite(bytes) || bytes < SMALLEST_MEMORY_LIMIT_BYTES) {
    throw new MemoryLimitError(`${what}: ${JSON.stringify(value)} is too small for a test step; ${fix}`);
  }
  return Math.floor(bytes);
}

/** AUTOPAR_MEMORY_LIMIT in bytes, or undefined when unset or empty. Throws on a bad value. */
export function memoryLimitFromEnv(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const v = env.AUTOPAR_MEMORY_LIMIT;
  return v && v.trim() ? parseMemoryLimit(v, 'AUTOPAR_MEMORY_LIMIT') : undefined;
}

/** The cap for a kernel's steps: its spec's memoryLimit, else AUTOPAR_MEMORY_LIMIT, else 2 GiB. */
export function kernelMemoryLimit(spec: { memoryLimit?: string | number }, env: NodeJS.ProcessEnv = process.env): number {
  if (spec.memoryLimit !== undefined) return parseMemoryLimit(spec.memoryLimit, 'memoryLimit');
  return memoryLimitFromEnv(env) ?? DEFAULT_MEMORY_LIMIT_BYTES;
}
