// `autopar doctor`: what this machine can and cannot do for autopar, each
// missing piece with the command that fixes it.
import { toolchainAvailable } from '../toolchain/fingerprint.js';
import { detectSandbox } from '../verify/sandbox.js';
import { detectRaceDetector } from '../verify/race.js';
import { defaultHost } from '../pipeline/proposer.js';

export interface Check {
  name: string;
  ok: boolean;
  detail: string;
  fix?: string;
}

export async function runDoctor(): Promise<Check[]> {
  const checks: Check[] = [];
  for (const [cc, role] of [
    ['gcc', 'compiles and links kernels'],
    ['clang-19', 'race detection (TSan + Archer)'],
    // No nvcc check: CUDA kernels are not supported yet, so no nvcc makes anything work.
  ] as const) {
    const t = await toolchainAvailable(cc);
    checks.push({ name: cc, ok: t.ok, detail: t.ok ? `${t.reason} — ${role}` : `${t.reason} — needed for ${role}`, fix: t.fix });
  }

  const race = await detectRaceDetector();
  checks.push({ name: 'race detector', ok: race.ok, detail: race.detail, fix: race.fix });

  const sb = await detectSandbox();
  for (const [name, part] of Object.entries(sb) as Array<[string, { ok: boolean; reason?: string; detail?: string; fix?: string }]>) {
    checks.push({ name: `sandbox: ${name}`, ok: part.ok, detail: part.detail ?? part.reason ?? '', fix: part.fix ?? (part.ok ? undefined : part.reason) });
  }

  const host = defaultHost();
  try {
    const { OllamaProposer } = await import('../propose/ollama.js');
    const model = process.env.AUTOPAR_MODEL ?? 'qwen2.5:1.5b';
    const id = await new OllamaProposer({ model, host, timeoutMs: 3000 }).identify();
    checks.push({ name: 'ollama', ok: true, detail: `${host}: ${model} digest ${String(id.modelDigest).slice(0, 12)}` });
  } catch (err) {
    checks.push({
      name: 'ollama',
      ok: false,
      detail: (err as Error).message,
      fix: 'start `ollama serve` and `ollama pull <model>`, or set OLLAMA_HOST; without it the built-in analyzer proposes',
    });
  }
  return checks;
}
