// `autopar verify`: the whole verifier on one candidate function, the way anyone
// can check a hand-written or model-written variant before trusting it.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadSpecFile, checkSpecAgainstSignature } from '../spec/load.js';
import { verifyCandidate } from '../verify/verify.js';
import type { StageResult, Verdict } from '../verify/types.js';
import { reconcileDropIn } from './drop-in.js';
import { readKernelSource } from '../spec/kernel-source.js';

export interface VerifyFileRequest {
  projectRoot: string;
  workspaceRoot: string;
  spec: string;
  kernel: string;
  candidateText: string;
  /** Where the candidate came from (messages); a drop-in file is reconciled with the original. */
  candidatePath?: string;
  /** Told what of a drop-in file was ignored or rewritten. */
  onNote?: (line: string) => void;
  cc?: string;
  cflags?: string[];
  ldflags?: string[];
  log?: (line: string) => void;
}

export async function verifyFile(req: VerifyFileRequest): Promise<Verdict> {
  const specPath = resolve(req.projectRoot, req.spec);
  const { file, dir } = await loadSpecFile(specPath);
  const index = file.kernels.findIndex((k) => k.name === req.kernel);
  const kspec = file.kernels[index];
  if (!kspec) {
    throw new Error(
      `kernel "${req.kernel}" is not in ${req.spec}; kernels there: ${file.kernels.map((k) => k.name).join(', ')}`,
    );
  }
  const { unit, sourceText, sourcePath } = await readKernelSource(specPath, dir, kspec, index);
  checkSpecAgainstSignature(kspec, unit, specPath);
  let candidateText = req.candidateText;
  if (isDropInFile(candidateText, kspec.name)) {
    const r = reconcileDropIn(candidateText, req.candidatePath ?? 'candidate.c', unit, sourceText);
    candidateText = r.candidateText;
    for (const n of r.notes) req.onNote?.(n);
  }
  const workDir = await mkdtemp(join(tmpdir(), 'autopar-verify-'));
  try {
    return await verifyCandidate({
      unit: unit!,
      spec: kspec,
      sourceText,
      sourcePath,
      candidateText,
      toolchain: { cc: req.cc, cflags: req.cflags, ldflags: req.ldflags },
      workDir,
      log: req.log,
      // As in builds: the pragmas are checked against the dependence analysis before compile.
      impliedPlan: true,
      // Correctness only (the adversarial corpus): the bench-size outputs are still compared, nothing is timed.
      benchmark: process.env.AUTOPAR_VERIFY_SKIP_BENCH === '1' ? 'check-only' : 'time',
    });
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}

function stageStatus(s: StageResult): string {
  const status = s.status ?? (s.skipped ? 'skipped' : s.ok ? 'ran' : 'failed');
  return status === 'skipped' ? 'SKIP' : status === 'failed' ? 'FAIL' : 'pass';
}

/** The verdict as `autopar verify` prints it: one line per stage, what did not run, then the outcome. */
export function formatVerdict(verdict: Verdict): string {
  const lines: string[] = [];
  for (const s of verdict.stages) lines.push(`${stageStatus(s)}  ${s.stage.padEnd(16)} ${s.reason} (${Math.round(s.durationMs)} ms)`);
  const c = verdict.conditions;
  if (c) {
    if (c.sandbox !== 'bubblewrap') lines.push(`NOTE  sandbox: ${c.sandbox}`);
    if (c.raceDetector.startsWith('missing')) lines.push(`NOTE  race detector: ${c.raceDetector}`);
  }
  for (const s of verdict.skipped ?? []) {
    lines.push(`NOTE  ${s.stage} did not run (${s.reason})${s.allowed ? ': allowed (AUTOPAR_ALLOW_UNVERIFIED or the policy)' : ': not allowed, so the candidate is not accepted'}`);
  }
  const sp = verdict.speedup
    ? ` — ${verdict.speedup.median.toFixed(2)}x [${(verdict.speedup.ci ? [verdict.speedup.ci.low, verdict.speedup.ci.high] : verdict.speedup.spread).map((x) => x.toFixed(2)).join('–')}]`
    : '';
  const word = verdict.accepted ? 'ACCEPTED' : verdict.kind === 'incomplete' ? 'NOT VERIFIED' : 'REJECTED';
  lines.push(`${word} at ${verdict.stage}: ${verdict.reason}${sp}`);
  return lines.join('\n') + '\n';
}

/** More than the bare function: a #define, a helper, a type or a global next to it. */
function isDropInFile(text: string, kernel: string): boolean {
  const withoutComments = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
  if (/^\s*#\s*define\b/m.test(withoutComments)) return true;
  // A second function definition at top level, or top-level declarations before the kernel.
  const defs = withoutComments.match(/^[A-Za-z_][\w\s\*]*\b\w+\s*\([^;{]*\)\s*\{/gm) ?? [];
  return defs.length > 1 || (defs.length === 1 && !new RegExp(`\\b${kernel}\\s*\\(`).test(defs[0]!));
}
