// Ollama's local model store, read without a server: a user who ran
// `ollama pull gemma3:1b` can run that GGUF in-process.
//
// Layout (Ollama 0.1–0.12): <root>/manifests/<registry>/<namespace>/<model>/<tag> is a
// JSON manifest whose layers name blobs by digest; the layer with mediaType
// `application/vnd.ollama.image.model` is the GGUF, stored at <root>/blobs/sha256-<hex>.
// <root> is env OLLAMA_MODELS, else ~/.ollama/models.
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

const MODEL_LAYER = 'application/vnd.ollama.image.model';

export function ollamaModelsRoot(): string {
  return process.env.OLLAMA_MODELS || join(homedir(), '.ollama', 'models');
}

/** Manifest path parts for an Ollama model reference: `gemma3:1b`, `user/model:tag`, `host/ns/model:tag`. */
export function manifestParts(ref: string): string[] | null {
  // A tag may not contain '/'; a name part is [a-zA-Z0-9._-] (Ollama's own rule is close to this).
  const m = /^((?:[A-Za-z0-9._-]+\/){0,2}[A-Za-z0-9._-]+)(?::([A-Za-z0-9._-]+))?$/.exec(ref);
  if (!m) return null;
  const parts = m[1]!.split('/');
  const tag = m[2] ?? 'latest';
  if (parts.length === 1) return ['registry.ollama.ai', 'library', parts[0]!, tag];
  if (parts.length === 2) return ['registry.ollama.ai', parts[0]!, parts[1]!, tag];
  return [parts[0]!, parts[1]!, parts[2]!, tag];
}

export interface OllamaStoreModel {
  /** The GGUF blob. */
  path: string;
  /** sha256 hex of the blob, from its name (Ollama names blobs by their digest). */
  sha256: string;
  manifest: string;
}

/**
 * The GGUF of `ref` in the store at `root`, or null when the store has no manifest for
 * it. A manifest that exists but is broken (no model layer, blob missing) is an error
 * naming the file, so a half-pulled model is not silently skipped.
 */
export function findInOllamaStore(ref: string, root = ollamaModelsRoot()): OllamaStoreModel | null {
  const parts = manifestParts(ref);
  if (!parts) return null;
  const manifest = join(root, 'manifests', ...parts);
  if (!existsSync(manifest)) return null;
  let layers: Array<{ mediaType?: string; digest?: string }>;
  try {
    layers = (JSON.parse(readFileSync(manifest, 'utf8')) as { layers?: typeof layers }).layers ?? [];
  } catch (err) {
    throw new Error(`Ollama manifest ${manifest} is not valid JSON (${(err as Error).message}); run \`ollama pull ${ref}\` again`);
  }
  const layer = layers.find((l) => l.mediaType === MODEL_LAYER);
  const digest = /^sha256:([0-9a-f]{64})$/.exec(layer?.digest ?? '');
  if (!digest) throw new Error(`Ollama manifest ${manifest} has no model layer (mediaType ${MODEL_LAYER}); run \`ollama pull ${ref}\` again`);
  const path = join(root, 'blobs', `sha256-${digest[1]}`);
  if (!existsSync(path)) throw new Error(`Ollama manifest ${manifest} names blob ${path}, which is missing; run \`ollama pull ${ref}\` again`);
  return { path, sha256: digest[1]!, manifest };
}
