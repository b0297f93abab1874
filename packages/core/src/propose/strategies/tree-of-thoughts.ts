// Tree-of-thoughts over answers: `width` branches drawn at different seeds, each valued
// by the verifier's screening (its measured speedup, 0 when rejected); then the best
// branch so far is refined with what the verifier observed of it and of the others,
// until the budget of model calls is spent. Every distinct candidate goes back to the
// build, best first; the build's screening of them is memoized, so nothing runs twice.
import type { FormAsk, ProposalResult } from '../form-asks.js';
import type { Turn } from '../../strategy/turns.js';
import { splitAnswerSection } from '../../strategy/turns.js';
import { refineUser, TOT_DEFAULT_BUDGET, TOT_DEFAULT_WIDTH } from '../../strategy/tree-of-thoughts.js';
import type { Candidate } from '../types.js';
import { BudgetSpent, drawSampling, firstLine, strategyLabel, valueOf, type StrategyContext } from './context.js';

interface Branch {
  label: string;
  user: string;
  history: Turn[];
  raw: string;
  candidate?: Candidate;
  value: number;
  observation: string;
}

export async function treeOfThoughts(ask: FormAsk, ctx: StrategyContext): Promise<ProposalResult> {
  const split = splitAnswerSection(ask.prompt);
  const budget = ctx.budget ?? TOT_DEFAULT_BUDGET;
  const width = Math.max(1, Math.min(TOT_DEFAULT_WIDTH, budget));
  const branches: Branch[] = [];
  const out: ProposalResult = { candidates: [], rejected: [] };

  const grow = async (label: string, user: string, history: Turn[], branch: number) => {
    const raw = await ctx.chat({ system: split.system, history, user, ...ask.constraint, sampling: drawSampling(ctx, branch), signal: ctx.req.signal });
    const r = await ask.read(raw, label, ctx.chat, ctx.req.signal);
    const candidate = r.candidates[0];
    const v = await valueOf(candidate, r.rejected[0]?.reason, ctx.req);
    branches.push({ label, user, history, raw, candidate, ...v });
    out.rejected.push(...r.rejected);
  };

  try {
    for (let b = 0; b < width && ctx.calls() < budget; b++) {
      await grow(strategyLabel('tree-of-thoughts', ask, `#b${b + 1}`), ask.prompt.user, [], b);
    }
    for (let r = 1; ctx.calls() < budget && branches.length > 0; r++) {
      const best = [...branches].sort((a, b) => b.value - a.value)[0]!;
      const observations = branches.map((x) => ({ which: x === best ? ('this' as const) : ('other' as const), observation: `${x.label}: ${x.observation}` }));
      const history: Turn[] = [...best.history, { role: 'user', content: best.user }, { role: 'assistant', content: best.raw }];
      await grow(strategyLabel('tree-of-thoughts', ask, `#r${r}`), refineUser(split, observations), history, width + r);
    }
  } catch (err) {
    // A failure after some branches grew keeps them; before any, it is the engine's failure.
    if (branches.length === 0 || ctx.req.signal?.aborted) throw err;
    if (!(err instanceof BudgetSpent)) out.rejected.push({ label: strategyLabel('tree-of-thoughts', ask, '#stop'), reason: `stopped: ${firstLine((err as Error).message)}`, rawResponse: '' });
  }
  const seen = new Set<string>();
  for (const b of [...branches].sort((x, y) => y.value - x.value)) {
    if (!b.candidate) continue;
    const id = b.candidate.functionText || `illegal:${b.label}`;
    if (seen.has(id)) continue;
    seen.add(id);
    b.candidate.rawResponse = `${b.raw}\n--- verifier: ${b.observation}`;
    out.candidates.push(b.candidate);
  }
  return out;
}
