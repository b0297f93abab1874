// Test support shared by the locality and scalar-replacement plan tests: the kernels of
// analysis/corpus/locality.c, and a runner that compiles the original and a rewritten
// kernel with the same driver so their outputs can be compared. Not part of the package.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyzeState } from '../analysis/analyze.js';
import { extractKernels } from '../kernel/extract.js';
import type { KernelSpec } from '../spec/types.js';
import type { Plan } from './plan.js';

export const file = 'locality.c';
export const source = readFileSync(new URL(`../analysis/corpus/${file}`, import.meta.url), 'utf8');
export const spec = (name: string, noalias = false): KernelSpec => ({ name, source: '', sizes: { test: [], bench: {} }, args: [], noalias });
export const stateOf = (fn: string, noalias = true) => analyzeState(extractKernels(source, file, [fn])[0]!, spec(fn, noalias));
export const plan = (kernel: string, loops: Plan['loops'], transforms?: Plan['transforms']): Plan => ({ version: 1, kernel, loops, ...(transforms ? { transforms } : {}) });
const dir = mkdtempSync(join(tmpdir(), 'autopar-locality-'));

/** Compiles the original and the rewritten kernel with a driver (and helpers the kernel calls, before it) and returns both outputs. */
export function runBoth(fn: string, text: string, driver: string, helpers = ''): [string, string] {
  const prelude = `#include <stddef.h>\n#include <stdio.h>\n#include <math.h>\n#define IDX(i, j, n) ((i) * (n) + (j))\n${helpers}\n`;
  const orig = extractKernels(source, file, [fn])[0]!.sourceText;
  const outs: string[] = [];
  for (const [tag, body] of [['o', orig], ['n', text]] as const) {
    const path = join(dir, `${fn}_${tag}.c`);
    writeFileSync(path, `${prelude}${body}\n${driver}\n`);
    execFileSync('gcc', ['-std=gnu11', '-O2', '-fopenmp', '-Wall', '-Werror=unknown-pragmas', path, '-o', `${path}.x`, '-lm'], { stdio: 'pipe' });
    outs.push(execFileSync(`${path}.x`, { env: { ...process.env, OMP_NUM_THREADS: '3' } }).toString());
  }
  return outs as [string, string];
}
