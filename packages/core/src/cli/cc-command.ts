// `autopar cc -- <compiler> <args>`: a ccache-style compiler launcher for build systems
// other than Nx (CMake: -DCMAKE_C_COMPILER_LAUNCHER=autopar; Make: CC="autopar gcc").
//
// For a compile of one C file (`-c x.c`) that a nearby autopar.spec.json declares kernels
// in, it looks each kernel up in the store and compiles the translation unit with the
// verified variants spliced in; for anything else (linking, other files, no spec, any
// problem of autopar's own) it runs the compiler exactly as asked. It never proposes or
// verifies inside the compile step unless --propose is given: a miss compiles the original.
import type { Command } from 'commander';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { dirname, join, relative, resolve } from 'node:path';

export interface CcOptions {
  /** Propose and verify on a miss (slow; default: lookups only). */
  propose?: boolean;
  /** Print what autopar did for each compile on stderr. */
  verbose?: boolean;
}

/** Runs the compile and returns its exit code. */
export async function runLauncher(argv: string[], opts: CcOptions): Promise<number> {
  if (argv.length === 0) throw new Error('no compiler given; use `autopar cc -- gcc -c x.c -o x.o`');
  let command = argv;
  const note = (l: string) => process.stderr.write(`autopar cc: ${l}\n`);
  try {
    const spliced = await splicedCompile(argv, opts, note);
    if (spliced) command = spliced;
  } catch (err) {
    // The user's build must not fail because of autopar: compile the original, say why.
    note(`${(err as Error).message}; compiling the original`);
  }
  const r = spawnSync(command[0]!, command.slice(1), { stdio: 'inherit' });
  if (r.error) throw new Error(`cannot run ${command[0]}: ${r.error.message}`);
  return r.status ?? 1;
}

/** The compile command with the spliced TU in place of the source, or null to compile as asked. */
async function splicedCompile(argv: string[], opts: CcOptions, note: (l: string) => void): Promise<string[] | null> {
  const [compiler, ...args] = argv;
  if (!args.includes('-c')) return null;
  const sources = args.map((a, i) => ({ a, i })).filter(({ a, i }) => /\.c$/.test(a) && !/^-/.test(a) && !['-o', '-MF', '-MT', '-MQ', '-include'].includes(args[i - 1] ?? ''));
  if (sources.length !== 1) return null;
  const source = resolve(sources[0]!.a);
  const found = findSpecFor(source);
  if (!found) return null;

  const { buildProject } = await import('../pipeline/build.js');
  const { resolveBuildOptions } = await import('../pipeline/options.js');
  const { readProject } = await import('./project.js');
  const p = readProject(found.projectDir);
  const sourceRel = relative(found.projectDir, source);
  // One output folder per source (parallel make): the spliced TUs and a throw-away artifact.
  const out = join(p.workspaceRoot, '.autopar', 'cc', createHash('sha256').update(source).digest('hex').slice(0, 16));
  await mkdir(out, { recursive: true });
  const lines: string[] = [];
  // The project's own options (sources, kind, flags, threshold are in the key): the same
  // lookup `autopar build <project-dir>` made when it filled the store. Only the output
  // folder differs, and no proposing unless asked.
  const build = resolveBuildOptions(
    {
      ...p.options,
      outputPath: out,
      ...(opts.propose ? {} : { offline: true }),
    },
    { workspaceRoot: p.workspaceRoot, projectRoot: p.projectRoot, projectName: p.projectName, log: (l) => lines.push(l) },
  );
  const report = await buildProject(build);
  if (opts.verbose) for (const l of lines) note(l);
  const mine = report.kernels.filter((k) => resolve(found.specDir, k.source) === source);
  for (const k of mine) note(`${sourceRel}: ${k.kernel}: ${k.chosen ? `verified variant ${k.chosen.label} (${k.outcome})` : 'original'} — ${k.reason}`);
  // A compile recipe's variant is two translation units (the kernel's own, compiled with the
  // recipe, and the rest); one `-c x.c -o x.o` cannot produce that yet: compile as asked.
  const recipe = mine.flatMap((k) => k.candidates.filter((c) => c.label === k.chosen?.label && c.recipe).map((c) => `${k.kernel}: ${c.recipe!.name}`));
  if (recipe.length) {
    note(`${sourceRel}: the verified variant of ${recipe.join(', ')} is a compile recipe's, which the launcher cannot link yet; compiling the original (autopar build / nx build link it)`);
    return null;
  }
  const tu = report.splicedSources.find((s) => s.endsWith(`/${sourceRel.split('/').pop()}`));
  if (!tu || !mine.some((k) => k.chosen)) return null;
  const rewritten = [...args];
  rewritten[sources[0]!.i] = tu;
  // Quoted includes of the original resolve next to it; OpenMP pragmas need -fopenmp.
  const extra = ['-I', dirname(source), ...(args.some((a) => /^-f(open)?mp/.test(a)) ? [] : ['-fopenmp'])];
  return [compiler!, ...extra, ...rewritten];
}

/** The nearest autopar.spec.json upwards from the source that declares a kernel in it. */
function findSpecFor(source: string): { projectDir: string; specDir: string } | null {
  for (let dir = dirname(source); dirname(dir) !== dir; dir = dirname(dir)) {
    const spec = join(dir, 'autopar.spec.json');
    if (existsSync(spec)) {
      try {
        const file = JSON.parse(readFileSync(spec, 'utf8')) as { kernels?: Array<{ source?: string }> };
        if (file.kernels?.some((k) => k.source && resolve(dir, k.source) === source)) return { projectDir: dir, specDir: dir };
      } catch {
        return null; // a broken spec: `autopar spec check` says what is wrong; the compile goes on
      }
    }
    if (existsSync(join(dir, '.git')) || existsSync(join(dir, 'nx.json'))) break;
  }
  return null;
}


export function registerCcCommand(program: Command): void {
  program
    .command('cc')
    .description('compiler launcher: compile a C file with its verified kernel variants spliced in, else exactly as asked (CMAKE_C_COMPILER_LAUNCHER=autopar)')
    .argument('<compiler-and-args...>', 'the compile command, after --: `autopar cc -- gcc -c x.c -o x.o`')
    .option('--propose', 'propose and verify on a store miss (slow; default: a miss compiles the original)')
    .option('--verbose', 'print the pipeline lines')
    .allowUnknownOption()
    .action(async (argv: string[], flags) => {
      process.exitCode = await runLauncher(argv, { propose: flags.propose || process.env.AUTOPAR_CC_PROPOSE === '1', verbose: flags.verbose });
    });
}

/**
 * `autopar gcc -c x.c …` (how CMake calls a launcher): the same as `autopar cc -- gcc -c x.c …`.
 * A first argument that is not an autopar command but names a compiler selects this form.
 */
export function launcherArgv(argv: string[], commands: string[]): string[] {
  const first = argv[2];
  if (!first || first.startsWith('-') || commands.includes(first)) return argv;
  const base = first.split('/').pop()!;
  if (!/^([\w.+-]*-)?(cc|gcc|clang|icx|icc)(-\d+(\.\d+)*)?$/.test(base)) return argv;
  return [argv[0]!, argv[1]!, 'cc', '--', ...argv.slice(2)];
}
