// Compile every source of the project (with chosen variants spliced in) and
// link an executable or a static library. Plain gcc/ar invocations: what a
// Makefile would do, so the artifact is what the user would have built by hand.
import { mkdir, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { runStep, type StepResult } from '../verify/run-step.js';

export interface CompileUnit {
  /** Absolute path of the source as the user wrote it. */
  path: string;
  /** Replacement text (the TU with variants spliced in), or undefined to compile the file as is. */
  text?: string;
  /** A compile recipe's compiler and flags for this unit (a kernel in its own TU); default the build's. */
  cc?: string;
  cflags?: string[];
}

export interface LinkRequest {
  units: CompileUnit[];
  outDir: string;
  artifactName: string;
  kind: 'executable' | 'static-library';
  cc: string;
  cflags: string[];
  ldflags: string[];
  /** Parallel compiles (default 2: this is what the machine has). */
  jobs?: number;
  timeoutMs?: number;
  log?: (line: string) => void;
}

export interface LinkResult {
  artifact: string;
  /** Where spliced translation units were written, for inspection. */
  splicedSources: string[];
}

export class BuildError extends Error {
  constructor(message: string, readonly output: string) {
    super(message);
    this.name = 'BuildError';
  }
}

export async function compileAndLink(req: LinkRequest): Promise<LinkResult> {
  const objDir = join(req.outDir, 'obj');
  const splicedDir = join(req.outDir, 'autopar-src');
  await mkdir(objDir, { recursive: true });
  const splicedSources: string[] = [];
  const jobs: Array<() => Promise<string>> = [];
  const seen = new Set<string>();

  for (const unit of req.units) {
    let name = basename(unit.path).replace(/\.(c|cu)$/i, '');
    while (seen.has(name)) name += '_';
    seen.add(name);
    let src = unit.path;
    if (unit.text !== undefined) {
      await mkdir(splicedDir, { recursive: true });
      src = join(splicedDir, basename(unit.path));
      await writeFile(src, unit.text);
      splicedSources.push(src);
    }
    const obj = join(objDir, `${name}.o`);
    // -I the original folder: a spliced TU keeps resolving its quoted includes.
    const argv = [unit.cc ?? req.cc, ...(unit.cflags ?? req.cflags), '-I', dirname(unit.path), '-c', src, '-o', obj];
    jobs.push(async () => {
      check(await runStep(argv, { cwd: req.outDir, timeoutMs: req.timeoutMs ?? 300_000 }), `compile ${unit.path}`, req.log);
      return obj;
    });
  }
  const objects = await runLimited(jobs, req.jobs ?? 2);

  const artifact =
    req.kind === 'executable' ? join(req.outDir, req.artifactName) : join(req.outDir, `lib${req.artifactName}.a`);
  const argv =
    req.kind === 'executable'
      ? [req.cc, ...req.cflags, ...objects, '-o', artifact, ...req.ldflags]
      : ['ar', 'rcs', artifact, ...objects];
  if (req.kind === 'static-library') {
    await runStep(['rm', '-f', artifact], { cwd: req.outDir, timeoutMs: 10_000 });
  }
  check(await runStep(argv, { cwd: req.outDir, timeoutMs: req.timeoutMs ?? 300_000 }), `link ${artifact}`, req.log);
  return { artifact, splicedSources };
}

function check(r: StepResult, what: string, log?: (l: string) => void): void {
  log?.(`$ ${r.argv.join(' ')}`);
  const output = (r.stdout + r.stderr).trim();
  if (output) log?.(output);
  if (r.exitCode !== 0 || r.timedOut) {
    const why = r.timedOut ? 'timed out' : `exited with ${r.exitCode ?? r.signal}`;
    throw new BuildError(`${what} failed (${why}): ${r.argv.join(' ')}\n${output}`, output);
  }
}

async function runLimited<T>(jobs: Array<() => Promise<T>>, limit: number): Promise<T[]> {
  const results: T[] = new Array(jobs.length);
  let next = 0;
  async function worker() {
    while (next < jobs.length) {
      const i = next++;
      results[i] = await jobs[i]!();
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, jobs.length) }, worker));
  return results;
}
