import { describe, expect, it } from 'vitest';
import { featureDistance, kernelFeatures, stripCode, type KernelFeatures } from './kernel-features.js';

const NONE: KernelFeatures = {
  forLoops: 0,
  whileLoops: 0,
  maxLoopDepth: 0,
  arrays: 0,
  multiDimIndexing: false,
  scalarAccumulation: false,
  indirectIndexing: false,
  conditionalInLoop: false,
  mathCalls: 0,
  recurrence: false,
};

describe('kernelFeatures', () => {
  it('a dot product: one loop, two arrays, a scalar accumulation', () => {
    const f = kernelFeatures(`double dot(int n, const double *x, const double *y) {
      double s = 0.0;
      for (int i = 0; i < n; i++) s += x[i] * y[i];
      return s;
    }`);
    expect(f).toEqual({ ...NONE, forLoops: 1, maxLoopDepth: 1, arrays: 2, scalarAccumulation: true });
  });

  it('s = s + … counts as accumulation; an element update or a loop increment does not', () => {
    expect(kernelFeatures('void f(int n, double *a) { double s = 0; for (int i = 0; i < n; i++) s = s + a[i]; a[0] = s; }').scalarAccumulation).toBe(true);
    expect(kernelFeatures('void f(int n, double *a) { for (int i = 0; i < n; i += 2) a[i] += 1.0; }').scalarAccumulation).toBe(false);
    expect(kernelFeatures('void f(int n, double *a) { for (int i = 0; i < n; i++) a[i] = a[i] + 1.0; }').scalarAccumulation).toBe(false);
    // Outside any loop it is not an accumulation either.
    expect(kernelFeatures('double f(double s, double t) { s += t; return s; }').scalarAccumulation).toBe(false);
    // A member update is not a scalar of the function.
    expect(kernelFeatures('void f(int n, struct acc *p, double *a) { for (int i = 0; i < n; i++) p->sum += a[i]; }').scalarAccumulation).toBe(false);
  });

  it('nesting depth follows statements, braces or not, and counts while/do loops', () => {
    const f = kernelFeatures(`void mm(int n, double *A, double *B, double *C) {
      for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++) {
          double t = 0;
          for (int k = 0; k < n; k++)
            t += A[i*n+k] * B[k*n+j];
          C[i*n+j] = t;
        }
      for (int i = 0; i < n; i++) C[i] = 0;
    }`);
    expect(f.forLoops).toBe(4);
    expect(f.maxLoopDepth).toBe(3);
    expect(f.multiDimIndexing).toBe(true);
    expect(f.arrays).toBe(3);

    const w = kernelFeatures(`int f(int n, int *a) {
      int i = 0, c = 0;
      while (i < n) { do { c++; } while (a[i] > c); i++; }
      return c;
    }`);
    expect(w).toMatchObject({ forLoops: 0, whileLoops: 2, maxLoopDepth: 2, conditionalInLoop: false });
  });

  it('2-D subscripts, flattened or not; a strided 1-D subscript is neither', () => {
    expect(kernelFeatures('void f(int n, double a[n][n]) { for (int i = 0; i < n; i++) a[i][i] = 0; }').multiDimIndexing).toBe(true);
    expect(kernelFeatures('void f(int n, int m, double *u) { for (int i = 1; i < n; i++) u[(i - 1) * m + 2] = 0; }').multiDimIndexing).toBe(true);
    expect(kernelFeatures('void f(int n, double *u) { for (int i = 0; i < n; i++) u[2 * i + 1] = 0; }').multiDimIndexing).toBe(false);
  });

  it('indirect indexing, conditionals inside loops (not outside), math calls', () => {
    const f = kernelFeatures(`void spmv(int n, const int *rowptr, const int *col, const double *val, const double *x, double *y) {
      if (n <= 0) return;
      for (int r = 0; r < n; r++) {
        double s = 0;
        for (int k = rowptr[r]; k < rowptr[r + 1]; k++) s += val[k] * x[col[k]];
        y[r] = s > 0 ? sqrt(s) : -sqrtf((float)-s) + fabs(exp(s));
      }
    }`);
    expect(f.indirectIndexing).toBe(true);
    expect(f.conditionalInLoop).toBe(true);
    expect(f.mathCalls).toBe(4);
    expect(f.arrays).toBe(5);
    const g = kernelFeatures('void f(int n, double *a) { if (n > 0) { for (int i = 0; i < n; i++) a[i] = 0; } }');
    expect(g.conditionalInLoop).toBe(false);
    expect(g.indirectIndexing).toBe(false);
  });

  it('ignores comments, strings, character literals and preprocessor lines (pragmas included)', () => {
    const f = kernelFeatures(`void f(int n, double *a) {
      // for (int j = 0; j < n; j++) b[c[j]] += sqrt(j);
      /* while (1) { if (x) y[z[0]] = 0; } */
      const char *msg = "for (;;) q[r[0]] += 1; if";
      char c = '[';
      #pragma omp parallel for \\
          reduction(+:s)
      for (int i = 0; i < n; i++) a[i] = 1.0;
    }`);
    expect(f).toEqual({ ...NONE, forLoops: 1, maxLoopDepth: 1, arrays: 1 });
    expect(stripCode('a /* x */ b // y\n#define Q 1\nc "s" \'t\'')).not.toMatch(/[xyQst]/);
  });

  it('the token-normalized text the store keeps (one line) gives the same features as the source', () => {
    const src = `double dot(int n, const double *x, const double *y)
{
    double s = 0.0;
    for (int i = 0; i < n; i++)
        s += x[i] * y[i];
    return s;
}`;
    const normalized = 'double dot ( int n , const double * x , const double * y ) { double s = 0.0 ; for ( int i = 0 ; i < n ; i ++ ) s += x [ i ] * y [ i ] ; return s ; }';
    expect(kernelFeatures(normalized)).toEqual(kernelFeatures(src));
  });

  it('a recurrence: an accumulated scalar used elsewhere in its loop, or an array read at an offset from where it is written', () => {
    const prefix = kernelFeatures('void p(int n, const double *x, double *s) { double acc = 0; for (int i = 0; i < n; i++) { acc += x[i]; s[i] = acc; } }');
    expect(prefix).toMatchObject({ scalarAccumulation: true, recurrence: true });
    // A reduction is not one, nor a row accumulator used after its own (inner) loop.
    expect(kernelFeatures('double d(int n, double *x) { double s = 0; for (int i = 0; i < n; i++) s = s + x[i] * x[i]; return s; }').recurrence).toBe(false);
    expect(kernelFeatures(`void mv(int n, double *A, double *x, double *y) {
      for (int i = 0; i < n; i++) { double t = 0; for (int j = 0; j < n; j++) t += A[i*n+j] * x[j]; y[i] = t; } }`).recurrence).toBe(false);
    expect(kernelFeatures('void r(int n, double a, double *x) { for (int i = 1; i < n; i++) x[i] = a * x[i - 1] + x[i]; }').recurrence).toBe(true);
    expect(kernelFeatures(`void gs(int n, double *u) { for (int i = 1; i < n - 1; i++)
      for (int j = 1; j < n - 1; j++) u[i*n+j] = 0.25 * (u[(i-1)*n+j] + u[i*n+j-1] + u[i*n+j+1] + u[(i+1)*n+j]); }`).recurrence).toBe(true);
    // Reading another array at an offset (a Jacobi stencil) or the written element itself is not.
    expect(kernelFeatures('void j(int n, double *u, double *v) { for (int i = 1; i < n - 1; i++) v[i] = u[i - 1] + u[i + 1]; }').recurrence).toBe(false);
    expect(kernelFeatures('void k(int n, double *u) { for (int i = 0; i < n - 1; i++) u[i + 1] = 2 * u[i + 1]; }').recurrence).toBe(false);
  });

  it('never throws on broken or empty text', () => {
    for (const text of ['', '}', '{', 'for (', 'for (;;', 'do', 'if else }}} {{{', 'a[b[', ']]]', '"unterminated', '/* open', 'x = = = ;', 'else for while do switch']) {
      expect(() => kernelFeatures(text)).not.toThrow();
    }
    expect(kernelFeatures('')).toEqual(NONE);
  });

  it('is deterministic', () => {
    const t = 'void f(int n, double *a, int *idx) { for (int i = 0; i < n; i++) if (a[i] > 0) a[idx[i]] += exp(a[i]); }';
    expect(kernelFeatures(t)).toEqual(kernelFeatures(t));
  });
});

