// Strategies that ask once per request: zero-shot (the form's prompt as is), few-shot
// (worked examples first), chain-of-thought and step-by-step (a free reasoning turn,
// then the constrained answer in a second turn with the reasoning above it).
import type { FormAsk, ProposalResult } from '../form-asks.js';
import { splitAnswerSection } from '../../strategy/turns.js';
import { fewShotUser, type ShownExample } from '../../strategy/few-shot.js';
import { chainOfThoughtTurns } from '../../strategy/chain-of-thought.js';
import { stepByStepTurns } from '../../strategy/step-by-step.js';
import { BUNDLED_EXAMPLES, nearestExamples } from '../../strategy/examples.js';
import { kernelFeatures } from '../../strategy/kernel-features.js';
import { strategyLabel, type StrategyContext } from './context.js';

/** Reasoning turn length: enough for a few sentences per loop, not for an essay. */
export const REASONING_MAX_TOKENS = 256;
/** Examples shown: two fit a small model's attention; more crowd out the task. */
export const FEW_SHOT_EXAMPLES = 2;

export async function zeroShot(ask: FormAsk, ctx: StrategyContext): Promise<ProposalResult> {
  const label = strategyLabel('zero-shot', ask);
  const raw = await ctx.chat({ ...ask.prompt, ...ask.constraint, sampling: ctx.sampling, signal: ctx.req.signal });
  return ask.read(raw, label, ctx.chat, ctx.req.signal);
}

/** The examples for a kernel: the build's (nearest verified variants), else the nearest bundled ones. */
export function examplesFor(ctx: StrategyContext): ShownExample[] {
  if (ctx.req.examples?.length) return ctx.req.examples.slice(0, FEW_SHOT_EXAMPLES);
  return nearestExamples(kernelFeatures(ctx.req.unit.sourceText), BUNDLED_EXAMPLES, FEW_SHOT_EXAMPLES);
}

export async function fewShot(ask: FormAsk, ctx: StrategyContext): Promise<ProposalResult> {
  const label = strategyLabel('few-shot', ask);
  const user = fewShotUser(splitAnswerSection(ask.prompt), examplesFor(ctx));
  const raw = await ctx.chat({ system: ask.prompt.system, user, ...ask.constraint, sampling: ctx.sampling, signal: ctx.req.signal });
  return ask.read(raw, label, ctx.chat, ctx.req.signal);
}

export function reasoning(kind: 'chain-of-thought' | 'step-by-step') {
  const turns = kind === 'chain-of-thought' ? chainOfThoughtTurns : stepByStepTurns;
  return async (ask: FormAsk, ctx: StrategyContext): Promise<ProposalResult> => {
    const label = strategyLabel(kind, ask);
    const t = turns(splitAnswerSection(ask.prompt));
    const system = ask.prompt.system;
    // Free text first: no grammar, so the model can think in its own words.
    const thought = await ctx.chat({ system, user: t.first, maxTokens: REASONING_MAX_TOKENS, sampling: ctx.sampling, signal: ctx.req.signal });
    const raw = await ctx.chat({
      system,
      history: [
        { role: 'user', content: t.first },
        { role: 'assistant', content: thought },
      ],
      user: t.second,
      ...ask.constraint,
      sampling: ctx.sampling,
      signal: ctx.req.signal,
    });
    const r = await ask.read(raw, label, ctx.chat, ctx.req.signal);
    const keep = (text: string) => `${thought}\n--- answer ---\n${text}`;
    for (const c of r.candidates) c.rawResponse = keep(c.rawResponse ?? raw);
    for (const x of r.rejected) x.rawResponse = keep(x.rawResponse);
    return r;
  };
}
