/* expect: accept
 * category: correct
 * why: one parallel region for all iterations; omp for with a reduction into a shared accumulator reset in single, barriers between phases
 */
void pagerank(int n, const int *rowptr, const int *cols, int iters, double damping,
              double *rank, double *next, int *outdeg)
{
    double dangling = 0.0;
    #pragma omp parallel
    {
        #pragma omp for
        for (int u = 0; u < n; u++)
            outdeg[u] = 0;
        #pragma omp for
        for (int v = 0; v < n; v++)
            for (int e = rowptr[v]; e < rowptr[v + 1]; e++) {
                #pragma omp atomic
                outdeg[cols[e]] += 1;
            }
        #pragma omp for
        for (int v = 0; v < n; v++)
            rank[v] = 1.0 / n;

        for (int it = 0; it < iters; it++) {
            #pragma omp single
            dangling = 0.0;
            #pragma omp for reduction(+:dangling)
            for (int u = 0; u < n; u++)
                if (outdeg[u] == 0)
                    dangling += rank[u];
            const double base = (1.0 - damping) / n + damping * dangling / n;
            #pragma omp for schedule(static)
            for (int v = 0; v < n; v++) {
                double sum = 0.0;
                for (int e = rowptr[v]; e < rowptr[v + 1]; e++)
                    sum += rank[cols[e]] / outdeg[cols[e]];
                next[v] = base + damping * sum;
            }
            #pragma omp for schedule(static)
            for (int v = 0; v < n; v++)
                rank[v] = next[v];
        }
    }
}
