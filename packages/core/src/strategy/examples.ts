// Worked examples for the few-shot strategy: an original C function, its verified
// parallel version, the plan in the grammar form, and one sentence on why it is legal
// and fast. The best come from the store (variants this store verified, nearest to the
// kernel being asked about); BUNDLED_EXAMPLES is the fallback, written for autopar in
// the style of scientists' C code (a test compiles and runs every one, serial against
// parallel).
//
// Leaf module: nothing imported from outside strategy/.
import { featureDistance, kernelFeatures, type KernelFeatures } from './kernel-features.js';

export interface FewShotExample {
  /** Where it came from: 'store' (a variant this store verified) or 'bundled' (written for autopar). */
  source: 'store' | 'bundled';
  /** The original C function. */
  original: string;
  /** The verified parallel C function (answer for the 'function' output form). */
  parallel: string;
  /**
   * The plan in the grammar form the plan prompt asks for:
   * {"loops":[{"loop":"L1","action":"parallel-for","private":[],"reduction":[],"collapse":1,"schedule":"default"}],"transforms":[]}
   * (reduction entries are {"op": "+", "var": name}, as propose/plan-grammar.ts reads them)
   * — absent when unknown, or when the answer cannot be said in the grammar form.
   */
  grammarPlan?: unknown;
  /** One sentence: why this is legal and fast. */
  note: string;
  /** Measured speedup when from the store. */
  speedup?: number;
}

/** One loop in the grammar form, every field present with its "nothing" value when unused. */
function loop(id: string, action: 'parallel-for' | 'simd' | 'parallel-for-simd' | 'none', clauses: { private?: string[]; reduction?: Array<{ op: string; var: string }>; collapse?: number } = {}) {
  return { loop: id, action, private: clauses.private ?? [], reduction: clauses.reduction ?? [], collapse: clauses.collapse ?? 1, schedule: 'default' };
}

const VECTOR_UPDATE = `void update_velocity(int n, double dt, const double *force, const double *mass, double *vel)
{
    for (int i = 0; i < n; i++)
        vel[i] = vel[i] + dt * force[i] / mass[i];
}`;

const VECTOR_UPDATE_PAR = `void update_velocity(int n, double dt, const double *force, const double *mass, double *vel)
{
    #pragma omp parallel for simd
    for (int i = 0; i < n; i++)
        vel[i] = vel[i] + dt * force[i] / mass[i];
}`;

const DOT = `double dot_product(int n, const double *x, const double *y)
{
    double sum = 0.0;
    for (int i = 0; i < n; i++)
        sum += x[i] * y[i];
    return sum;
}`;

const DOT_PAR = `double dot_product(int n, const double *x, const double *y)
{
    double sum = 0.0;
    #pragma omp parallel for reduction(+:sum)
    for (int i = 0; i < n; i++)
        sum += x[i] * y[i];
    return sum;
}`;

const STENCIL = `void jacobi_step(int nx, int ny, const double *u, double *unew)
{
    for (int i = 1; i < nx - 1; i++)
        for (int j = 1; j < ny - 1; j++)
            unew[i * ny + j] = 0.25 * (u[(i - 1) * ny + j] + u[(i + 1) * ny + j]
                                     + u[i * ny + j - 1] + u[i * ny + j + 1]);
}`;

const STENCIL_PAR = `void jacobi_step(int nx, int ny, const double *u, double *unew)
{
    #pragma omp parallel for collapse(2)
    for (int i = 1; i < nx - 1; i++)
        for (int j = 1; j < ny - 1; j++)
            unew[i * ny + j] = 0.25 * (u[(i - 1) * ny + j] + u[(i + 1) * ny + j]
                                     + u[i * ny + j - 1] + u[i * ny + j + 1]);
}`;

const MATVEC = `void matvec(int n, int m, const double *A, const double *x, double *y)
{
    int i, j;
    double t;
    for (i = 0; i < n; i++) {
        t = 0.0;
        for (j = 0; j < m; j++)
            t += A[i * m + j] * x[j];
        y[i] = t;
    }
}`;

const MATVEC_PAR = `void matvec(int n, int m, const double *A, const double *x, double *y)
{
    int i, j;
    double t;
    #pragma omp parallel for private(j, t)
    for (i = 0; i < n; i++) {
        t = 0.0;
        for (j = 0; j < m; j++)
            t += A[i * m + j] * x[j];
        y[i] = t;
    }
}`;

const CUMULATIVE = `void cumulative_rainfall(int n, const double *rain, double *total)
{
    double acc = 0.0;
    for (int t = 0; t < n; t++) {
        acc += rain[t];
        total[t] = acc;
    }
}`;

