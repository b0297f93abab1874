// The built-in proposer: no model. Analyzes the kernel, builds a few legal plans
// (outermost parallel loops, collapse, simd, a hoisted region or an interchange)
// and applies each into a candidate. Nothing parallel: no candidates.
import { analyzeState, type AnalysisState } from '../analysis/analyze.js';
import { checkPlan } from '../analysis/legality.js';
import { applyPlan } from './plan-apply.js';
import { planVariants } from './plan-variants.js';
import type { Candidate, ProposeRequest, Proposer, ProposerIdentity } from './types.js';

/** Bump when the analysis or the plans it makes change (it is part of the cache key). */
export const ANALYZER_VERSION = '1.7.0';

export class AnalyzerProposer implements Proposer {
  readonly identity: ProposerIdentity = { kind: 'analyzer', version: ANALYZER_VERSION };

  async identify(): Promise<ProposerIdentity> {
    return this.identity;
  }

  async propose(req: ProposeRequest): Promise<Candidate[]> {
    const state = analyzeState(req.unit, req.spec);
    return candidatesFor(state, this.identity);
  }
}

export function candidatesFor(state: AnalysisState, identity: ProposerIdentity = { kind: 'analyzer', version: ANALYZER_VERSION }): Candidate[] {
  const out: Candidate[] = [];
  const seenText = new Set<string>();
  for (const v of planVariants(state)) {
    // Our own plans pass the same gate as a model's; one that does not is dropped.
    if (!checkPlan(state, v.plan).ok) continue;
    const { functionText } = applyPlan(state, v.plan);
    if (seenText.has(functionText)) continue;
    seenText.add(functionText);
    out.push({ label: `analyzer:${v.name}`, proposer: identity, functionText, plan: v.plan });
  }
  return out;
}
