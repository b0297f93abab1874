// Inferred configuration for projects that opt in to autopar.
//
// A project opts in by giving a target the `@autopar/nx:build` executor in its
// project.json, next to an autopar.spec.json. For such a target this plugin adds
// what Nx needs to cache it correctly — inputs (sources, spec, toolchain and
// autopar versions, proposer settings), outputs — and an `autopar-explain` target.
// It only reads files: no processes, no network (Nx runs it on every graph build).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { CreateNodesContextV2, CreateNodesResult, CreateNodesV2, TargetConfiguration } from '@nx/devkit';

export interface AutoparPluginOptions {
  /** Name of the inferred explain target. */
  explainTargetName?: string;
}

export const EXECUTOR = '@autopar/nx:build';
const SPEC_GLOB = '**/autopar.spec.json';

interface ProjectJson {
  name?: string;
  targets?: Record<string, { executor?: string; options?: { cc?: string; outputPath?: string; spec?: string } }>;
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
  const targets: Record<string, TargetConfiguration> = {};
  for (const [targetName, t] of Object.entries(pj.targets ?? {})) {
    if (t.executor !== EXECUTOR) continue;
    targets[targetName] = buildTarget(name, t.options ?? {});
  }
  if (Object.keys(targets).length === 0) return null;
  targets[options.explainTargetName ?? 'autopar-explain'] = {
    command: `npx autopar explain ${root}`,
    options: { cwd: '{workspaceRoot}' },
    cache: false,
    metadata: {
      technologies: ['c', 'openmp'],
      description: 'Per loop: what the analyzer found and why it was or was not parallelized',
    },
  };
  return { projects: { [root]: { targets } } };
}

function buildTarget(projectName: string, opts: { cc?: string; outputPath?: string; spec?: string }): TargetConfiguration {
  const cc = opts.cc ?? 'gcc';
  const outputPath = (opts.outputPath ?? 'dist/kernels/{projectName}').replaceAll('{projectName}', projectName);
  // Key order is fixed: Nx hashes the configuration.
  return {
    executor: EXECUTOR,
    cache: true,
    // Verification benchmarks original against candidate; a concurrent task would skew both.
    parallelism: false,
    inputs: [
      '{projectRoot}/**/*',
      { runtime: `${cc} --version` },
      { runtime: `node -p "require('@autopar/core/package.json').version"` },
      { env: 'AUTOPAR_CC' },
      { env: 'AUTOPAR_PROPOSER' },
      { env: 'AUTOPAR_MODEL' },
      { env: 'AUTOPAR_OFFLINE' },
      { env: 'OLLAMA_HOST' },
    ],
    outputs: [`{workspaceRoot}/${outputPath}`],
    metadata: {
      technologies: ['c', 'openmp'],
      description: 'Link the fastest verified parallel variant of each kernel, or the original',
      help: { command: 'npx autopar --help', example: { options: { proposer: 'analyzer' } } },
    },
  };
}
