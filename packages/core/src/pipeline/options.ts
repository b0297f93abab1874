// Target options as a user writes them (project.json, CLI flags) and their defaults.
// One place for defaults: the Nx executor's schema.json repeats them for `nx show`,
// and a test checks that the two agree.
import { isAbsolute, resolve } from 'node:path';
import type { BuildOptions } from './build.js';
import { remoteAuthFromEnv } from '../store/http-remote.js';
import { parseSize } from '../store/size.js';
import { PROPOSER_CHOICES, type ModelOptions, type ProposerChoice } from './proposer.js';
import { MODEL_OUTPUTS, type ModelOutput } from '../propose/model-forms.js';
import { parseRecipeNames, type RecipeName } from '../propose/compiler.js';
import { isStrategyName, STRATEGY_NAMES } from '../strategy/names.js';

export interface BuildTargetOptions extends ModelOptions {
  sources?: string[];
  spec?: string;
  outputPath?: string;
  artifactName?: string;
  kind?: 'executable' | 'static-library';
  cc?: string;
  cflags?: string[];
  ldflags?: string[];
  proposer?: ProposerChoice;
  /** Compile recipes verified beside the proposer's candidates: names, "all" or "none" (default). */
  compilerRecipes?: string[] | string;
  model?: string;
  ollamaHost?: string;
  threshold?: number;
  cacheDir?: string;
  offline?: boolean;
  requestTimeoutMs?: number;
  modelOutput?: ModelOutput;
  checkImpliedPlans?: boolean;
  // --- shared store (README, "Sharing the store") ---
  /** Local store size cap: bytes, or a size like "2G", "500M". */
  cacheMaxSize?: string | number;
  remoteCache?: string;
  remoteCacheCaFile?: string;
  remoteCacheTimeoutMs?: number;
  remoteCacheRetries?: number;
  remoteCacheTrusted?: boolean;
  storeReadonly?: boolean;
  noGenerate?: boolean;
  regressionBaseline?: string;
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
  remoteCacheTimeoutMs: 10000,
  remoteCacheRetries: 2,
  remoteCacheTrusted: false,
  storeReadonly: false,
  noGenerate: false,
  embeddedModel: 'smollm2-135m',
  embeddedOutput: 'menu',
  strategy: 'zero-shot',
  samples: 1,
} as const satisfies BuildTargetOptions;