describe('featureDistance', () => {
  const dot = kernelFeatures('double d(int n, double *x, double *y) { double s = 0; for (int i = 0; i < n; i++) s += x[i] * y[i]; return s; }');
  const axpy = kernelFeatures('void a(int n, double t, double *x, double *y) { for (int i = 0; i < n; i++) y[i] += t * x[i]; }');
  const stencil = kernelFeatures('void s(int n, double *u, double *v) { for (int i = 1; i < n - 1; i++) for (int j = 1; j < n - 1; j++) v[i*n+j] = u[(i-1)*n+j] + u[(i+1)*n+j]; }');

  it('is 0 for identical features, symmetric, positive otherwise', () => {
    expect(featureDistance(dot, dot)).toBe(0);
    expect(featureDistance(dot, { ...dot })).toBe(0);
    expect(featureDistance(dot, axpy)).toBe(featureDistance(axpy, dot));
    expect(featureDistance(dot, axpy)).toBeGreaterThan(0);
  });

  it('ranks a 1-D loop nearer to another 1-D loop than to a 2-D stencil', () => {
    expect(featureDistance(axpy, dot)).toBeLessThan(featureDistance(axpy, stencil));
  });

  it('tells a prefix sum from a dot product', () => {
    const prefix = kernelFeatures('void p(int n, double *x, double *s) { double acc = 0; for (int i = 0; i < n; i++) { acc += x[i]; s[i] = acc; } }');
    expect(featureDistance(prefix, dot)).toBeGreaterThan(0);
  });

  it('caps counts so one large difference does not dominate', () => {
    expect(featureDistance({ ...NONE, forLoops: 100 }, NONE)).toBe(featureDistance({ ...NONE, forLoops: 4 }, NONE));
  });
});
