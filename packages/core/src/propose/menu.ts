// The menu output form: the analyzer's legal candidates offered to a model as an enum
// (strategy/menu-zero-shot.ts writes the prompt). A pick becomes a candidate with the
// analyzer's text and plan, credited to the model (the verifier still judges it); the
// "other" pick is answered by the caller with a plan request.
import type { AnalysisState } from '../analysis/analyze.js';
import { candidatesFor } from './analyzer.js';
import type { Plan } from './plan.js';
import type { Candidate, ProposerIdentity } from './types.js';
import { MENU_OTHER, type MenuOption } from '../strategy/menu-zero-shot.js';

export interface MenuEntry extends MenuOption {
  candidate: Candidate;
}

/** One line per plan: "L1 parallel-for private(j, k) collapse(2); then interchange L1.2/L1.2.1". */
export function summarizePlan(plan: Plan): string {
  const loops = plan.loops.map((l) => {
    const c: string[] = [`${l.loop} ${l.action}`];
    if (l.private?.length) c.push(`private(${l.private.join(', ')})`);
    if (l.lastprivate?.length) c.push(`lastprivate(${l.lastprivate.join(', ')})`);
    for (const r of l.reduction ?? []) c.push(`reduction(${r.op}: ${r.vars.join(', ')})`);
    if (l.collapse && l.collapse > 1) c.push(`collapse(${l.collapse})`);
    if (l.schedule) c.push(`schedule(${l.schedule.kind})`);
    if (l.atomic?.length) c.push(`atomic updates of ${l.atomic.join(', ')}`);
    if (l.select) c.push(`arg${l.select.op} of ${l.select.value}`);
    return c.join(' ');
  });
  const t = (plan.transforms ?? []).map((x) => ('with' in x ? `${x.kind} ${x.loop}/${x.with}` : 'loop' in x ? `${x.kind} ${x.loop}${'size' in x ? ` by ${x.size}` : ''}${'array' in x ? ` of ${x.array}` : ''}` : x.kind));
  return loops.join('; ') + (t.length ? `; transforms: ${t.join(', ')}` : '');
}

/** The analyzer's candidates as menu entries (ids are its variant names). */
export function menuEntries(state: AnalysisState): MenuEntry[] {
  return candidatesFor(state).map((c) => ({
    id: c.label.replace(/^analyzer:/, ''),
    summary: summarizePlan(c.plan as Plan),
    candidate: c,
  }));
}

export function menuSchema(entries: MenuOption[]): object {
  return {
    type: 'object',
    properties: {
      choice: { enum: [...entries.map((e) => e.id), MENU_OTHER] },
      // One line: a long reason costs seconds per kernel on a small model.
      reason: { type: 'string', maxLength: 120 },
    },
    required: ['choice', 'reason'],
    additionalProperties: false,
  };
}

export type MenuPick =
  | { kind: 'entry'; entry: MenuEntry; reason: string }
  | { kind: 'other'; reason: string }
  | { kind: 'invalid'; reason: string };

/** Reads a menu answer; anything that is not one of the offered choices is 'invalid' with why. */
export function readMenuAnswer(raw: string, entries: MenuEntry[]): MenuPick {
  let x: unknown;
  try {
    x = JSON.parse(raw.trim());
  } catch (err) {
    return { kind: 'invalid', reason: `the menu answer is not JSON (${(err as Error).message})` };
  }
  const o = x as { choice?: unknown; reason?: unknown };
  const reason = typeof o?.reason === 'string' ? o.reason.trim() : '';
  if (o?.choice === MENU_OTHER) return { kind: 'other', reason };
  const entry = entries.find((e) => e.id === o?.choice);
  if (!entry) return { kind: 'invalid', reason: `the menu answer's choice ${JSON.stringify(o?.choice)} is not one of the offered options` };
  return { kind: 'entry', entry, reason };
}

/** The picked analyzer candidate, credited to the model that picked it. */
export function menuCandidate(pick: { entry: MenuEntry; reason: string }, label: string, proposer: ProposerIdentity, raw: string): Candidate {
  const c = pick.entry.candidate;
  return { label: `${label}:${pick.entry.id}`, proposer, functionText: c.functionText, plan: c.plan, rawResponse: raw };
}
