// Store records: `ac/<key>` manifests and `cas/<sha256>` blobs.
import type { Verdict } from '../verify/types.js';
import type { CompileRecipe, ProposerIdentity } from '../propose/types.js';

export interface CandidateRecord {
  label: string;
  proposer: ProposerIdentity;
  /** sha256 of the candidate function text in cas/. */
  sourceDigest: string;
  verdict: Verdict;
  /** The text compiled with this recipe in a translation unit of its own (a compiler's variant). */
  recipe?: CompileRecipe;
  /**
   * The plan the text was generated from (propose/plan.ts format), when the proposer works
   * through plans; absent otherwise and in records written before it was kept. Few-shot
   * retrieval (pipeline/few-shot-examples.ts) shows it as a worked example's plan.
   */
  plan?: unknown;
}

export interface Manifest {
  schema: 'autopar-manifest-v1';
  key: string;
  /** The full, canonical key inputs; a read whose inputs differ from the request is a miss. */
  keyInputs: unknown;
  kernel: string;
  createdAt: string;
  candidates: CandidateRecord[];
  /** Digest (cas/) of the chosen function text, or null when the original is kept. */
  chosen: string | null;
  chosenLabel: string | null;
  /**
   * 'pending': the original is kept only because a verified candidate's speed was
   * inconclusive (its interval straddled the threshold). The correctness verdicts stand;
   * the next build that finds this manifest re-measures those candidates' speed and
   * rewrites it. Absent or 'final': the decision is settled.
   */
  speedDecision?: 'final' | 'pending';
  /** How many builds have measured the pending candidates (after a few the decision is made final). */
  speedMeasurements?: number;
  /** How many of those measurements were taken on a quiet machine (busy ones do not settle a decision). */
  quietSpeedMeasurements?: number;
}
