// The generated harness on its own: generator validity, determinism, inout restoration
// between bench calls, and detection of a kernel that writes its inputs.
import { describe, it, expect, afterAll } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KernelSpec } from '../spec/types.js';
import { validateSpec } from '../spec/load.js';
import { prepareOriginal } from './original-cache.js';
import { resolveToolchain } from './policy.js';
import { runBench, runStack, runTest } from './run-harness.js';

const root = mkdtempSync(join(tmpdir(), 'autopar-harness-test-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function prepare(name: string, source: string, spec: KernelSpec) {
  const dir = join(root, name);
  const sourcePath = join(root, `${name}.c`);
  writeFileSync(sourcePath, source);
  const checked = validateSpec({ version: 1, kernels: [spec] }, `${name}.spec.json`).kernels[0]!;
  return prepareOriginal({}, dir, {
    spec: checked,
    sourceText: source,
    sourcePath,
    toolchain: resolveToolchain(undefined),
    compileTimeoutMs: 60_000,
    testTimeoutMs: 30_000,
    seeds: checked.seeds ?? [1, 2],
    log: () => {},
  });
}

const CSR_CHECK = `
/* out[0] = number of CSR invariants broken, out[1] = nnz. */
void csr_check(int n, const int *rowptr, const int *cols, const double *w, int nnz, int *out)
{
    int bad = 0;
    if (rowptr[0] != 0 || rowptr[n] != nnz) bad++;
    for (int i = 0; i < n; i++) {
        if (rowptr[i + 1] < rowptr[i] || rowptr[i + 1] - rowptr[i] > 6) bad++;
        for (int k = rowptr[i]; k < rowptr[i + 1]; k++) {
            if (cols[k] < 0 || cols[k] >= n || cols[k] == i) bad++;
            if (k > rowptr[i] && cols[k] <= cols[k - 1]) bad++;
            if (w[k] < 2 || w[k] > 5 || w[k] != (double)(int)w[k]) bad++;
        }
    }
    out[0] = bad;
    out[1] = nnz;
}
`;

const csrSpec: KernelSpec = {
  name: 'csr_check',
  source: 'csr_check.c',
  sizes: { test: [{ n: 0 }, { n: 1 }, { n: 2 }, { n: 5 }, { n: 300 }], bench: { n: 10 } },
  generators: [{ name: 'g', kind: 'csr_graph', nodes: 'n', degree: 3, weightType: 'int', weightMin: 2, weightMax: 5 }],
  args: [
    { name: 'n', kind: 'scalar', type: 'int', value: 'n' },
    { name: 'rowptr', kind: 'input', type: 'int', length: 'n+1', init: { from: 'g.rowptr' } },
    { name: 'cols', kind: 'input', type: 'int', length: 'g_nnz', init: { from: 'g.cols' } },
    { name: 'w', kind: 'input', type: 'double', length: 'g_nnz', init: { from: 'g.weights' } },
    { name: 'nnz', kind: 'scalar', type: 'int', value: 'g_nnz' },
    { name: 'out', kind: 'output', type: 'int', length: '2' },
  ],
  seeds: [1, 7],
};

const SAXPY = 'void saxpy(int n, float a, const float *x, float *y) { for (int i = 0; i < n; i++) y[i] = a * x[i] + y[i]; }\n';
const saxpySpec: KernelSpec = {
  name: 'saxpy',
  source: 'saxpy.c',
  sizes: { test: [{ n: 5 }], bench: { n: 1000 } },
  args: [
    { name: 'n', kind: 'scalar', type: 'int', value: 'n' },
    { name: 'a', kind: 'scalar', type: 'float', value: 2 },
    { name: 'x', kind: 'input', type: 'float', length: 'n', init: { gen: 'uniform', min: -1, max: 1 } },
    { name: 'y', kind: 'inout', type: 'float', length: 'n', init: { gen: 'iota' } },
  ],
  seeds: [1, 2],
};

const BOUNDS_CHECK = `
/* out[0] = values outside their size-dependent bounds, out[1] = 1 when the top value bins-1 occurs. */
void bounds_check(int bins, int n, const int *v, const double *u, int *out)
{
    int bad = 0, top = 0;
    for (int i = 0; i < n; i++) {
        if (v[i] < 0 || v[i] > bins - 1) bad++;
        if (v[i] == bins - 1) top = 1;
        if (u[i] < bins || u[i] >= 2.0 * bins) bad++;
    }
    out[0] = bad;
    out[1] = top;
}
`;
const boundsSpec: KernelSpec = {
  name: 'bounds_check',
  source: 'bounds_check.c',
  sizes: { test: [{ bins: 1, n: 40 }, { bins: 7, n: 300 }, { bins: 1000, n: 5000 }], bench: { bins: 7, n: 300 }, edgeSizes: false },
  args: [
    { name: 'bins', kind: 'scalar', type: 'int', value: 'bins' },
    { name: 'n', kind: 'scalar', type: 'int', value: 'n' },
    { name: 'v', kind: 'input', type: 'int', length: 'n', init: { gen: 'randint', min: 0, max: 'bins-1' } },
    { name: 'u', kind: 'input', type: 'double', length: 'n', init: { gen: 'uniform', min: 'bins', max: '2*bins' } },
    { name: 'out', kind: 'output', type: 'int', length: '2' },
  ],
  seeds: [1, 7],
};

const MATRIX_CHECK = `
#include <math.h>
#include <stdlib.h>
/* out[0] = rows of dd that are not strictly diagonally dominant with a positive diagonal,
   out[1] = asymmetric pairs of spd, out[2] = non-positive Cholesky pivots of spd,
   out[3] = non-zero elements after the n*n matrix in dd. */
void matrix_check(int n, const double *dd, const float *spd, int *out)
{
    int rows = 0, asym = 0, pivots = 0, tail = 0;
    for (int i = 0; i < n; i++) {
        double off = 0;
        for (int j = 0; j < n; j++) if (j != i) off += fabs(dd[i * n + j]);
        if (!(dd[i * n + i] > off)) rows++;
        for (int j = 0; j < n; j++) if (spd[i * n + j] != spd[j * n + i]) asym++;
    }
    for (int e = n * n; e < n * n + 3; e++) if (dd[e] != 0) tail++;
    double *l = calloc((size_t)n * n + 1, sizeof *l);
    for (int j = 0; j < n; j++) {
        double d = spd[j * n + j];
        for (int k = 0; k < j; k++) d -= l[j * n + k] * l[j * n + k];
        if (!(d > 0)) { pivots++; d = 1; }
        l[j * n + j] = sqrt(d);
        for (int i = j + 1; i < n; i++) {
            double s = spd[i * n + j];
            for (int k = 0; k < j; k++) s -= l[i * n + k] * l[j * n + k];
            l[i * n + j] = s / l[j * n + j];
        }
    }
    free(l);
    out[0] = rows; out[1] = asym; out[2] = pivots; out[3] = tail;
}
`;
const matrixSpec: KernelSpec = {
  name: 'matrix_check',
  source: 'matrix_check.c',
  sizes: { test: [{ n: 0 }, { n: 1 }, { n: 2 }, { n: 13 }, { n: 64 }], bench: { n: 8 } },
  args: [
    { name: 'n', kind: 'scalar', type: 'int', value: 'n' },
    { name: 'dd', kind: 'input', type: 'double', length: 'n*n+3', init: { gen: 'diag-dominant', n: 'n' } },
    { name: 'spd', kind: 'input', type: 'float', length: 'n*n', init: { gen: 'spd', n: 'n' } },
    { name: 'out', kind: 'output', type: 'int', length: '4' },
  ],
  seeds: [1, 7],
};

/* Kernels whose original computes the right thing only on their matrix class: an in-place
   Cholesky (needs SPD: a non-positive pivot gives NaN) and Jacobi iteration (converges for a
   strictly diagonally dominant matrix, diverges in general). Each returns 1 when it worked. */
const CHOLESKY = `
#include <math.h>
int cholesky(int n, double *a)
{
    int ok = 1;
    for (int j = 0; j < n; j++) {
        for (int k = 0; k < j; k++) a[j * n + j] -= a[j * n + k] * a[j * n + k];
        if (!(a[j * n + j] > 0)) ok = 0;
        a[j * n + j] = sqrt(a[j * n + j]);
        for (int i = j + 1; i < n; i++) {
            for (int k = 0; k < j; k++) a[i * n + j] -= a[i * n + k] * a[j * n + k];
            a[i * n + j] /= a[j * n + j];
        }
    }
    return ok;
}
`;
const choleskySpec = (init: any): KernelSpec => ({
  name: 'cholesky',
  source: 'cholesky.c',
  sizes: { test: [{ n: 1 }, { n: 5 }, { n: 31 }], bench: { n: 31 }, edgeSizes: false },
  args: [
    { name: 'n', kind: 'scalar', type: 'int', value: 'n' },
    { name: 'a', kind: 'inout', type: 'double', length: 'n*n', init },
  ],
  returns: { type: 'int' },
  seeds: [1, 2],
});
const JACOBI = `
#include <math.h>
#include <stdlib.h>
/* Solves a x = b by 500 Jacobi sweeps; returns 1 when the residual max|a x - b| < 1e-9. */
int jacobi(int n, const double *a, const double *b, double *x)
{
    double *next = malloc(((size_t)n + 1) * sizeof *next);
    for (int i = 0; i < n; i++) x[i] = 0;
    for (int it = 0; it < 500; it++) {
        for (int i = 0; i < n; i++) {
            double s = b[i];
            for (int j = 0; j < n; j++) if (j != i) s -= a[i * n + j] * x[j];
            next[i] = s / a[i * n + i];
        }
        for (int i = 0; i < n; i++) x[i] = next[i];
    }
    free(next);
    double worst = 0;
    for (int i = 0; i < n; i++) {
        double r = -b[i];
        for (int j = 0; j < n; j++) r += a[i * n + j] * x[j];
        if (!(fabs(r) <= worst)) worst = fabs(r);
    }
    return worst < 1e-9;
}
`;
const jacobiSpec = (init: any): KernelSpec => ({
  name: 'jacobi',
  source: 'jacobi.c',
  sizes: { test: [{ n: 1 }, { n: 6 }, { n: 40 }], bench: { n: 40 }, edgeSizes: false },
  args: [
    { name: 'n', kind: 'scalar', type: 'int', value: 'n' },
    { name: 'a', kind: 'input', type: 'double', length: 'n*n', init },
    { name: 'b', kind: 'input', type: 'double', length: 'n', init: { gen: 'uniform', min: -1, max: 1 } },
    { name: 'x', kind: 'output', type: 'double', length: 'n' },
  ],
  returns: { type: 'int' },
  seeds: [1, 2],
});

const returned = (t: { outputs: { name: string; bytes: Buffer }[] }) => t.outputs.find((r) => r.name === 'return')!.bytes.readInt32LE(0);

describe('generated harness', () => {
  it('makes valid CSR graphs: row pointers, sorted unique columns, no self loops, weights in range', async () => {
    const o = await prepare('csr', CSR_CHECK, csrSpec);
    for (const t of o.tests) {
      const out = t.outputs.find((r) => r.name === 'out')!;
      expect(out.bytes.readInt32LE(0), `violations at size index ${t.sizeIndex}, seed ${t.seed}`).toBe(0);
    }
    const big = o.tests.find((t) => t.sizeIndex === 4)!;
    const nnz = big.outputs[0]!.bytes.readInt32LE(4);
    expect(nnz).toBeGreaterThan(300 * 2);
    expect(nnz).toBeLessThan(300 * 4);
  });

  it('gives identical inputs for the same seed and different ones for another seed', async () => {
    const o = await prepare('saxpy-det', SAXPY, saxpySpec);
    const again = join(o.dir, 'again.bin'); // the sandbox lets a step write only its work dir
    const r = await runTest(o.binary, 0, 1, again, { cwd: o.dir, timeoutMs: 10_000, sandbox: { workDir: o.dir } });
    expect(r.ok).toBe(true);
    const [seed1, seed2] = o.tests;
    expect(readFileSync(again).equals(readFileSync(seed1!.outFile))).toBe(true);
    expect(readFileSync(seed1!.outFile).equals(readFileSync(seed2!.outFile))).toBe(false);
  });

  it('restores inout buffers before every bench call', async () => {
    const o = await prepare('saxpy-bench', SAXPY, saxpySpec);
    const once = join(o.dir, 'once.bin');
    const many = join(o.dir, 'many.bin');
    const opts = { cwd: o.dir, timeoutMs: 10_000, sandbox: { workDir: o.dir } };
    const r1 = await runBench(o.binary, 1, 0, once, opts);
    const r5 = await runBench(o.binary, 5, 2, many, opts);
    expect(r1.ok && r5.ok).toBe(true);
    expect(r5.stdout.match(/^autopar-ms \d+\.\d+$/gm)).toHaveLength(5);
    expect(readFileSync(many).equals(readFileSync(once))).toBe(true);
  });

  it('reports a kernel that writes an input buffer (the original fails its own test)', async () => {
    const bad = SAXPY.replace('y[i] = a * x[i] + y[i];', '{ y[i] = a * x[i] + y[i]; ((float *)x)[i] = 0; }');
    await expect(prepare('saxpy-writes-x', bad, saxpySpec)).rejects.toThrow(/input buffer x was modified by the kernel \(element 0\)/);
  });

  it("stops a kernel that changes the caller's OpenMP settings, naming the setting and the call", async () => {
    // The original is trusted and prepared as is; the check runs in every test run of the harness.
    const counting = '#include <omp.h>\n' + SAXPY.replace('{ for', '{ omp_set_num_threads(omp_get_max_threads() + 1); for');
    await expect(prepare('saxpy-icv', counting, { ...saxpySpec, name: 'saxpy' })).rejects.toThrow(
      /call 1 of the kernel changed the caller's OpenMP setting omp_get_max_threads\(\) from (\d+) to \d+; a kernel must leave/,
    );
  });

  it('runs one bench-size call on a small stack, and calls from inside a parallel region on request', async () => {
    const o = await prepare('saxpy-stack', SAXPY, saxpySpec);
    const out = join(o.dir, 'stack.bin');
    const r = await runStack(o.binary, 256, out, { cwd: o.dir, threads: 2, env: { OMP_STACKSIZE: '256K' }, timeoutMs: 10_000, sandbox: { workDir: o.dir } });
    expect(r.ok, r.problem).toBe(true);
    const vla = SAXPY.replace('{ for', '{ volatile float big[n * 1000]; big[0] = 0; (void)big; for');
    const v = await prepare('saxpy-vla', vla, saxpySpec);
    const bad = await runStack(v.binary, 256, join(v.dir, 'stack.bin'), { cwd: v.dir, threads: 2, timeoutMs: 10_000, sandbox: { workDir: v.dir } });
    expect(bad.ok).toBe(false); // 4 MB of VLA on a 256 KiB stack
    const nested = await runTest(o.binary, 0, 1, join(o.dir, 'nested.bin'), { cwd: o.dir, threads: 3, calls: 3, env: { AUTOPAR_TEAM: 'nested' }, timeoutMs: 10_000, sandbox: { workDir: o.dir } });
    expect(nested.ok, nested.problem).toBe(true);
    expect(readFileSync(join(o.dir, 'nested.bin')).equals(readFileSync(o.tests[0]!.outFile))).toBe(true);
  });
  it('evaluates generator bounds that are expressions over sizes at each test size', async () => {
    const o = await prepare('bounds', BOUNDS_CHECK, boundsSpec);
    expect(o.tests).toHaveLength(6);
    for (const t of o.tests) {
      const out = t.outputs.find((r) => r.name === 'out')!.bytes;
      expect(out.readInt32LE(0), `out-of-bound values at size index ${t.sizeIndex}, seed ${t.seed}`).toBe(0);
      // bins-1 is reached where there are many draws per bin (the bound is inclusive).
      if (t.sizeIndex < 2) expect(out.readInt32LE(4), `top value at size index ${t.sizeIndex}`).toBe(1);
    }
  });

  it('stops with a clear message when an expression bound gives min > max at a test size', async () => {
    const spec = { ...boundsSpec, sizes: { ...boundsSpec.sizes, test: [{ bins: 0, n: 5 }] } };
    await expect(prepare('bounds-empty', BOUNDS_CHECK, spec)).rejects.toThrow(/buffer v: randint min \(0\) is greater than max \(-1\) at this size/);
  });

  it('makes diagonally dominant and symmetric positive definite matrices', async () => {
    const o = await prepare('matrix', MATRIX_CHECK, matrixSpec);
    expect(o.tests.length).toBeGreaterThanOrEqual(10);
    for (const t of o.tests) {
      const out = t.outputs.find((r) => r.name === 'out')!.bytes;
      const where = `size index ${t.sizeIndex}, seed ${t.seed}`;
      expect(out.readInt32LE(0), `non-dominant rows at ${where}`).toBe(0);
      expect(out.readInt32LE(4), `asymmetric pairs at ${where}`).toBe(0);
      expect(out.readInt32LE(8), `non-positive pivots at ${where}`).toBe(0);
      expect(out.readInt32LE(12), `non-zero tail at ${where}`).toBe(0);
    }
  });

  it('a Cholesky kernel succeeds on spd inputs and not on uniform ones', async () => {
    const spd = await prepare('cholesky-spd', CHOLESKY, choleskySpec({ gen: 'spd', n: 'n' }));
    for (const t of spd.tests) expect(returned(t), `pivots at size index ${t.sizeIndex}, seed ${t.seed}`).toBe(1);
    const uniform = await prepare('cholesky-uniform', CHOLESKY, choleskySpec({ gen: 'uniform', min: -1, max: 1 }));
    expect(uniform.tests.filter((t) => returned(t) === 0).length).toBeGreaterThan(0);
  });

  it('a Jacobi iteration converges on diag-dominant inputs and not on uniform ones', async () => {
    const dd = await prepare('jacobi-dd', JACOBI, jacobiSpec({ gen: 'diag-dominant', n: 'n' }));
    for (const t of dd.tests) expect(returned(t), `convergence at size index ${t.sizeIndex}, seed ${t.seed}`).toBe(1);
    const uniform = await prepare('jacobi-uniform', JACOBI, jacobiSpec({ gen: 'uniform', min: -1, max: 1 }));
    expect(uniform.tests.filter((t) => returned(t) === 0).length).toBeGreaterThan(0);
  });

  it('rejects a matrix buffer shorter than n*n when the harness runs', async () => {
    const spec = { ...matrixSpec, args: matrixSpec.args.map((a) => (a.name === 'spd' ? { ...a, length: 'n*n-1' } : a)) };
    spec.sizes = { test: [{ n: 3 }], bench: { n: 3 }, edgeSizes: false };
    await expect(prepare('matrix-short', MATRIX_CHECK, spec as KernelSpec)).rejects.toThrow(/buffer spd: length 8 is less than n\*n = 9/);
  });
});
