// What verification can do on this machine right now, and what the user allowed it to
// skip. Both are part of the verification policy in the store key: a verdict made with
// less checking (no race detector, no sandbox) is never served to a build that has more,
// and every report repeats them.
//
// AUTOPAR_ALLOW_UNVERIFIED=race (comma-separated stage names; 'race' and 'memory' are
// short for sanitize-race and sanitize-memory) lets a candidate be accepted although
// that stage could not run here. Without it, a stage the policy asks for that did not run
// makes the verdict 'incomplete': not accepted.
import { existsSync } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';
import { DEFAULT_ARCHER_LIB, DEFAULT_RACE_CC, detectRaceDetector } from './race.js';
import { sandboxSetup } from './sandbox/detect.js';
import { memoryLimitFromEnv } from '../spec/memory-limit.js';
import type { StageName, VerifyConditions, VerifyPolicy } from './types.js';

const ALIASES: Record<string, StageName> = {
  race: 'sanitize-race',
  'sanitize-race': 'sanitize-race',
  memory: 'sanitize-memory',
  'sanitize-memory': 'sanitize-memory',
};

export class AllowUnverifiedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AllowUnverifiedError';
  }
}

/** Parses AUTOPAR_ALLOW_UNVERIFIED; throws on a name it does not know, saying which names it takes. */
export function parseAllowUnverified(value: string | undefined): StageName[] {
  if (!value || !value.trim()) return [];
  const out = new Set<StageName>();
  for (const raw of value.split(',').map((x) => x.trim()).filter(Boolean)) {
    const stage = ALIASES[raw];
    if (!stage) {
      throw new AllowUnverifiedError(
        `AUTOPAR_ALLOW_UNVERIFIED: unknown check "${raw}"; use a comma-separated list of race, memory (or sanitize-race, sanitize-memory), or unset it`,
      );
    }
    out.add(stage);
  }
  return [...out].sort();
}

export function allowUnverifiedFromEnv(env: NodeJS.ProcessEnv = process.env): StageName[] {
  return parseAllowUnverified(env.AUTOPAR_ALLOW_UNVERIFIED);
}

/** The sandbox as a report line: on, off by the user's choice, or unavailable here. */
export async function sandboxCondition(env: NodeJS.ProcessEnv = process.env): Promise<string> {
  if (env.AUTOPAR_SANDBOX === 'off') return 'off (AUTOPAR_SANDBOX=off): candidate code ran without bubblewrap';
  const { capabilities } = await sandboxSetup();
  return capabilities.bubblewrap.ok ? 'bubblewrap' : `unavailable (${capabilities.bubblewrap.reason ?? 'bubblewrap does not work here'}): candidate code ran without bubblewrap`;
}

export interface ConditionOptions {
  /** The caller brings its own race stage (tests): the default detector is not probed. */
  customRaceStage?: boolean;
  allowUnverified?: StageName[];
  env?: NodeJS.ProcessEnv;
}

/** Probes (memoized per process) the race detector and the sandbox. */
export async function verificationConditions(policy: VerifyPolicy, opts: ConditionOptions = {}): Promise<VerifyConditions> {
  const env = opts.env ?? process.env;
  let raceDetector: string;
  if (!policy.sanitizers.race) raceDetector = 'not asked for by the policy';
  else if (opts.customRaceStage) raceDetector = 'custom race stage';
  else {
    const d = await detectRaceDetector();
    raceDetector = d.ok ? `present: ${d.detail}` : `missing (${d.reason})`;
  }
  return {
    sandbox: await sandboxCondition(env),
    raceDetector,
    allowUnverified: opts.allowUnverified ?? allowUnverifiedFromEnv(env),
    ...(memoryLimitFromEnv(env) !== undefined ? { memoryLimit: memoryLimitFromEnv(env) } : {}),
  };
}

/**
 * The conditions as the key sees them: coarse states only (no versions or paths, which
 * are in the toolchain fingerprint or vary from run to run), so the key is stable on one
 * machine and differs exactly when the checking differs.
 */
export function conditionsKeyPart(c: VerifyConditions): { sandbox: string; raceDetector: string; allowUnverified: StageName[]; memoryLimit?: number } {
  const coarse = (s: string) => s.split(/[ :(]/)[0]!;
  return {
    sandbox: coarse(c.sandbox),
    raceDetector: coarse(c.raceDetector),
    allowUnverified: [...c.allowUnverified],
    ...(c.memoryLimit !== undefined ? { memoryLimit: c.memoryLimit } : {}),
  };
}

export type ConditionsKeyPart = ReturnType<typeof conditionsKeyPart>;

function onPath(cmd: string, env: NodeJS.ProcessEnv): boolean {
  if (isAbsolute(cmd)) return existsSync(cmd);
  return (env.PATH ?? '').split(delimiter).some((d) => d && existsSync(join(d, cmd)));
}

/**
 * The key's view of the conditions without running anything (a cache lookup must stay
 * fast): the sandbox on/off/unavailable and the race detector's files present or missing.
 * Verification probes them for real; a candidate whose check then did not run gets an
 * 'incomplete' verdict, which the build never stores (a repaired machine re-verifies).
 */
export function quickConditionsKeyPart(policy: VerifyPolicy, env: NodeJS.ProcessEnv = process.env): ConditionsKeyPart {
  const sandbox = env.AUTOPAR_SANDBOX === 'off' ? 'off' : onPath('bwrap', env) ? 'bubblewrap' : 'unavailable';
  const cc = env.AUTOPAR_RACE_CC ?? DEFAULT_RACE_CC;
  const archer = env.AUTOPAR_ARCHER_LIB ?? DEFAULT_ARCHER_LIB;
  const raceDetector = !policy.sanitizers.race ? 'not' : onPath(cc, env) && existsSync(archer) ? 'present' : 'missing';
  // A set AUTOPAR_MEMORY_LIMIT changes which steps the sandbox stops (absent: the 2 GiB
  // default, keeping the keys made before it existed). A kernel's own memoryLimit is keyed with its spec.
  const memoryLimit = memoryLimitFromEnv(env);
  return { sandbox, raceDetector, allowUnverified: allowUnverifiedFromEnv(env), ...(memoryLimit !== undefined ? { memoryLimit } : {}) };
}
