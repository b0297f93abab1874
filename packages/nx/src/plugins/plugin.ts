// Inferred configuration for projects that opt in to autopar.
//
// A project opts in by giving a target the `@autopar/nx:build` executor in its
// project.json, next to an autopar.spec.json. For such a target this plugin adds
// what Nx needs to cache it correctly — inputs (sources, spec, toolchain and
// autopar versions, proposer settings), outputs — and an `autopar-explain` target.
// It only reads files: no processes, no network (Nx runs it on every graph build).
//
// Cache inputs follow Nx conventions: a named input for the files (`autoparKernel` when
// nx.json defines it — `nx g @autopar/nx:init` does — else `production`, else `default`),
// every environment variable that can change what is linked, the compiler versions, and
// the proposer a build would use now (a runtime input: when a model server comes up after
// an offline build, the hash changes and Nx does not replay the analyzer-only result).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { CreateNodesContextV2, CreateNodesResult, CreateNodesV2, TargetConfiguration } from '@nx/devkit';

export interface AutoparPluginOptions {
  /** Name of the inferred explain target. */
  explainTargetName?: string;
}

export const EXECUTOR = '@autopar/nx:build';
const SPEC_GLOB = '**/autopar.spec.json';
/** The named input `nx g @autopar/nx:init` adds to nx.json: what a kernel build reads. */
export const NAMED_INPUT = 'autoparKernel';

/**
 * Every environment variable the pipeline reads that can change what a build links or
 * reports (pipeline/options.ts, verify/sandbox.ts, verify/race.ts, pipeline/proposer.ts).
 */
export const ENV_INPUTS = [
  'AUTOPAR_CC',
  'AUTOPAR_PROPOSER',
  'AUTOPAR_RECIPES',
  'AUTOPAR_RECIPE_CLANG',
  'AUTOPAR_MODEL',
  'AUTOPAR_OFFLINE',
  'AUTOPAR_CACHE_DIR',
  'AUTOPAR_SANDBOX',
  'AUTOPAR_CGROUP',
  'AUTOPAR_RACE_CC',
  'AUTOPAR_ARCHER_LIB',
  'OLLAMA_HOST',
  'AUTOPAR_ALLOW_UNVERIFIED',
  'AUTOPAR_NO_GENERATE',
  'AUTOPAR_REMOTE_CACHE',
  'AUTOPAR_REMOTE_CACHE_TRUSTED',
  'AUTOPAR_EMBEDDED_MODEL',
  'AUTOPAR_MODELS_DIR',
  'AUTOPAR_MEMORY_LIMIT',
  'AUTOPAR_STRATEGY',
  'AUTOPAR_SAMPLES',
] as const;

interface TargetOptions {
  cc?: string;
  outputPath?: string;
  spec?: string;
  proposer?: string;
  model?: string;
  ollamaHost?: string;
  embeddedModel?: string;
}

interface ProjectJson {
  name?: string;
  targets?: Record<string, { executor?: string; options?: TargetOptions }>;
}

export const createNodesV2: CreateNodesV2<AutoparPluginOptions> = [
  SPEC_GLOB,
  (specFiles, options, context) => {
    if (process.env.AUTOPAR_NX_DISABLE === 'true') return [];
    return specFiles.flatMap((file) => {
      const result = nodesForSpec(file, options ?? {}, context);
      return result ? [[file, result] as const] : [];
    });
  },
];

// Nx 22 calls both exports with the same (v2) signature.
export const createNodes = createNodesV2;

