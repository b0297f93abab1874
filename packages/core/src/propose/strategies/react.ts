// ReAct: thought → action → observation, in steps, for the plan and menu forms. The
// actions are tools: the analyzer's facts for one loop; trying a plan (or a menu option),
// which the proposer's legality check and then the verifier's screening (compile,
// differential test, short benchmark) answer; and finishing. Each step is one model call,
// constrained to a step object; the budget bounds the steps. Every candidate the model
// tried goes back to the build, best first.
import { factsText } from '../../analysis/facts.js';
import type { AnalysisState } from '../../analysis/analyze.js';
import type { FormAsk, ProposalResult } from '../form-asks.js';
import { planGrammarSchema } from '../plan-grammar.js';
import { MENU_OTHER } from '../../strategy/menu-zero-shot.js';
import { REACT_DEFAULT_BUDGET, reactFirstUser, reactObservationUser } from '../../strategy/react.js';
import { splitAnswerSection, type Turn } from '../../strategy/turns.js';
import type { Candidate } from '../types.js';
import { BudgetSpent, firstLine, strategyLabel, valueOf, type StrategyContext } from './context.js';

const THOUGHT = { type: 'string', maxLength: 200 };

/**
 * The step object: one of three actions, each with only its own fields. Finishing is
 * offered only once something was tried: a small model otherwise often finishes at once.
 */
export function reactStepSchema(ask: FormAsk, canFinish = true): object {
  const loops = ask.names?.loops ?? [];
  const tryStep =
    ask.form === 'plan'
      ? { type: 'object', properties: { thought: THOUGHT, action: { const: 'try' }, plan: planGrammarSchema(ask.names!) }, required: ['thought', 'action', 'plan'], additionalProperties: false }
      : { type: 'object', properties: { thought: THOUGHT, action: { const: 'try' }, choice: { enum: (ask.entries ?? []).map((e) => e.id) } }, required: ['thought', 'action', 'choice'], additionalProperties: false };
  const steps: object[] = [tryStep];
  if (canFinish) steps.push({ type: 'object', properties: { thought: THOUGHT, action: { const: 'finish' } }, required: ['thought', 'action'], additionalProperties: false });
  if (loops.length) {
    steps.unshift({ type: 'object', properties: { thought: THOUGHT, action: { const: 'facts' }, loop: { enum: loops } }, required: ['thought', 'action', 'loop'], additionalProperties: false });
  }
  return { oneOf: steps };
}

/** The analyzer's facts block of one loop (its header line and the lines under it). */
export function loopFactsText(state: AnalysisState, loop: string): string {
  const lines = factsText(state.facts).split('\n');
  const at = lines.findIndex((l) => l.trimStart().startsWith(`${loop} line `));
  if (at < 0) return `no loop ${loop}`;
  const indent = (l: string) => l.length - l.trimStart().length;
  const block = [lines[at]!.trim()];
  for (let i = at + 1; i < lines.length && indent(lines[i]!) > indent(lines[at]!) && !/^L[\d.]+ line /.test(lines[i]!.trimStart()); i++) block.push(lines[i]!.trim());
  return block.join('; ');
}

interface Tried {
  candidate: Candidate;
  value: number;
}

export async function react(ask: FormAsk, ctx: StrategyContext): Promise<ProposalResult> {
  const out: ProposalResult = { candidates: [], rejected: [] };
  const base = strategyLabel('react', ask, '');
  if (ask.form === 'function' || !ask.state) {
    out.rejected.push({ label: `${base}#1`, reason: 'react acts through plans: use output form plan or menu', rawResponse: '' });
    return out;
  }
  const split = splitAnswerSection(ask.prompt);
  const budget = ctx.budget ?? REACT_DEFAULT_BUDGET;
  const schemas = { first: reactStepSchema(ask, false), later: reactStepSchema(ask, true) };
  const maxTokens = ask.constraint.maxTokens + 96; // the plan or choice plus a thought
  const history: Turn[] = [];
  const tried: Tried[] = [];
  let user = reactFirstUser(split, ask.form as 'plan' | 'menu', ask.names?.loops ?? []);
  const transcript: string[] = [];
  try {
    for (let step = 1; step <= budget; step++) {
      const schema = tried.length ? schemas.later : schemas.first;
      const raw = await ctx.chat({ system: split.system, history, user, schema, maxTokens, sampling: ctx.sampling, signal: ctx.req.signal });
      history.push({ role: 'user', content: user }, { role: 'assistant', content: raw });
      transcript.push(raw.trim());
      const label = `${base}#s${step}`;
      let observation: string;
      let parsed: { action?: unknown; loop?: unknown; plan?: unknown; choice?: unknown; thought?: unknown } | null = null;
      try {
        parsed = JSON.parse(raw.trim());
      } catch (err) {
        observation = `that step was not one JSON object (${(err as Error).message}); answer with one step object`;
      }
      if (parsed) {
        if (parsed.action === 'finish' && tried.length > 0) break;
        if (parsed.action === 'finish') {
          // A server that ignores the schema may still finish first: say what is missing.
          observation = 'nothing was tried yet: try an answer first';
        } else if (parsed.action === 'facts' && typeof parsed.loop === 'string') {
          observation = loopFactsText(ask.state, parsed.loop);
        } else if (parsed.action === 'try' && (parsed.plan !== undefined || typeof parsed.choice === 'string')) {
          if (parsed.choice === MENU_OTHER) {
            observation = 'that is not one of the options';
          } else {
            const answer = ask.form === 'plan' ? JSON.stringify(parsed.plan) : JSON.stringify({ choice: parsed.choice, reason: typeof parsed.thought === 'string' ? parsed.thought.slice(0, 120) : '' });
            const r = await ask.read(answer, label, ctx.chat, ctx.req.signal);
            out.rejected.push(...r.rejected);
            const v = await valueOf(r.candidates[0], r.rejected[0]?.reason, ctx.req);
            if (r.candidates[0]) tried.push({ candidate: r.candidates[0], value: v.value });
            observation = v.observation;
          }
        } else {
          observation = `unknown action ${JSON.stringify(parsed.action)}; use facts, try or finish`;
        }
      }
      transcript.push(`observation: ${observation!}`);
      user = reactObservationUser(observation!, budget - step);
    }
  } catch (err) {
    if (history.length === 0 || ctx.req.signal?.aborted) throw err;
    if (!(err instanceof BudgetSpent)) out.rejected.push({ label: `${base}#stop`, reason: `stopped: ${firstLine((err as Error).message)}`, rawResponse: transcript.join('\n') });
  }
  if (tried.length === 0) out.rejected.push({ label: `${base}#1`, reason: `tried nothing in ${history.length / 2} step(s)`, rawResponse: transcript.join('\n') });
  const seen = new Set<string>();
  for (const t of tried.sort((a, b) => b.value - a.value)) {
    const id = t.candidate.functionText || `illegal:${t.candidate.label}`;
    if (seen.has(id)) continue;
    seen.add(id);
    t.candidate.rawResponse = transcript.join('\n');
    out.candidates.push(t.candidate);
  }
  return out;
}
