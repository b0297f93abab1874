#!/usr/bin/env node
// The autopar CLI: the same pipeline as the Nx executor, for npm scripts and other build systems.
// Heavy modules load inside each command so `autopar --help` stays instant.
import { Command, Option } from 'commander';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { AUTOPAR_VERSION } from '../version.js';
import { readProject } from './project.js';
import { registerModelsCommand } from './models-command.js';
import { registerSpecCommands } from './spec-command.js';
import { launcherArgv, registerCcCommand } from './cc-command.js';
import { registerReportCommand } from './report-command.js';

const program = new Command();
program
  .name('autopar')
  .description('Make C kernels parallel at build time; link only verified variants.')
  .version(AUTOPAR_VERSION)
  .showHelpAfterError();

program
  .command('build')
  .description("build a project's kernels through autopar (reads the project's project.json options)")
  .argument('<project-dir>', 'project folder holding autopar.spec.json (and project.json)')
  .addOption(new Option('--proposer <name>', 'who proposes variants on a cache miss').choices(['auto', 'ollama', 'embedded', 'portfolio', 'analyzer', 'none']))
  .option('--recipes <names>', 'compile recipes verified beside the proposer: comma-separated clang-O3, clang-polly, clang-polly-parallel, gcc-autopar, aligned-loops, or all / none (default none; or AUTOPAR_RECIPES)')
  .option('--model <name>', 'Ollama model (default qwen2.5:1.5b)')
  .addOption(new Option('--model-output <form>', 'ask the Ollama model for a whole function, a JSON plan, a menu pick, or function and plan').choices(['function', 'plan', 'menu', 'both']))
  .option('--embedded-model <name>', 'embedded model: catalog name, GGUF path, Ollama store name or hf: URI (default smollm2-135m)')
  .addOption(new Option('--embedded-output <form>', 'ask the embedded model for a function, a plan, a menu pick (default), or function and plan').choices(['function', 'plan', 'menu', 'both']))
  .addOption(new Option('--strategy <name>', 'how the model reasons (default zero-shot; or AUTOPAR_STRATEGY)').choices(['zero-shot', 'few-shot', 'chain-of-thought', 'step-by-step', 'tree-of-thoughts', 'react']))
  .option('--samples <k>', 'self-consistency: answers drawn per request at different seeds, the verifier picks (default 1)', (v) => parseInt(v, 10))
  .option('--strategy-budget <n>', 'model calls per kernel for tree-of-thoughts (default 5) and react (default 6)', (v) => parseInt(v, 10))
  .option('--model-threads <n>', 'llama.cpp threads for the embedded model (default 1 while other work runs, else all cores)', (v) => parseInt(v, 10))
  .option('--model-max-calls <n>', 'model budget: at most this many model calls in this build', (v) => parseInt(v, 10))
  .option('--model-max-seconds <s>', 'model budget: at most this many seconds of model time in this build', parseFloat)
  .option('--threshold <x>', 'minimum median speedup to link a variant (default 1.05)', parseFloat)
  .option('--cache-dir <dir>', 'store folder (default .autopar/cache in the workspace)')
  .option('--output-path <dir>', 'output folder (default dist/kernels/<project>)')
  .option('--offline', 'never propose: cache hits or the original')
  .option('--no-generate', 'CI mode: use the store, keep the original on a miss, never call a model, list the misses (or AUTOPAR_NO_GENERATE=1)')
  .option('--remote-cache <url>', 'HTTP remote store, bazel-remote layout (or AUTOPAR_REMOTE_CACHE)')
  .option('--store-readonly', 'read the remote store, never write it (or AUTOPAR_STORE_READONLY=1)')
  .option('--regression-baseline <report.json>', "main's autopar-report.json: exit 3 when a kernel lost the verified variant it had there")
  .option('--json', 'print the report as JSON')
  .option('--verbose', 'show compiler and test output')
  .action(async (dir: string, flags) => {
    const { buildProject } = await import('../pipeline/build.js');
    const { resolveBuildOptions } = await import('../pipeline/options.js');
    const { OptionsError } = await import('../pipeline/options.js');
    const p = readProject(dir);
    const resolveNamed = (...args: Parameters<typeof resolveBuildOptions>) => {
      try {
        return resolveBuildOptions(...args);
      } catch (err) {
        // Name the file the bad option came from (flags override it, and are named in the message).
        if (err instanceof OptionsError) throw new OptionsError(`${p.origin}: ${err.message}`);
        throw err;
      }
    };
    const opts = resolveNamed(
      {
        ...p.options,
        ...(flags.proposer && { proposer: flags.proposer }),
        ...(flags.recipes && { compilerRecipes: flags.recipes }),
        ...(flags.model && { model: flags.model }),
        ...(flags.modelOutput && { modelOutput: flags.modelOutput }),
        ...(flags.embeddedModel && { embeddedModel: flags.embeddedModel }),
        ...(flags.embeddedOutput && { embeddedOutput: flags.embeddedOutput }),
        ...(flags.strategy && { strategy: flags.strategy }),
        ...(flags.samples !== undefined && { samples: flags.samples }),
        ...(flags.strategyBudget !== undefined && { strategyBudget: flags.strategyBudget }),
        ...(flags.modelThreads !== undefined && { modelThreads: flags.modelThreads }),
        ...(flags.modelMaxCalls !== undefined && { modelMaxCalls: flags.modelMaxCalls }),
        ...(flags.modelMaxSeconds !== undefined && { modelMaxSeconds: flags.modelMaxSeconds }),
        ...(flags.threshold !== undefined && { threshold: flags.threshold }),
        ...(flags.cacheDir && { cacheDir: resolve(flags.cacheDir) }),
        ...(flags.outputPath && { outputPath: resolve(flags.outputPath) }),
        ...(flags.offline && { offline: true }),
        // commander turns --no-generate into generate: false
        ...(flags.generate === false && { noGenerate: true }),
        ...(flags.remoteCache && { remoteCache: flags.remoteCache }),
        ...(flags.storeReadonly && { storeReadonly: true }),
        ...(flags.regressionBaseline && { regressionBaseline: resolve(flags.regressionBaseline) }),
      },
      {
        workspaceRoot: p.workspaceRoot,
        projectRoot: p.projectRoot,
        projectName: p.projectName,
        log: (l) => (flags.json ? process.stderr : process.stdout).write(l + '\n'),
        verbose: flags.verbose,
      },
    );
    const report = await buildProject(opts);
    const { noaliasHints } = await import('./explain-command.js');
    for (const h of await noaliasHints(resolve(p.projectRoot, opts.spec), report.kernels)) (flags.json ? process.stderr : process.stdout).write(h + '\n');
    if (flags.json) process.stdout.write(JSON.stringify(report, null, 2) + '\n');
    else process.stdout.write(`autopar: ${p.projectName}: built ${report.artifact}\n`);
  });