function nodesForSpec(
  specFile: string,
  options: AutoparPluginOptions,
  context: CreateNodesContextV2,
): CreateNodesResult | null {
  const root = dirname(specFile);
  const projectJsonPath = join(context.workspaceRoot, root, 'project.json');
  if (!existsSync(projectJsonPath)) return null;
  let pj: ProjectJson;
  try {
    pj = JSON.parse(readFileSync(projectJsonPath, 'utf8')) as ProjectJson;
  } catch {
    return null; // Nx itself reports a broken project.json
  }
  const name = pj.name ?? root.split('/').pop()!;
  const cli = autoparCommand(context.workspaceRoot);
  const fileInputs = namedFileInputs(context.nxJsonConfiguration?.namedInputs);
  const targets: Record<string, TargetConfiguration> = {};
  for (const [targetName, t] of Object.entries(pj.targets ?? {})) {
    if (t.executor !== EXECUTOR) continue;
    targets[targetName] = buildTarget(name, t.options ?? {}, cli, fileInputs);
  }
  if (Object.keys(targets).length === 0) return null;
  targets[options.explainTargetName ?? 'autopar-explain'] = {
    command: `${cli} explain ${root}`,
    options: { cwd: '{workspaceRoot}' },
    cache: false,
    metadata: {
      technologies: ['c', 'openmp'],
      description: 'Per loop: what the analyzer found and why it was or was not parallelized',
    },
  };
  return { projects: { [root]: { targets } } };
}

/**
 * How inferred targets run the workspace's own autopar CLI: `node <path to its bin>` when
 * @autopar/core resolves from the workspace root, else `npx --no-install autopar`. Never a
 * bare `npx autopar`, which asks the public registry for a package of that name when the
 * bin is not linked and would run whatever is published there.
 */
export function autoparCommand(workspaceRoot: string): string {
  // Where npm, yarn and pnpm put a direct dependency (and npm workspaces link this repo's package).
  const bin = 'node_modules/@autopar/core/bin/autopar.js';
  if (existsSync(join(workspaceRoot, bin))) return `node ${bin}`;
  return 'npx --no-install autopar';
}

/** The named input for a kernel build's files, by Nx convention. */
function namedFileInputs(named: Record<string, unknown> | undefined): string[] {
  if (named && NAMED_INPUT in named) return [NAMED_INPUT];
  if (named && 'production' in named) return ['production'];
  return ['default'];
}

function buildTarget(projectName: string, opts: TargetOptions, cli: string, fileInputs: string[]): TargetConfiguration {
  const cc = opts.cc ?? 'gcc';
  const outputPath = (opts.outputPath ?? 'dist/kernels/{projectName}').replaceAll('{projectName}', projectName);
  const inputs: TargetConfiguration['inputs'] = [
    ...fileInputs,
    { runtime: `${cc} --version` },
    // The race detector's compiler (clang-19 unless AUTOPAR_RACE_CC) decides race verdicts.
    { runtime: `${'$'}{AUTOPAR_RACE_CC:-clang-19} --version 2>/dev/null || echo no race compiler` },
    { runtime: `node -p "require('@autopar/core/package.json').version"` },
    ...ENV_INPUTS.map((env) => ({ env })),
  ];
  // Which proposer a build would use now (model and digest, or the analyzer when no server
  // answers): a build that fell back to the analyzer is not replayed once a model is up.
  if (opts.proposer !== 'analyzer' && opts.proposer !== 'none') {
    const flags = [
      opts.model && `--model ${opts.model}`,
      opts.ollamaHost && `--host ${opts.ollamaHost}`,
      opts.embeddedModel && `--embedded-model ${opts.embeddedModel}`,
    ].filter(Boolean);
    inputs.push({ runtime: [cli, 'proposer', ...flags].join(' ') });
  }
  // Key order is fixed: Nx hashes the configuration.
  return {
    executor: EXECUTOR,
    cache: true,
    // Verification benchmarks original against candidate; a concurrent task would skew both.
    parallelism: false,
    inputs,
    outputs: [`{workspaceRoot}/${outputPath}`],
    metadata: {
      technologies: ['c', 'openmp'],
      description: 'Link the fastest verified parallel variant of each kernel, or the original',
      help: { command: `${cli} --help`, example: { options: { proposer: 'analyzer' } } },
    },
  };
}
