import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { extractKernels } from '../kernel/extract.js';
import { draftSpec, draftSizes } from './draft.js';
import { validateSpec } from '../spec/load.js';

const KERNELS = join(__dirname, '../../../../kernels');
const draftOf = (text: string, name: string) => {
  const [unit] = extractKernels(text, 'k.c', [name]);
  return draftSpec(unit!, 'k.c');
};
const draftKernel = (k: string) => draftOf(readFileSync(join(KERNELS, k, 'src', `${k}.c`), 'utf8'), k);
const arg = (d: ReturnType<typeof draftOf>, name: string) => d.spec.args.find((a) => a.name === name) as Record<string, unknown>;

describe('draftSpec', () => {
  it('takes buffer lengths from the loop bounds: A[i*n+k] with 0<=i,k<n is n*n', () => {
    const d = draftKernel('matmul');
    expect(d.spec.args.map((a) => [a.name, a.kind, a.type])).toEqual([
      ['n', 'scalar', 'int'], ['A', 'input', 'double'], ['B', 'input', 'double'], ['C', 'output', 'double'],
    ]);
    expect(d.spec.args.slice(1).map((a) => (a as { length: string }).length)).toEqual(['n*n', 'n*n', 'n*n']);
    expect(d.spec.sizes.test.map((s) => s.n)).toEqual([1, 2, 7, 13, 31, 64, 97]);
    expect(d.confirm.map((c) => c.field)).toContain('kernels[matmul].args[A].length');
  });

  it('bounds an index input by the length of the buffer it indexes (randint max "bins-1")', () => {
    const text = 'void hist(int n, int bins, const int *data, int *h) { for (int b = 0; b < bins; b++) h[b] = 0; for (int i = 0; i < n; i++) h[data[i]]++; }';
    const d = draftOf(text, 'hist');
    expect(arg(d, 'h')).toMatchObject({ kind: 'output', length: 'bins' });
    expect(arg(d, 'data')).toMatchObject({ kind: 'input', length: 'n', init: { gen: 'randint', min: 0, max: 'bins-1' } });
    expect(d.confirm.find((c) => c.field === 'kernels[hist].args[data].init')!.guess).toMatch(/indices into h/);
    // The draft is a valid spec: the bound is an expression over its size names.
    expect(() => validateSpec({ version: 1, kernels: [d.spec] }, 'k.spec.json')).not.toThrow();
  });

  it('reads C99 array parameters from their declared dimensions', () => {
    const d = draftOf('void k(int ni, int nj, double C[ni][nj], const double A[ni][nj]) { for (int i = 0; i < ni; i++) for (int j = 0; j < nj; j++) C[i][j] = 2 * A[i][j]; }', 'k');
    expect(arg(d, 'C')).toMatchObject({ kind: 'output', length: 'ni*nj' });
    expect(arg(d, 'A')).toMatchObject({ kind: 'input', length: 'ni*nj' });
    expect(d.sizeNames).toEqual(['ni', 'nj']);
  });

  it('reads y[i] = a*x[i] + y[i] as inout: the right-hand side reads first', () => {
    const d = draftOf('void saxpy(int n, float a, const float *x, float *y) { for (int i = 0; i < n; i++) y[i] = a * x[i] + y[i]; }', 'saxpy');
    expect(arg(d, 'y')).toMatchObject({ kind: 'inout', type: 'float', length: 'n' });
    expect(d.spec.tolerance).toEqual({ rel: 1e-4, abs: 1e-6 });
    expect(arg(d, 'a')).toMatchObject({ kind: 'scalar', value: 0.5 });
    expect(d.confirm.map((c) => c.field)).toContain('kernels[saxpy].args[a].value');
  });

  it('recognizes a CSR graph from rowptr[i]..rowptr[i+1] loops', () => {
    const d = draftKernel('spmv');
    expect(d.spec.generators?.[0]).toMatchObject({ kind: 'csr_graph', nodes: 'n' });
    expect(arg(d, 'rowptr')).toMatchObject({ length: 'n+1', init: { from: 'g.rowptr' } });
    expect(arg(d, 'cols')).toMatchObject({ length: 'g_nnz', init: { from: 'g.cols' } });
    expect(arg(d, 'vals')).toMatchObject({ length: 'g_nnz', init: { from: 'g.weights' } });
    expect(arg(d, 'x')).toMatchObject({ length: 'n' });
    expect(d.repetitionNames).toEqual(['reps']);
  });

  it('keeps repetition counts small and steps shift counts', () => {
    expect(draftKernel('jacobi2d').repetitionNames).toEqual(['tsteps']);
    const fft = draftKernel('fft1d');
    expect(fft.exponentNames).toEqual(['logn']);
    expect(fft.spec.sizes.test.map((s) => s.logn)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    // A length behind a shift is not guessed: marked for the user.
    expect(fft.confirm.find((c) => c.field === 'kernels[fft1d].args[re].length')?.guess).toMatch(/SET THE LENGTH/);
  });

  it('refuses a parameter type specs cannot describe, naming it', () => {
    expect(() => draftOf('struct p { int x; }; void k(int n, struct p *q) { for (int i = 0; i < n; i++) q[i].x = i; }', 'k')).toThrow(
      /parameter q of k has type "struct p", which specs cannot describe yet/,
    );
  });

  it('draws test sizes with 1 first and keeps multi-name products small', () => {
    const s = draftSizes(['cin', 'h', 'w'], []);
    expect(s.test[0]).toEqual({ cin: 1, h: 1, w: 1 });
    for (const b of s.test) expect(b.cin! * b.h! * b.w!).toBeLessThanOrEqual(97 * 97);
  });
});