program
  .command('verify')
  .description('run the whole verifier on a candidate function; exit 0 when accepted, 1 when rejected')
  .argument('<project-dir>', 'project folder holding autopar.spec.json')
  .requiredOption('--kernel <name>', 'kernel name as in the spec')
  .requiredOption('--candidate <file.c>', 'the rewritten kernel function, alone or in a drop-in copy of the original file (its #defines and helpers are reconciled with the original\'s)')
  .option('--spec <file>', 'spec file relative to the project (default from project.json or autopar.spec.json)')
  .option('--json', 'print the verdict as JSON')
  .option('--verbose', 'show compiler and test output')
  .action(async (dir: string, flags) => {
    const { verifyFile } = await import('./verify-command.js');
    const p = readProject(dir);
    const verdict = await verifyFile({
      projectRoot: p.projectRoot,
      workspaceRoot: p.workspaceRoot,
      spec: flags.spec ?? p.options.spec ?? 'autopar.spec.json',
      kernel: flags.kernel,
      candidateText: await readCandidate(flags.candidate),
      candidatePath: flags.candidate,
      onNote: (l: string) => process.stderr.write(`autopar: candidate: ${l}\n`),
      cc: p.options.cc,
      cflags: p.options.cflags,
      ldflags: p.options.ldflags,
      log: flags.verbose ? (l: string) => process.stderr.write(l + '\n') : undefined,
    });
    if (flags.json) {
      process.stdout.write(JSON.stringify(verdict, null, 2) + '\n');
    } else {
      const { formatVerdict } = await import('./verify-command.js');
      process.stdout.write(formatVerdict(verdict));
    }
    process.exitCode = verdict.accepted ? 0 : 1;
  });

program
  .command('explain')
  .description('print, per loop, what the analyzer found and why it was or was not parallelized')
  .argument('<project-dir>', 'project folder holding autopar.spec.json')
  .option('--kernel <name>', 'only this kernel')
  .action(async (dir: string, flags) => {
    const { explainProject } = await import('./explain-command.js');
    const p = readProject(dir);
    process.stdout.write(await explainProject(p.projectRoot, p.options.spec ?? 'autopar.spec.json', flags.kernel));
  });

