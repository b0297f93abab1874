// `@autopar/nx:build`: runs the autopar pipeline for one project.
// @autopar/core is ESM; this plugin is CommonJS (what Nx loads), hence the dynamic import.
import { join } from 'node:path';
import { logger, type ExecutorContext } from '@nx/devkit';
import type { BuildExecutorSchema } from './schema';
import { firstTimeInRun, isProposerNote } from './once-per-run';

export default async function buildExecutor(
  options: BuildExecutorSchema,
  context: ExecutorContext,
): Promise<{ success: boolean }> {
  const projectName = context.projectName;
  if (!projectName) {
    logger.error('autopar: no project name in the executor context; run it as `nx build <project>`');
    return { success: false };
  }
  const project = context.projectsConfigurations.projects[projectName]!;
  const core = await import('@autopar/core');
  try {
    const opts = core.resolveBuildOptions(options, {
      workspaceRoot: context.root,
      projectRoot: join(context.root, project.root),
      projectName,
      log: (line: string) => {
        // The no-model-server note: once per `nx run-many`, not once per kernel project.
        if (isProposerNote(line) && !firstTimeInRun(line)) return;
        logger.info(line);
      },
      verbose: context.isVerbose,
    });
    const report = await core.buildProject(opts);
    for (const hint of await core.noaliasHints(join(opts.projectRoot, opts.spec), report.kernels)) logger.warn(hint);
    logger.info(`autopar: ${projectName}: built ${report.artifact}`);
    return { success: true };
  } catch (err) {
    // One clear message; the stack only with --verbose.
    const e = err as Error;
    logger.error(`autopar: ${projectName}: ${e.message}`);
    if (context.isVerbose && e.stack) logger.error(e.stack);
    return { success: false };
  }
}
