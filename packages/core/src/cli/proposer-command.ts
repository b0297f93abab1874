// `autopar proposer`: one line naming the proposer a build with these settings would use
// now — the Ollama model and its digest, else the installed embedded model and its sha256,
// else none (the built-in analyzer proposes).
// The Nx plugin uses it as a runtime cache input, so a build that fell back to the
// analyzer is not replayed from Nx's cache once a model server is up (and vice versa).
// It never writes anything and never proposes.
import { defaultHost } from '../pipeline/proposer.js';
import { locateModel } from '../models/resolve.js';
import { DEFAULT_EMBEDDED_MODEL } from '../propose/embedded.js';

export interface ProposerProbe {
  model?: string;
  host?: string;
  /** Embedded model name (default AUTOPAR_EMBEDDED_MODEL, else the default model). */
  embeddedModel?: string;
  timeoutMs?: number;
}

export async function describeCurrentProposer(probe: ProposerProbe): Promise<string> {
  const choice = process.env.AUTOPAR_PROPOSER ?? 'auto';
  if (choice === 'analyzer' || choice === 'none') return `${choice} (AUTOPAR_PROPOSER)`;
  const model = process.env.AUTOPAR_MODEL ?? probe.model ?? 'qwen2.5:1.5b';
  const host = probe.host ?? defaultHost();
  const ollama = `no model ${model} at ${host}`;
  if (choice !== 'embedded') {
    const { OllamaProposer } = await import('../propose/ollama.js');
    try {
      const id = await new OllamaProposer({ model, host, timeoutMs: probe.timeoutMs ?? 2000 }).identify();
      return `ollama ${model} ${id.modelDigest} at ${host}`;
    } catch {
      if (choice === 'ollama') return ollama;
    }
  }
  // auto, portfolio and embedded fall back to (or use) the embedded model when it is installed:
  // pulling one must also change this line, or Nx would replay the analyzer-only build.
  const ref = process.env.AUTOPAR_EMBEDDED_MODEL ?? probe.embeddedModel ?? DEFAULT_EMBEDDED_MODEL;
  try {
    const found = await locateModel(ref, { modelsDir: process.env.AUTOPAR_MODELS_DIR });
    return `embedded ${ref} sha256:${found.sha256}`;
  } catch {
    return `${ollama}; no embedded model ${ref}`;
  }
}
