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
});
