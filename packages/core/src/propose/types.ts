// Proposers: producers of candidate kernel variants.
import type { KernelUnit } from '../kernel/types.js';
import type { KernelSpec } from '../spec/types.js';
import type { ShownExample } from '../strategy/few-shot.js';

/** Who proposed: goes into the key and into every report. */
export interface ProposerIdentity {
  /** 'ollama' | 'analyzer' | 'file' | ... */
  kind: string;
  /** Model name as asked (e.g. 'qwen2.5:1.5b'); absent for non-model proposers. */
  model?: string;
  /** Model digest reported by the server (tags can be re-pointed; the digest cannot). */
  modelDigest?: string;
  /** Where it ran, e.g. the Ollama host. Not part of the key. */
  host?: string;
  /** Strategy name and prompt-template version, for model proposers. */
  strategy?: string;
  templateVersion?: string;
  /** Sampling options and anything else that changes the output. */
  options?: Record<string, unknown>;
  /** Version of the proposer's own code (e.g. analyzer version). */
  version?: string;
  /**
   * The server said it is a scripted test server (tools/scripted-ollama), not a model:
   * its answers are canned. Set only from what the server reports about itself.
   */
  scripted?: boolean;
  /** For a portfolio: the identities of its members. */
  members?: ProposerIdentity[];
}

/** One line naming a proposer for logs and reports: "embedded gemma3-270m", "ollama qwen2.5:1.5b (scripted test server)". */
export function describeProposer(id: ProposerIdentity): string {
  if (id.members?.length) return `${id.kind} (${id.members.map(describeProposer).join(' + ')})`;
  const name = id.model ? `${id.kind} ${id.model}` : id.kind;
  return id.scripted ? `${name} (scripted test server, not a model)` : name;
}

export interface ProposeRequest {
  unit: KernelUnit;
  spec: KernelSpec;
  /** Whole translation unit the kernel lives in. */
  sourceText: string;
  sourcePath: string;
  /** Analyzer facts text to include in prompts, when available. */
  facts?: string;
  /**
   * The verifier, for strategies that act on its observations (tree-of-thoughts, ReAct).
   * The build supplies it; without it those strategies rank answers by legality alone and
   * say so.
   */
  tools?: ProposeTools;
  /** Worked examples for the few-shot strategy (nearest verified variants); the bundled set when absent. */
  examples?: ShownExample[];
  signal?: AbortSignal;
}

/** What screening (gates, compile, differential test, short benchmark) said of one candidate. Plain data. */
export interface ScreenResult {
  passed: boolean;
  /** The stage that decided: the one that failed, or 'benchmark'. */
  stage: string;
  reason: string;
  /** Median speedup over the original at the bench size, when it was measured. */
  speedup?: number;
}

export interface ProposeTools {
  screen(candidate: Candidate): Promise<ScreenResult>;
}

/**
 * A compile recipe: how a kernel's own translation unit is compiled when the variant is a
 * compiler's work (Polly, gcc's autoparallelizer) rather than new source text. The kernel
 * and what it needs from its file go into a translation unit of their own, compiled with
 * `cc` and `cflags`; the rest of the file is compiled as before. Plain data: it is stored
 * with the variant, in the key and in the report.
 */
export interface CompileRecipe {
  /** Short name, e.g. 'clang-polly-parallel'. */
  name: string;
  cc: string;
  /** Every flag of the kernel's translation unit (the -O level included). */
  cflags: string[];
  /** The flags that do the transformation, added to the sanitizer builds (which set their own -O level). */
  transformFlags: string[];
  /**
   * Added to the race build (clang + TSan + Archer) so the race check sees the threads the
   * recipe creates; null when it cannot (gcc does not autoparallelize under -fsanitize=thread).
   */
  raceFlags: string[] | null;
  /** First line of `cc --version`: a compiler upgrade is a new recipe. */
  version: string;
}

export interface Candidate {
  /** Short label unique within one proposal, e.g. 'zero-shot#1' or 'analyzer:outer'. */
  label: string;
  proposer: ProposerIdentity;
  /** Full C text of the rewritten kernel function; may be preceded by #include lines. */
  functionText: string;
  /** The plan the text was generated from, when the proposer works through plans. */
  plan?: unknown;
  /**
   * The proposer's own legality check of `plan` (analysis/legality.ts), made before any
   * code was generated from it. When it failed, `functionText` is empty: the plan was
   * never applied, and the verifier's plan-legality stage rejects the candidate.
   */
  legality?: { ok: boolean; errors: string[]; warnings: string[] };
  /** Raw model answer, kept for the report. */
  rawResponse?: string;
  /** The variant is this text compiled with this recipe, in a translation unit of its own. */
  recipe?: CompileRecipe;
}

export interface Proposer {
  /** Resolves the identity (asks the server for the model digest). Throws ProposerUnavailable when unreachable. */
  identify(): Promise<ProposerIdentity>;
  propose(req: ProposeRequest): Promise<Candidate[]>;
}

export class ProposerUnavailable extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProposerUnavailable';
  }
}
