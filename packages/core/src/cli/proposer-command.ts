// `autopar proposer`: one line naming the proposer a build with these settings would use
// now — the Ollama model and its digest, or the built-in analyzer when no server answers.
// The Nx plugin uses it as a runtime cache input, so a build that fell back to the
// analyzer is not replayed from Nx's cache once a model server is up (and vice versa).
// It never writes anything and never proposes.
import { defaultHost } from '../pipeline/proposer.js';

export interface ProposerProbe {
  model?: string;
  host?: string;
  timeoutMs?: number;
}

export async function describeCurrentProposer(probe: ProposerProbe): Promise<string> {
  const choice = process.env.AUTOPAR_PROPOSER ?? 'auto';
  if (choice === 'analyzer' || choice === 'none') return `${choice} (AUTOPAR_PROPOSER)`;
  const model = process.env.AUTOPAR_MODEL ?? probe.model ?? 'qwen2.5:1.5b';
  const host = probe.host ?? defaultHost();
  const { OllamaProposer } = await import('../propose/ollama.js');
  try {
    const id = await new OllamaProposer({ model, host, timeoutMs: probe.timeoutMs ?? 2000 }).identify();
    return `ollama ${model} ${id.modelDigest} at ${host}`;
  } catch {
    return `no model ${model} at ${host}`;
  }
}
