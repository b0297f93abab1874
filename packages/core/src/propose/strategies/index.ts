// The reasoning strategies (the paper's six) over the requests of an output form, and
// self-consistency (k samples, the verifier picks) on top of any of them.
import type { StrategyName, StrategyOptions } from '../../strategy/names.js';
import type { ChatFn, FormAsk, ProposalResult } from '../form-asks.js';
import type { ProposeRequest, ProposerIdentity } from '../types.js';
import { countedChat, firstLine, type StrategyContext, type StrategyRunner } from './context.js';
import { fewShot, reasoning, zeroShot } from './single-turn.js';
import { treeOfThoughts } from './tree-of-thoughts.js';
import { react } from './react.js';

export const RUNNERS: Record<StrategyName, StrategyRunner> = {
  'zero-shot': zeroShot,
  'few-shot': fewShot,
  'chain-of-thought': reasoning('chain-of-thought'),
  'step-by-step': reasoning('step-by-step'),
  'tree-of-thoughts': treeOfThoughts,
  react,
};

/** Samples after the first draw at these seeds and at least this temperature (the first keeps the engine's own). */
export const SAMPLE_SEED_BASE = 7000;
export const SAMPLE_TEMPERATURE = 0.7;

/**
 * Runs `opts.strategy` on every request, `opts.samples` times. Candidates with the same
 * text are kept once (the first); labels of later samples end in `~<sample>`. A model
 * failure before any answer is the engine's failure (thrown: the build keeps the
 * original and asks again next time); a failure after some answers keeps them.
 */
export async function runStrategy(
  req: ProposeRequest,
  asks: FormAsk[],
  identity: ProposerIdentity,
  chat: ChatFn,
  opts: StrategyOptions,
): Promise<ProposalResult> {
  const runner = RUNNERS[opts.strategy];
  const out: ProposalResult = { candidates: [], rejected: [] };
  const seen = new Set<string>();
  let answered = false;
  for (let s = 0; s < opts.samples; s++) {
    for (const ask of asks) {
      const counted = countedChat(chat, opts.budget);
      const ctx: StrategyContext = {
        req,
        identity,
        chat: counted.chat,
        calls: counted.calls,
        budget: opts.budget,
        sampling: s === 0 ? undefined : { seed: SAMPLE_SEED_BASE + s, temperature: SAMPLE_TEMPERATURE },
      };
      let r: ProposalResult;
      try {
        r = await runner(ask, ctx);
      } catch (err) {
        if (!answered || req.signal?.aborted) throw err;
        out.rejected.push({ label: `${opts.strategy}/${ask.form}~${s + 1}`, reason: `model failed: ${firstLine((err as Error).message)}`, rawResponse: '' });
        return out;
      }
      answered = true;
      const suffix = s === 0 ? '' : `~${s + 1}`;
      for (const c of r.candidates) {
        const id = c.functionText || `illegal:${c.label}${suffix}`;
        if (seen.has(id)) continue;
        seen.add(id);
        out.candidates.push({ ...c, label: `${c.label}${suffix}` });
      }
      out.rejected.push(...r.rejected.map((x) => ({ ...x, label: `${x.label}${suffix}` })));
    }
  }
  return out;
}
