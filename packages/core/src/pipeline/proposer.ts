// Which proposer a build uses, and its identity for the key.
//
// `auto` (the default) asks the Ollama server first and falls back to the
// built-in analyzer when no server answers. When the server is down, the last
// identity (model digest) seen from it is remembered in the cache folder, so a
// CI job without a model server still finds the variants a developer's build
// verified — lookups never need the model, only misses do.
import { mkdir, readFile, writeFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import type { Proposer, ProposerIdentity } from '../propose/types.js';

export type ProposerChoice = 'auto' | 'ollama' | 'analyzer' | 'none';

export interface ResolvedProposer {
  /** null when no proposer can run now: lookups still work, misses keep the original. */
  proposer: Proposer | null;
  /** Identity used in the key; `{kind:'none'}` when nothing is configured. */
  identity: ProposerIdentity;
  /** One line for the user when the configured proposer is not reachable. */
  note?: string;
}

export interface ResolveOptions {
  choice: ProposerChoice;
  model: string;
  host?: string;
  cacheDir: string;
  timeoutMs?: number;
}

export async function resolveProposer(opts: ResolveOptions): Promise<ResolvedProposer> {
  if (opts.choice === 'none') return { proposer: null, identity: { kind: 'none' } };
  if (opts.choice === 'analyzer') return analyzer();

  const { OllamaProposer } = await import('../propose/ollama.js');
  const ollama = new OllamaProposer({ model: opts.model, host: opts.host, timeoutMs: opts.timeoutMs });
  const rememberedAt = join(opts.cacheDir, 'proposers', idFile(opts.host ?? defaultHost(), opts.model));
  try {
    const identity = await ollama.identify();
    await remember(rememberedAt, identity);
    return { proposer: ollama, identity };
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    if (opts.choice === 'auto') {
      const a = await analyzer();
      return { ...a, note: `${why} — using the built-in analyzer` };
    }
    // Explicit ollama: keep looking up what this model verified before, propose nothing new.
    const known = await recall(rememberedAt);
    return {
      proposer: null,
      identity: known ?? { kind: 'ollama', model: opts.model, modelDigest: 'unknown' },
      note: `${why} — cached variants are used, changed kernels keep their original code`,
    };
  }
}

async function analyzer(): Promise<ResolvedProposer> {
  const { AnalyzerProposer } = await import('../propose/analyzer.js');
  const proposer = new AnalyzerProposer();
  return { proposer, identity: await proposer.identify() };
}

export function defaultHost(): string {
  return process.env.OLLAMA_HOST ?? 'http://127.0.0.1:11434';
}

function idFile(host: string, model: string): string {
  return createHash('sha256').update(`${host}\0${model}`).digest('hex').slice(0, 32) + '.json';
}

async function remember(path: string, identity: ProposerIdentity): Promise<void> {
  try {
    await mkdir(join(path, '..'), { recursive: true });
    const tmp = `${path}.${process.pid}.tmp`;
    await writeFile(tmp, JSON.stringify(identity));
    await rename(tmp, path);
  } catch {
    /* remembering is an optimisation for offline lookups; never fail a build on it */
  }
}

async function recall(path: string): Promise<ProposerIdentity | null> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as ProposerIdentity;
  } catch {
    return null;
  }
}