program
  .command('explain-key')
  .description('print what goes into the cache key of a kernel, field by field, and this machine\'s verification conditions')
  .action(async () => {
    const { describeKeyFields } = await import('../kernel/key.js');
    const { quickConditionsKeyPart } = await import('../verify/conditions.js');
    const { resolvePolicy } = await import('../verify/policy.js');
    process.stdout.write(`${describeKeyFields()}\n\nverifyPolicy.conditions on this machine now: ${JSON.stringify(quickConditionsKeyPart(resolvePolicy(undefined)))}\n`);
  });

program
  .command('doctor')
  .description('check toolchains, Ollama, sanitizers, race detector and sandbox; print the fix for what is missing')
  .option('--json', 'print the checks as JSON')
  .action(async (flags) => {
    const { runDoctor } = await import('./doctor.js');
    const checks = await runDoctor();
    if (flags.json) process.stdout.write(JSON.stringify(checks, null, 2) + '\n');
    else for (const c of checks) process.stdout.write(`${c.ok ? ' ok ' : 'MISS'}  ${c.name.padEnd(22)} ${c.detail}${c.ok || !c.fix ? '' : `\n      fix: ${c.fix}`}\n`);
  });

program
  .command('cache')
  .description('the local store: statistics, size cap, integrity check, clear (ccache-style: autopar cache -s)')
  .argument('[action]', 'stats | prune | verify | clear', 'stats')
  .option('-s, --show-stats', 'same as the stats action')
  .option('--cache-dir <dir>', 'store folder (default .autopar/cache in the current folder, or AUTOPAR_CACHE_DIR)')
  .option('--max-size <size>', 'prune: the cap to prune to, e.g. 2G (default AUTOPAR_CACHE_MAX_SIZE)')
  .option('--json', 'print the result as JSON')
  .action(async (action: string, flags) => {
    const { runCacheCommand } = await import('./cache-command.js');
    const r = await runCacheCommand(flags.showStats ? 'stats' : action, {
      cacheDir: resolve(flags.cacheDir ?? process.env.AUTOPAR_CACHE_DIR ?? '.autopar/cache'),
      maxSize: flags.maxSize ?? process.env.AUTOPAR_CACHE_MAX_SIZE,
    });
    process.stdout.write(flags.json ? JSON.stringify(r.json, null, 2) + '\n' : r.text);
    process.exitCode = r.exitCode;
  });
registerModelsCommand(program);

program
  .command('proposer')
  .description('print which proposer a build would use now (model and digest, or none reachable); never proposes')
  .option('--model <name>', 'Ollama model (default qwen2.5:1.5b, or AUTOPAR_MODEL)')
  .option('--host <url>', 'Ollama host (default OLLAMA_HOST or http://127.0.0.1:11434)')
  .option('--embedded-model <name>', 'embedded model (default AUTOPAR_EMBEDDED_MODEL or smollm2-135m)')
  .action(async (flags) => {
    const { describeCurrentProposer } = await import('./proposer-command.js');
    process.stdout.write((await describeCurrentProposer({ model: flags.model, host: flags.host, embeddedModel: flags.embeddedModel })) + '\n');
  });

// Commands that live in their own file register here, one line each.
registerSpecCommands(program);
registerCcCommand(program);
registerReportCommand(program);

async function readCandidate(file: string): Promise<string> {
  const path = resolve(file);
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    const why = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new Error(`cannot read the candidate file ${path} (${why}); pass --candidate <file.c> holding the rewritten kernel function`);
  }
}

program.parseAsync(launcherArgv(process.argv, program.commands.map((c) => c.name()))).catch((err: unknown) => {
  // Usage and input errors: one clear line, exit 2 (1 is reserved for "rejected").
  const e = err as Error;
  // A spec error may quote the offending text (a JSON parse error does): keep it on one line.
  const message = e.name === 'SpecError' ? e.message.replace(/\s*\n\s*/g, ' ') : e.message;
  process.stderr.write(`autopar: ${message}\n`);
  if (process.env.AUTOPAR_DEBUG) process.stderr.write(`${e.stack}\n`);
  // The regression gate (artifact and report are written): 3, so CI can tell it from a broken build.
  process.exitCode = e.name === 'RegressionGateError' ? 3 : 2;
});