const PROPOSERS: ProposerChoice[] = PROPOSER_CHOICES;

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
  for (const key of ['modelOutput', 'embeddedOutput'] as const) {
    if (!MODEL_OUTPUTS.includes(o[key])) {
      throw new OptionsError(`option "${key}" is "${o[key]}"; use one of ${MODEL_OUTPUTS.map((m) => `"${m}"`).join(', ')}`);
    }
  }
  const strategy = env.AUTOPAR_STRATEGY ?? o.strategy;
  if (!isStrategyName(strategy)) {
    throw new OptionsError(`option "strategy" (or AUTOPAR_STRATEGY) is "${String(strategy)}"; use one of ${STRATEGY_NAMES.map((m) => `"${m}"`).join(', ')}`);
  }
  const samples = env.AUTOPAR_SAMPLES !== undefined ? Number(env.AUTOPAR_SAMPLES) : o.samples;
  if (!(Number.isInteger(samples) && samples >= 1 && samples <= 16)) {
    throw new OptionsError(`option "samples" (or AUTOPAR_SAMPLES) must be an integer from 1 to 16, got ${JSON.stringify(env.AUTOPAR_SAMPLES ?? o.samples)}`);
  }
  if (o.strategyBudget !== undefined && !(Number.isInteger(o.strategyBudget) && o.strategyBudget >= 1)) {
    throw new OptionsError(`option "strategyBudget" must be a positive integer (model calls per kernel), got ${JSON.stringify(o.strategyBudget)}`);
  }
  if (strategy === 'react' && o.modelOutput === 'function' && o.embeddedOutput === 'function') {
    throw new OptionsError('option "strategy" is "react", which acts through plans: set "embeddedOutput" or "modelOutput" to "plan" or "menu"');
  }
  for (const key of ['modelThreads', 'modelMaxCalls'] as const) {
    const v = o[key];
    if (v !== undefined && !(Number.isInteger(v) && v >= (key === 'modelMaxCalls' ? 0 : 1))) {
      throw new OptionsError(`option "${key}" must be a ${key === 'modelMaxCalls' ? 'non-negative' : 'positive'} integer, got ${JSON.stringify(v)}`);
    }
  }
  if (o.modelMaxSeconds !== undefined && !(typeof o.modelMaxSeconds === 'number' && o.modelMaxSeconds >= 0)) {
    throw new OptionsError(`option "modelMaxSeconds" must be a non-negative number of seconds, got ${JSON.stringify(o.modelMaxSeconds)}`);
  }
  if (typeof o.threshold !== 'number' || !(o.threshold > 0)) {
    throw new OptionsError(`option "threshold" must be a positive number (e.g. 1.05), got ${JSON.stringify(o.threshold)}`);
  }
  const remoteUrl = env.AUTOPAR_REMOTE_CACHE || o.remoteCache;
  if (remoteUrl !== undefined && !/^https?:\/\/[^/]/.test(remoteUrl)) {
    throw new OptionsError(`remote cache "${remoteUrl}" (option "remoteCache" or AUTOPAR_REMOTE_CACHE) must be an http:// or https:// URL, e.g. http://cache.example:8080/autopar`);
  }
  for (const name of ['remoteCacheTimeoutMs', 'remoteCacheRetries'] as const) {
    const v = o[name];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < (name === 'remoteCacheRetries' ? 0 : 1)) {
      throw new OptionsError(`option "${name}" must be a ${name === 'remoteCacheRetries' ? 'non-negative' : 'positive'} integer, got ${JSON.stringify(v)}`);
    }
  }
  const maxSize = env.AUTOPAR_CACHE_MAX_SIZE ?? o.cacheMaxSize;
  const fill = (s: string) => s.replaceAll('{projectName}', ctx.projectName);
  const abs = (s: string) => (isAbsolute(s) ? s : resolve(ctx.workspaceRoot, fill(s)));
  return {
    workspaceRoot: ctx.workspaceRoot,
    projectRoot: ctx.projectRoot,
    projectName: ctx.projectName,
    // Patterns stay as written here; the pipeline expands them (pipeline/sources.ts).
    sources: o.sources,
    spec: o.spec,
    outputPath: abs(o.outputPath),
    artifactName: o.artifactName ?? ctx.projectName,
    kind: o.kind,
    cc: env.AUTOPAR_CC ?? o.cc,
    cflags: [...o.cflags],
    ldflags: [...o.ldflags],
    proposer,
    compilerRecipes: recipesOption(env.AUTOPAR_RECIPES ?? o.compilerRecipes),
    model: env.AUTOPAR_MODEL ?? o.model,
    ollamaHost: o.ollamaHost ?? env.OLLAMA_HOST,
    threshold: o.threshold,
    cacheDir: env.AUTOPAR_CACHE_DIR ? abs(env.AUTOPAR_CACHE_DIR) : abs(o.cacheDir),
    offline: o.offline || env.AUTOPAR_OFFLINE === '1',
    requestTimeoutMs: o.requestTimeoutMs,
    modelOutput: o.modelOutput,
    checkImpliedPlans: o.checkImpliedPlans,
    cacheMaxBytes: maxSize === undefined ? undefined : parseSizeOption(maxSize),
    remoteCache: remoteUrl
      ? {
          url: remoteUrl,
          authorization: remoteAuthFromEnv(env),
          caFile: env.AUTOPAR_REMOTE_CACHE_CA ? abs(env.AUTOPAR_REMOTE_CACHE_CA) : o.remoteCacheCaFile && abs(o.remoteCacheCaFile),
          timeoutMs: o.remoteCacheTimeoutMs,
          retries: o.remoteCacheRetries,
        }
      : undefined,
    storeReadonly: o.storeReadonly || env.AUTOPAR_STORE_READONLY === '1',
    remoteCacheTrusted: o.remoteCacheTrusted || env.AUTOPAR_REMOTE_CACHE_TRUSTED === '1',
    noGenerate: o.noGenerate || env.AUTOPAR_NO_GENERATE === '1',
    regressionBaseline: (env.AUTOPAR_REGRESSION_BASELINE || o.regressionBaseline) && abs((env.AUTOPAR_REGRESSION_BASELINE || o.regressionBaseline)!),
    embeddedModel: env.AUTOPAR_EMBEDDED_MODEL ?? o.embeddedModel,
    embeddedOutput: o.embeddedOutput,
    modelsDir: o.modelsDir ? abs(o.modelsDir) : undefined,
    modelThreads: env.AUTOPAR_MODEL_THREADS ? Number(env.AUTOPAR_MODEL_THREADS) : o.modelThreads,
    modelMaxCalls: o.modelMaxCalls,
    modelMaxSeconds: o.modelMaxSeconds,
    strategy,
    samples,
    strategyBudget: o.strategyBudget,
    log: ctx.log,
    verbose: ctx.verbose,
  };
}

function recipesOption(v: string | readonly string[] | undefined): RecipeName[] {
  try {
    return parseRecipeNames(v, 'option "compilerRecipes" (or AUTOPAR_RECIPES)');
  } catch (err) {
    throw new OptionsError((err as Error).message);
  }
}

function parseSizeOption(v: string | number): number {
  try {
    return parseSize(v);
  } catch (err) {
    throw new OptionsError(`option "cacheMaxSize" (or AUTOPAR_CACHE_MAX_SIZE): ${(err as Error).message}`);
  }
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
