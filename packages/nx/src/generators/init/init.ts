// `nx g @autopar/nx:init` (run by `nx add @autopar/nx`): what a workspace needs once.
//  - nx.json plugins: @autopar/nx, so opted-in targets get inferred inputs/outputs and an
//    autopar-explain target;
//  - nx.json namedInputs.autoparKernel: the files a kernel build reads (the plugin uses it);
//  - nx.json targetDefaults for the executor: cached, built after the project's dependencies;
//  - .gitignore: .autopar/ (the local store of verified variants and scratch space).
// Idempotent: running it twice changes nothing the second time.
import { formatFiles, logger, readNxJson, updateNxJson, type GeneratorCallback, type Tree } from '@nx/devkit';
import { EXECUTOR, NAMED_INPUT } from '../../plugins/plugin';
import type { InitGeneratorSchema } from './schema';

export const PLUGIN_NAME = '@autopar/nx';

/** What a kernel build reads: C sources and headers and the spec (project.json options are hashed by Nx). */
export const KERNEL_INPUTS = ['{projectRoot}/**/*.c', '{projectRoot}/**/*.h', '{projectRoot}/autopar.spec.json'];

export async function initGenerator(tree: Tree, options: InitGeneratorSchema = {}): Promise<GeneratorCallback> {
  const nxJson = readNxJson(tree) ?? {};
  const plugins = nxJson.plugins ?? [];
  const registered = plugins.some((p) => (typeof p === 'string' ? p : p.plugin) === PLUGIN_NAME);
  if (!registered) nxJson.plugins = [...plugins, PLUGIN_NAME];

  nxJson.namedInputs ??= {};
  nxJson.namedInputs[NAMED_INPUT] ??= KERNEL_INPUTS;

  nxJson.targetDefaults ??= {};
  // No `inputs` here: target defaults would replace the plugin's env and runtime inputs.
  nxJson.targetDefaults[EXECUTOR] ??= { cache: true, dependsOn: ['^build'] };
  updateNxJson(tree, nxJson);

  const ignore = tree.exists('.gitignore') ? tree.read('.gitignore', 'utf-8')! : '';
  if (!ignore.split(/\r?\n/).some((l) => /^\/?\.autopar\/?$/.test(l.trim()))) {
    tree.write('.gitignore', `${ignore}${ignore === '' || ignore.endsWith('\n') ? '' : '\n'}\n# autopar: local store of verified variants\n.autopar/\n`);
  }
  if (!options.skipFormat) await formatFiles(tree);
  return () => {
    if (!registered) logger.info(`autopar: registered ${PLUGIN_NAME}; opt a kernel in with \`nx g ${PLUGIN_NAME}:kernel --project <p> --source src/<file>.c --function <name>\``);
  };
}

export default initGenerator;
