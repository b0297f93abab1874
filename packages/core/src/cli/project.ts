// Finding a project's autopar options outside Nx: the same project.json the
// Nx executor reads, so `autopar build kernels/matmul` builds what `nx build matmul` builds.
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { BuildTargetOptions } from '../pipeline/options.js';

export interface ProjectInfo {
  workspaceRoot: string;
  projectRoot: string;
  projectName: string;
  options: BuildTargetOptions;
  /** Where the options come from, for error messages: project.json and nx.json's targetDefaults. */
  origin: string;
}

export const EXECUTOR = '@autopar/nx:build';

export function readProject(projectDir: string, target?: string): ProjectInfo {
  const projectRoot = resolve(projectDir);
  if (!existsSync(projectRoot)) {
    throw new Error(`project folder ${projectDir} does not exist`);
  }
  const workspaceRoot = findWorkspaceRoot(projectRoot);
  const pj = join(projectRoot, 'project.json');
  const defaults = targetDefaults(workspaceRoot, target);
  if (!existsSync(pj)) {
    return { workspaceRoot, projectRoot, projectName: basename(projectRoot), options: defaults.options, origin: defaults.origin ?? `${projectRoot} (no project.json)` };
  }
  let json: { name?: string; targets?: Record<string, { executor?: string; options?: BuildTargetOptions }> };
  try {
    json = JSON.parse(readFileSync(pj, 'utf8'));
  } catch (err) {
    throw new Error(`${pj} is not valid JSON: ${(err as Error).message}`);
  }
  const targets = json.targets ?? {};
  const name = target ?? Object.keys(targets).find((t) => targets[t]?.executor === EXECUTOR);
  // As Nx does: targetDefaults (by executor, then by target name) under the project's own options.
  const named = targetDefaults(workspaceRoot, name);
  const options = { ...named.options, ...(name ? (targets[name]?.options ?? {}) : {}) };
  const origin = named.origin ? `${pj} (with ${named.origin})` : pj;
  return { workspaceRoot, projectRoot, projectName: json.name ?? basename(projectRoot), options, origin };
}

/** nx.json targetDefaults options for autopar's executor and for the target's name, merged in that order. */
function targetDefaults(workspaceRoot: string, targetName?: string): { options: BuildTargetOptions; origin?: string } {
  const nxJson = join(workspaceRoot, 'nx.json');
  if (!existsSync(nxJson)) return { options: {} };
  let json: { targetDefaults?: Record<string, { executor?: string; options?: BuildTargetOptions }> };
  try {
    json = JSON.parse(readFileSync(nxJson, 'utf8'));
  } catch (err) {
    throw new Error(`${nxJson} is not valid JSON: ${(err as Error).message}`);
  }
  const td = json.targetDefaults ?? {};
  const byExecutor = td[EXECUTOR]?.options;
  const byName = targetName && (td[targetName]?.executor === undefined || td[targetName]?.executor === EXECUTOR) ? td[targetName]?.options : undefined;
  if (!byExecutor && !byName) return { options: {} };
  return { options: { ...byExecutor, ...byName }, origin: `${nxJson} targetDefaults` };
}

/** The nearest folder upwards holding nx.json, else the nearest with a package.json, else the project's parent. */
export function findWorkspaceRoot(from: string): string {
  let fallback: string | undefined;
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'nx.json'))) return dir;
    if (!fallback && dir !== from && existsSync(join(dir, 'package.json'))) fallback = dir;
    if (dirname(dir) === dir) return fallback ?? dirname(from);
  }
}
