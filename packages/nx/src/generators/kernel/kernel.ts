// `nx g @autopar/nx:kernel --project <p> --source src/x.c --function f`: opts a target in
// to autopar and drafts the kernel's spec from its code (@autopar/core's draftKernelSpec:
// the same drafting as `autopar spec init`), checked by running the original once.
import {
  formatFiles, joinPathFragments, logger, readProjectConfiguration, updateProjectConfiguration, type Tree,
} from '@nx/devkit';
import { join } from 'node:path';
import { EXECUTOR } from '../../plugins/plugin';
import { initGenerator } from '../init/init';
import type { KernelGeneratorSchema } from './schema';

export async function kernelGenerator(tree: Tree, options: KernelGeneratorSchema): Promise<void> {
  await initGenerator(tree, { skipFormat: true });
  const project = readProjectConfiguration(tree, options.project);
  const targetName = options.target ?? 'build';
  const specRel = options.spec ?? 'autopar.spec.json';
  const sourceRel = options.source.replace(/^\.\//, '');
  const sourceInTree = joinPathFragments(project.root, sourceRel);
  if (!tree.exists(sourceInTree)) {
    throw new Error(`autopar: ${sourceInTree} does not exist; --source is relative to the project root (${project.root || '.'})`);
  }

  // Opt the target in.
  const targets = (project.targets ??= {});
  const existing = targets[targetName];
  if (existing?.executor && existing.executor !== EXECUTOR && !options.force) {
    throw new Error(
      `autopar: ${options.project}:${targetName} already uses ${existing.executor}; pass --target <another name> or --force to replace it with ${EXECUTOR}`,
    );
  }
  if (existing?.executor !== EXECUTOR) {
    targets[targetName] = {
      executor: EXECUTOR,
      options: {
        ...(options.sources ? { sources: options.sources } : {}),
        ...(specRel !== 'autopar.spec.json' ? { spec: specRel } : {}),
        kind: options.kind ?? 'executable',
      },
    };
  }
  // The plugin infers inputs for projects with a project.json next to the spec.
  updateProjectConfiguration(tree, options.project, project);

  // Draft the spec. @autopar/core is ESM; this plugin is CommonJS, hence the dynamic import.
  const core = await import('@autopar/core');
  const specInTree = joinPathFragments(project.root, specRel);
  const result = await core.draftKernelSpec({
    sourcePath: join(tree.root, sourceInTree),
    sourceText: tree.read(sourceInTree, 'utf-8')!,
    functionName: options.function,
    specPath: join(tree.root, specInTree),
    existingSpecText: tree.exists(specInTree) ? tree.read(specInTree, 'utf-8') : null,
    check: options.check,
    calibrate: options.calibrate,
    targetMs: options.targetMs,
    log: (line: string) => logger.info(line),
  });
  tree.write(specInTree, core.formatSpecJson(result.file));
  if (!options.skipFormat) await formatFiles(tree);

  logger.info(`autopar: drafted ${options.function} into ${specInTree}; ${options.project}:${targetName} builds through autopar`);
  if (result.check && !result.check.ok) logger.warn(`autopar: the draft does not run yet: ${result.check.detail}`);
  logger.info(`autopar: ${result.confirm.length} guesses to confirm (the kernel's "confirm" field; delete each line once checked):`);
  for (const c of result.confirm) logger.info(`  ${c.field}: ${c.guess}`);
}

export default kernelGenerator;
