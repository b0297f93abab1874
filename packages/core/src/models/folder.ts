// The models folder (where pulled GGUF files live) and the sha256 of a GGUF file.
//
// The sha256 of the weights is part of every cache key made with an embedded model.
// Hashing 100–250 MB costs about a second, so the digest is remembered in a sidecar
// file `<file>.sha256.json` together with the file's size and mtime: a changed file
// (different size or mtime) is hashed again.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, stat, writeFile, rename } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

/**
 * The models folder: `explicit` (option `modelsDir`), else env AUTOPAR_MODELS_DIR, else
 * `$XDG_CACHE_HOME/autopar/models`, else `~/.cache/autopar/models`.
 */
export function modelsDir(explicit?: string): string {
  if (explicit) return resolve(explicit);
  if (process.env.AUTOPAR_MODELS_DIR) return resolve(process.env.AUTOPAR_MODELS_DIR);
  const cache = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(cache, 'autopar', 'models');
}

/** sha256 hex of a whole file, streamed. */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

interface Sidecar {
  sha256: string;
  size: number;
  mtimeMs: number;
}

/** sha256 of a GGUF, from its sidecar when the file is unchanged since it was hashed. */
export async function ggufDigest(path: string): Promise<string> {
  const st = await stat(path);
  const sidecar = `${path}.sha256.json`;
  try {
    const s = JSON.parse(await readFile(sidecar, 'utf8')) as Sidecar;
    if (s.size === st.size && s.mtimeMs === st.mtimeMs && /^[0-9a-f]{64}$/.test(s.sha256)) return s.sha256;
  } catch {
    /* no sidecar yet, or unreadable: hash */
  }
  const sha256 = await sha256File(path);
  try {
    const tmp = `${sidecar}.${process.pid}.tmp`;
    await writeFile(tmp, JSON.stringify({ sha256, size: st.size, mtimeMs: st.mtimeMs } satisfies Sidecar));
    await rename(tmp, sidecar);
  } catch {
    /* a read-only folder (an Ollama store, a shared mount) costs a re-hash next time, nothing else */
  }
  return sha256;
}
