// Portfolio proposer: the built-in analyzer and a model propose side by side for every
// kernel; the verifier measures all their candidates and the fastest verified one is
// linked. A model failure (down, timeout, budget spent) leaves the analyzer's candidates.
import type { Candidate, ProposeRequest, Proposer, ProposerIdentity } from './types.js';

export class PortfolioProposer implements Proposer {
  /** Why the model gave no candidates for the last kernel, when it failed (for the log). */
  lastModelFailure: string | null = null;

  constructor(
    private readonly analyzer: Proposer,
    private readonly model: Proposer,
    private readonly identities: { analyzer: ProposerIdentity; model: ProposerIdentity },
  ) {}

  async identify(): Promise<ProposerIdentity> {
    // Where a member runs (Ollama URL, GGUF path) is not part of the key: drop it here too.
    const keyed = ({ host: _host, ...rest }: ProposerIdentity): ProposerIdentity => rest;
    return { kind: 'portfolio', members: [keyed(this.identities.analyzer), keyed(this.identities.model)] };
  }

  async propose(req: ProposeRequest): Promise<Candidate[]> {
    const fromAnalyzer = await this.analyzer.propose(req);
    this.lastModelFailure = null;
    let fromModel: Candidate[] = [];
    try {
      fromModel = await this.model.propose(req);
    } catch (err) {
      this.lastModelFailure = err instanceof Error ? err.message : String(err);
    }
    return [...fromAnalyzer, ...fromModel];
  }
}
