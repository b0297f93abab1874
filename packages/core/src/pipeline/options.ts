// Target options as a user writes them (project.json, CLI flags) and their defaults.
// One place for defaults: the Nx executor's schema.json repeats them for `nx show`,
// and a test checks that the two agree.
import { readdirSync } from 'node:fs';
import { dirname, basename, isAbsolute, join, resolve } from 'node:path';
import type { BuildOptions } from './build.js';
import type { ProposerChoice } from './proposer.js';

export interface BuildTargetOptions {
  sources?: string[];
  spec?: string;
  outputPath?: string;
  artifactName?: string;
  kind?: 'executable' | 'static-library';
  cc?: string;
  cflags?: string[];
  ldflags?: string[];
  proposer?: ProposerChoice;
  model?: string;
  ollamaHost?: string;
  threshold?: number;
  cacheDir?: string;
  offline?: boolean;
  requestTimeoutMs?: number;
  modelOutput?: 'function' | 'plan' | 'both';
  checkImpliedPlans?: boolean;
}

export const DEFAULT_TARGET_OPTIONS = {
  sources: ['src/*.c'],
  spec: 'autopar.spec.json',
  outputPath: 'dist/kernels/{projectName}',
  kind: 'executable',
  cc: 'gcc',
  cflags: ['-O3', '-fopenmp'],
  ldflags: ['-fopenmp', '-lm'],
  proposer: 'auto',
  model: 'qwen2.5:1.5b',
  threshold: 1.05,
  cacheDir: '.autopar/cache',
  offline: false,
  requestTimeoutMs: 120000,
  modelOutput: 'function',
  checkImpliedPlans: true,
} as const satisfies BuildTargetOptions;

const PROPOSERS: ProposerChoice[] = ['auto', 'ollama', 'analyzer', 'none'];

export class OptionsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OptionsError';
  }
}

export function resolveBuildOptions(
  raw: BuildTargetOptions,
  ctx: { workspaceRoot: string; projectRoot: string; projectName: string; log: (l: string) => void; verbose?: boolean },
): BuildOptions {
  const o = { ...DEFAULT_TARGET_OPTIONS, ...stripUndefined(raw) };
  const env = process.env;
  // Environment overrides let CI switch proposer or cache without editing project.json.
  const proposer = (env.AUTOPAR_PROPOSER as ProposerChoice | undefined) ?? o.proposer;
  if (!PROPOSERS.includes(proposer)) {
    throw new OptionsError(`proposer is "${proposer}"; use one of ${PROPOSERS.join(', ')} (option "proposer" or AUTOPAR_PROPOSER)`);
  }
  if (o.kind !== 'executable' && o.kind !== 'static-library') {
    throw new OptionsError(`option "kind" is "${o.kind}"; use "executable" or "static-library"`);
  }
  if (!['function', 'plan', 'both'].includes(o.modelOutput)) {
    throw new OptionsError(`option "modelOutput" is "${o.modelOutput}"; use "function", "plan" or "both"`);
  }
  if (typeof o.threshold !== 'number' || !(o.threshold > 0)) {
    throw new OptionsError(`option "threshold" must be a positive number (e.g. 1.05), got ${JSON.stringify(o.threshold)}`);
  }
  const fill = (s: string) => s.replaceAll('{projectName}', ctx.projectName);
  const abs = (s: string) => (isAbsolute(s) ? s : resolve(ctx.workspaceRoot, fill(s)));
  return {
    workspaceRoot: ctx.workspaceRoot,
    projectRoot: ctx.projectRoot,
    projectName: ctx.projectName,
    sources: expandSources(o.sources, ctx.projectRoot),
    spec: o.spec,
    outputPath: abs(o.outputPath),
    artifactName: o.artifactName ?? ctx.projectName,
    kind: o.kind,
    cc: env.AUTOPAR_CC ?? o.cc,
    cflags: [...o.cflags],
    ldflags: [...o.ldflags],
    proposer,
    model: env.AUTOPAR_MODEL ?? o.model,
    ollamaHost: o.ollamaHost ?? env.OLLAMA_HOST,
    threshold: o.threshold,
    cacheDir: env.AUTOPAR_CACHE_DIR ? abs(env.AUTOPAR_CACHE_DIR) : abs(o.cacheDir),
    offline: o.offline || env.AUTOPAR_OFFLINE === '1',
    requestTimeoutMs: o.requestTimeoutMs,
    modelOutput: o.modelOutput,
    checkImpliedPlans: o.checkImpliedPlans,
    log: ctx.log,
    verbose: ctx.verbose,
  };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}


/**
 * `dir/*.c`-style entries (the default `src/*.c`) expanded to the matching files, sorted;
 * other entries as written. A pattern that matches nothing is an error naming it.
 */
export function expandSources(sources: readonly string[], projectRoot: string): string[] {
  return sources.flatMap((s) => {
    if (!s.includes('*')) return [s];
    const dir = dirname(s);
    if (dir.includes('*')) throw new OptionsError(`option "sources": "${s}" — only the file name may hold a * (e.g. src/*.c)`);
    const re = new RegExp(`^${basename(s).replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`);
    let names: string[];
    try {
      names = readdirSync(resolve(projectRoot, dir));
    } catch {
      names = [];
    }
    const hits = names.filter((n) => re.test(n)).sort().map((n) => (dir === '.' ? n : join(dir, n)));
    if (hits.length === 0) throw new OptionsError(`option "sources": "${s}" matches no file in ${resolve(projectRoot, dir)}; list the C sources of the artifact`);
    return hits;
  });
}
