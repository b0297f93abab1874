// What every strategy runner gets, and the small pieces they share.
import type { ChatFn, ChatRequest, FormAsk, ProposalResult } from '../form-asks.js';
import type { Candidate, ProposeRequest, ProposerIdentity, ScreenResult } from '../types.js';
import type { StrategyName } from '../../strategy/names.js';

export interface StrategyContext {
  req: ProposeRequest;
  identity: ProposerIdentity;
  /** The engine's chat, counted against the budget (BudgetSpent once it is used up). */
  chat: ChatFn;
  /** Model calls made so far by this run of the strategy. */
  calls(): number;
  /** Model calls this run may make (null: the strategy's default). */
  budget: number | null;
  /** This sample's sampling: undefined for the first sample (the engine's own seed and temperature). */
  sampling?: { seed: number; temperature: number };
}

export type StrategyRunner = (ask: FormAsk, ctx: StrategyContext) => Promise<ProposalResult>;

export class BudgetSpent extends Error {
  constructor(readonly calls: number) {
    super(`strategy budget of ${calls} model call(s) spent`);
    this.name = 'BudgetSpent';
  }
}

/** A chat that refuses once `limit` calls were made (null: no limit). */
export function countedChat(chat: ChatFn, limit: number | null): { chat: ChatFn; calls: () => number } {
  let n = 0;
  return {
    chat: async (c: ChatRequest) => {
      if (limit !== null && n >= limit) throw new BudgetSpent(limit);
      n++;
      return chat(c);
    },
    calls: () => n,
  };
}

/** The label of a request under a strategy: zero-shot keeps the form's own ('plan-zero-shot#1'). */
export function strategyLabel(strategy: StrategyName, ask: FormAsk, suffix = '#1'): string {
  return strategy === 'zero-shot' ? ask.label : `${strategy}/${ask.form}${suffix}`;
}

/** Branch seeds: apart from the first sample's, so that branches and samples differ. */
export function drawSampling(ctx: StrategyContext, branch: number): { seed: number; temperature: number } | undefined {
  if (branch === 0) return ctx.sampling;
  const base = ctx.sampling?.seed ?? 42;
  return { seed: base + 1009 * branch, temperature: Math.max(ctx.sampling?.temperature ?? 0, 0.8) };
}

/** One line for a model: what the verifier said of a candidate (or why there was none). */
export function describeScreen(r: ScreenResult): string {
  if (r.passed) return `passed the gates, compiled, matched the original on the test sizes; ${r.speedup !== undefined ? `${r.speedup.toFixed(2)}x the original's speed at the bench size` : 'speed not measured'}`;
  return `rejected at ${r.stage}: ${firstLine(r.reason)}`;
}

export function firstLine(s: string, max = 240): string {
  const line = s.split('\n').find((l) => l.trim()) ?? '';
  return line.length > max ? `${line.slice(0, max)}…` : line;
}

/** A candidate's value for ranking, and the observation a model sees. */
export interface Valued {
  value: number;
  observation: string;
}

/**
 * Screens a candidate with the verifier when the build supplied one; otherwise ranks it
 * by its plan's legality alone and says that nothing was measured.
 */
export async function valueOf(c: Candidate | undefined, why: string | undefined, req: ProposeRequest): Promise<Valued> {
  if (!c) return { value: 0, observation: `no candidate: ${firstLine(why ?? 'unreadable answer')}` };
  if (c.legality && !c.legality.ok) return { value: 0, observation: `illegal plan: ${c.legality.errors.slice(0, 3).join('; ')}` };
  if (!c.functionText) return { value: 0, observation: 'no code' };
  if (!req.tools) return { value: 0.5, observation: 'legal; not measured (no verifier in this run)' };
  const r = await req.tools.screen(c);
  return { value: r.passed ? (r.speedup ?? 1) : 0, observation: describeScreen(r) };
}
