/* Expert OpenMP pagerank: one parallel region. Out-degree histogram with atomic
 * increments; per iteration the dangling mass is a reduction (reassociated: results
 * differ from serial in the last bits, hence rel tolerance), the contributions
 * rank[u]/outdeg[u] are computed once per vertex (same division as serial), and the
 * pull over in-edges keeps the serial per-vertex summation order. Rows have equal-ish
 * length here, but real graphs are skewed, so the pull loop uses dynamic chunks. */
#include <stddef.h>

void pagerank(int n, const int *restrict rowptr, const int *restrict cols, int iters,
              double damping, double *restrict rank, double *restrict next,
              int *restrict outdeg)
{
    double dangling = 0.0;
    #pragma omp parallel
    {
        #pragma omp for schedule(static)
        for (int u = 0; u < n; u++)
            outdeg[u] = 0;
        #pragma omp for schedule(dynamic, 2048)
        for (int v = 0; v < n; v++)
            for (int e = rowptr[v]; e < rowptr[v + 1]; e++) {
                #pragma omp atomic update
                outdeg[cols[e]]++;
            }
        #pragma omp for schedule(static)
        for (int v = 0; v < n; v++)
            rank[v] = 1.0 / n;

        for (int it = 0; it < iters; it++) {
            #pragma omp single
            dangling = 0.0;
            /* contrib (kept in next[]) and dangling mass */
            #pragma omp for schedule(static) reduction(+ : dangling)
            for (int u = 0; u < n; u++) {
                if (outdeg[u] == 0) {
                    dangling += rank[u];
                    next[u] = 0.0;
                } else {
                    next[u] = rank[u] / outdeg[u];
                }
            }
            double base = (1.0 - damping) / n + damping * dangling / n;
            #pragma omp for schedule(dynamic, 1024)
            for (int v = 0; v < n; v++) {
                double sum = 0.0;
                for (int e = rowptr[v]; e < rowptr[v + 1]; e++)
                    sum += next[cols[e]];
                rank[v] = base + damping * sum; /* reads only next[], safe in place */
            }
            /* implicit barrier: all of next[] consumed before the next iteration */
        }
        /* serial leaves the last iterate in next[] too (and leaves next[] alone if iters == 0) */
        if (iters > 0) {
            #pragma omp for schedule(static)
            for (int v = 0; v < n; v++)
                next[v] = rank[v];
        }
    }
}
