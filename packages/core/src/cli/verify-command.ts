// `autopar verify`: the whole verifier on one candidate function, the way anyone
// can check a hand-written or model-written variant before trusting it.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadSpecFile, checkSpecAgainstSignature } from '../spec/load.js';
import { extractKernels } from '../kernel/extract.js';
import { verifyCandidate } from '../verify/verify.js';
import type { StageResult, Verdict } from '../verify/types.js';

export interface VerifyFileRequest {
  projectRoot: string;
  workspaceRoot: string;
  spec: string;
  kernel: string;
  candidateText: string;
  cc?: string;
  cflags?: string[];
  ldflags?: string[];
  log?: (line: string) => void;
}

export async function verifyFile(req: VerifyFileRequest): Promise<Verdict> {
  const specPath = resolve(req.projectRoot, req.spec);
  const { file, dir } = await loadSpecFile(specPath);
  const kspec = file.kernels.find((k) => k.name === req.kernel);
  if (!kspec) {
    throw new Error(
      `kernel "${req.kernel}" is not in ${req.spec}; kernels there: ${file.kernels.map((k) => k.name).join(', ')}`,
    );
  }
  const sourcePath = resolve(dir, kspec.source);
  const sourceText = await readFile(sourcePath, 'utf8');
  const [unit] = extractKernels(sourceText, sourcePath, [kspec.name]);
  checkSpecAgainstSignature(kspec, unit!, specPath);
  const workDir = await mkdtemp(join(tmpdir(), 'autopar-verify-'));
  try {
    return await verifyCandidate({
      unit: unit!,
      spec: kspec,
      sourceText,
      sourcePath,
      candidateText: req.candidateText,
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
