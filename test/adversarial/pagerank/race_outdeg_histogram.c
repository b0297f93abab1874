/* expect: reject
 * stage: plan-legality|differential|sanitize-race
 * reason: race|expected .* got|\bdiffers?\b|mismatch|carries a dependence
 * category: race: missing atomic/reduction
 * why: the out-degree scatter outdeg[cols[e]]++ runs in parallel without atomics (lost updates)
 */
void pagerank(int n, const int *rowptr, const int *cols, int iters, double damping,
              double *rank, double *next, int *outdeg)
{
    #pragma omp parallel for
    for (int u = 0; u < n; u++)
        outdeg[u] = 0;
    #pragma omp parallel for
    for (int v = 0; v < n; v++)
        for (int e = rowptr[v]; e < rowptr[v + 1]; e++)
            outdeg[cols[e]]++;

    for (int v = 0; v < n; v++)
        rank[v] = 1.0 / n;
    for (int it = 0; it < iters; it++) {
        double dangling = 0.0;
        #pragma omp parallel for reduction(+:dangling)
        for (int u = 0; u < n; u++)
            if (outdeg[u] == 0)
                dangling += rank[u];
        double base = (1.0 - damping) / n + damping * dangling / n;
        #pragma omp parallel for
        for (int v = 0; v < n; v++) {
            double sum = 0.0;
            for (int e = rowptr[v]; e < rowptr[v + 1]; e++)
                sum += rank[cols[e]] / outdeg[cols[e]];
            next[v] = base + damping * sum;
        }
        for (int v = 0; v < n; v++)
            rank[v] = next[v];
    }
}