const HISTOGRAM = `void histogram(int n, const double *x, double lo, double hi, int nbins, long *count)
{
    for (int k = 0; k < nbins; k++)
        count[k] = 0;
    for (int i = 0; i < n; i++) {
        int b = (int)((x[i] - lo) / (hi - lo) * nbins);
        if (b < 0)
            b = 0;
        if (b >= nbins)
            b = nbins - 1;
        count[b]++;
    }
}`;

const HISTOGRAM_PAR = `void histogram(int n, const double *x, double lo, double hi, int nbins, long *count)
{
    for (int k = 0; k < nbins; k++)
        count[k] = 0;
    #pragma omp parallel for reduction(+:count[0:nbins])
    for (int i = 0; i < n; i++) {
        int b = (int)((x[i] - lo) / (hi - lo) * nbins);
        if (b < 0)
            b = 0;
        if (b >= nbins)
            b = nbins - 1;
        count[b]++;
    }
}`;

/** Written for autopar; every one compiles and computes what its original does (strategy/examples.test.ts). */
export const BUNDLED_EXAMPLES: FewShotExample[] = [
  {
    source: 'bundled',
    original: VECTOR_UPDATE,
    parallel: VECTOR_UPDATE_PAR,
    grammarPlan: { loops: [loop('L1', 'parallel-for-simd')], transforms: [] },
    note: 'Each iteration reads and writes only element i, so the iterations are independent and can be split across threads and vectorized within each thread.',
  },
  {
    source: 'bundled',
    original: DOT,
    parallel: DOT_PAR,
    grammarPlan: { loops: [loop('L1', 'parallel-for', { reduction: [{ op: '+', var: 'sum' }] })], transforms: [] },
    note: 'The only value carried between iterations is the running sum, a + reduction: each thread sums its own part and the parts are added at the end (the rounding order changes, within floating-point tolerance).',
  },
  {
    source: 'bundled',
    original: STENCIL,
    parallel: STENCIL_PAR,
    grammarPlan: { loops: [loop('L1', 'parallel-for', { collapse: 2 })], transforms: [] },
    note: 'The stencil reads only u and writes only unew, each point once, so every (i, j) is independent and the two rectangular loops can be collapsed into one parallel iteration space.',
  },
  {
    source: 'bundled',
    original: MATVEC,
    parallel: MATVEC_PAR,
    grammarPlan: { loops: [loop('L1', 'parallel-for', { private: ['j', 't'] })], transforms: [] },
    note: 'Rows are independent (row i writes only y[i]); the inner index j and the row accumulator t are declared outside the loop, so they must be private to each thread.',
  },
  {
    source: 'bundled',
    original: CUMULATIVE,
    parallel: CUMULATIVE,
    grammarPlan: { loops: [loop('L1', 'none')], transforms: [] },
    note: 'Every total[t] needs the running sum of all earlier steps, a dependence carried from each iteration to the next, so the loop stays serial and the function is left unchanged.',
  },
  {
    source: 'bundled',
    original: HISTOGRAM,
    parallel: HISTOGRAM_PAR,
    // An array-section reduction cannot be said in the grammar form (its reductions name scalars).
    note: 'Different iterations may increment the same bin, so the bins are an array reduction: each thread counts into its own zeroed copy and the copies are added into count at the end, with no atomics in the loop (integer counts, so the result is exact).',
  },
];

/**
 * The k examples of `pool` nearest to `query` by featureDistance (features computed from
 * `original` when an entry carries none). Ties go to store examples before bundled ones,
 * then to the higher measured speedup, then to the smaller original text in code-unit
 * order, then the parallel text: the result does not depend on the pool's order.
 */
export function nearestExamples(query: KernelFeatures, pool: Array<FewShotExample & { features?: KernelFeatures }>, k: number): FewShotExample[] {
  if (!(k > 0)) return [];
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  const scored = pool.map((e) => ({ e, d: featureDistance(query, e.features ?? kernelFeatures(e.original)) }));
  scored.sort(
    (x, y) =>
      x.d - y.d ||
      (x.e.source === y.e.source ? 0 : x.e.source === 'store' ? -1 : 1) ||
      (y.e.speedup ?? 0) - (x.e.speedup ?? 0) ||
      cmp(x.e.original, y.e.original) ||
      cmp(x.e.parallel, y.e.parallel),
  );
  return scored.slice(0, Math.floor(k)).map(({ e }) => {
    const { features: _features, ...example } = e;
    return example;
  });
}
