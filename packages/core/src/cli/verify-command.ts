// `autopar verify`: the whole verifier on one candidate function, the way anyone
// can check a hand-written or model-written variant before trusting it.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadSpecFile, checkSpecAgainstSignature } from '../spec/load.js';
import { extractKernels } from '../kernel/extract.js';
import { verifyCandidate } from '../verify/verify.js';
import type { Verdict } from '../verify/types.js';

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
    });
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}
