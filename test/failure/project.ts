// Small throw-away projects for the failure-mode tests: one or two element-wise
// kernels, a tiny spec, a cheap verify policy, and helpers to drive the pipeline
// in-process (buildProject) or through the CLI (node packages/core/dist/cli/main.js).
import { mkdtempSync, mkdirSync, rmSync, writeFileSync, readdirSync, statSync, existsSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { execa } from 'execa';
import type { BuildOptions } from '../../packages/core/src/pipeline/build.js';
import type { VerifyPolicy } from '../../packages/core/src/verify/types.js';

export const REPO = resolve(__dirname, '../..');
export const CLI = join(REPO, 'packages/core/dist/cli/main.js');

export const KERN_C = `#include <math.h>

void scale(int n, const double *x, double *y)
{
    for (int i = 0; i < n; i++)
        y[i] = sqrt(x[i] * x[i] + 1.0) * 2.0;
}
`;

export const MAIN_C = `#include <stdio.h>
#include <stdlib.h>

void scale(int n, const double *x, double *y);

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 1000;
    double *x = malloc(sizeof(double) * n), *y = malloc(sizeof(double) * n);
    for (int i = 0; i < n; i++) x[i] = (i % 97) * 0.01;
    scale(n, x, y);
    double s = 0;
    for (int i = 0; i < n; i++) s += y[i];
    printf("%.6f\\n", s);
    free(x); free(y);
    return 0;
}
`;

/** The parallel variant a scripted model answers with: correct, and verified by the pipeline. */
export const GOOD_VARIANT = `#include <math.h>
void scale(int n, const double *x, double *y)
{
    #pragma omp parallel for schedule(static)
    for (int i = 0; i < n; i++)
        y[i] = sqrt(x[i] * x[i] + 1.0) * 2.0;
}`;

export function scaleKernelSpec(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: 'scale',
    source: 'src/kern.c',
    sizes: { test: [{ n: 1 }, { n: 7 }, { n: 33 }], bench: { n: 50000 } },
    args: [
      { name: 'n', kind: 'scalar', type: 'int', value: 'n' },
      { name: 'x', kind: 'input', type: 'double', length: 'n', init: { gen: 'uniform', min: 0, max: 4 } },
      { name: 'y', kind: 'output', type: 'double', length: 'n' },
    ],
    tolerance: { rel: 1e-12, abs: 1e-12 },
    noalias: true,
    ...over,
  };
}

export const SPEC = { version: 1, kernels: [scaleKernelSpec()] };

/** Few runs: the behaviour under test is the failure handling, not the statistics. */
export const FAST_POLICY: Partial<VerifyPolicy> = {
  threadCounts: [1, 2],
  benchPairs: 1,
  warmupRuns: 0,
  sanitizers: { memory: true, race: false },
  timeouts: { compileMs: 60_000, testMs: 3_000, benchFactor: 20 },
  // The size ladder adds seconds to every linked kernel; test/e2e/size-guard.test.ts turns it on.
  sizeGuard: false,
};

export interface TempProject {
  /** Workspace root (holds nx.json and the project folder `demo/`). */
  root: string;
  projectRoot: string;
  cacheDir: string;
  out(name?: string): string;
  write(rel: string, text: string): void;
  dispose(): void;
}

export function makeProject(opts: { spec?: unknown; kern?: string; projectOptions?: Record<string, unknown> } = {}): TempProject {
  const root = mkdtempSync(join(tmpdir(), 'autopar-fail-'));
  const projectRoot = join(root, 'demo');
  mkdirSync(join(projectRoot, 'src'), { recursive: true });
  writeFileSync(join(root, 'nx.json'), '{}\n');
  writeFileSync(join(projectRoot, 'src/kern.c'), opts.kern ?? KERN_C);
  writeFileSync(join(projectRoot, 'src/main.c'), MAIN_C);
  const spec = opts.spec ?? SPEC;
  writeFileSync(join(projectRoot, 'autopar.spec.json'), typeof spec === 'string' ? spec : JSON.stringify(spec, null, 2));
  writeFileSync(
    join(projectRoot, 'project.json'),
    JSON.stringify(
      {
        name: 'demo',
        targets: {
          build: {
            executor: '@autopar/nx:build',
            options: { sources: ['src/kern.c', 'src/main.c'], spec: 'autopar.spec.json', kind: 'executable', ...opts.projectOptions },
          },
        },
      },
      null,
      2,
    ),
  );
  return {
    root,
    projectRoot,
    cacheDir: join(root, '.autopar/cache'),
    out: (name = 'out') => join(root, 'dist', name),
    write: (rel, text) => writeFileSync(join(root, rel), text),
    dispose: () => {
      // A test may have made folders read-only; make them removable again.
      chmodTree(root);
      rmSync(root, { recursive: true, force: true });
    },
  };
}

function chmodTree(dir: string): void {
  try {
    chmodSync(dir, 0o755);
    for (const e of readdirSync(dir, { withFileTypes: true })) if (e.isDirectory()) chmodTree(join(dir, e.name));
  } catch {
    /* best effort */
  }
}

/** BuildOptions for `p` with the cheap policy; `lines` collects every log line. */
export function buildOptions(p: TempProject, over: Partial<BuildOptions> = {}): BuildOptions & { lines: string[] } {
  const lines: string[] = [];
  const opts: BuildOptions & { lines: string[] } = {
    workspaceRoot: p.root,
    projectRoot: p.projectRoot,
    projectName: 'demo',
    sources: ['src/kern.c', 'src/main.c'],
    spec: 'autopar.spec.json',
    outputPath: p.out(),
    artifactName: 'demo',
    kind: 'executable',
    cc: 'gcc',
    cflags: ['-O2', '-fopenmp'],
    ldflags: ['-fopenmp', '-lm'],
    proposer: 'none',
    // An empty models folder: a model pulled on this machine must not turn `auto` into the embedded proposer.
    modelsDir: join(p.root, 'models'),
    model: 'qwen2.5:1.5b',
    // Linking a verified variant is what these tests look at, not whether 2 busy cores make it
    // faster: one bench pair on a loaded machine can measure an OpenMP variant at 0.01x.
    threshold: 1e-9,
    cacheDir: p.cacheDir,
    policy: FAST_POLICY,
    requestTimeoutMs: 20_000,
    log: (l) => lines.push(l),
    lines,
    ...over,
  };
  return opts;
}

export async function cli(args: string[], env: Record<string, string | undefined> = {}, cwd = REPO) {
  const r = await execa(process.execPath, [CLI, ...args], { cwd, reject: false, env: { AUTOPAR_DEBUG: undefined, ...env }, timeout: 120_000 });
  return { code: r.exitCode ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** Files under `dir` (relative paths), recursively; [] when absent. */
export function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  const walk = (d: string, rel: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(join(d, e.name), r);
      else out.push(r);
    }
  };
  walk(dir, '');
  return out;
}

export function manifests(cacheDir: string): string[] {
  return listFiles(join(cacheDir, 'ac')).map((f) => join(cacheDir, 'ac', f));
}

export function fileSize(path: string): number {
  return statSync(path).size;
}

/** A loopback port nobody listens on (bound, then closed). */
export async function closedPort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => res(port));
    });
  });
}

export function modelScript(reply: unknown, digest = '5c3f1a2b9d8e7f60112233445566778899aabbccddeeff00112233445566aa01') {
  return {
    models: [{ name: 'qwen2.5:1.5b', digest }],
    rules: [{ match: { contains: 'void scale(' }, reply }],
  };
}

export function fenced(code: string): string {
  return 'Here is the parallel version.\n\n```c\n' + code + '\n```\n';
}
