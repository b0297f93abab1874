/* expect: accept
 * category: correct
 * why: out-degree histogram with omp atomic, dangling mass as a + reduction, independent pull and copy loops
 */
void pagerank(int n, const int *rowptr, const int *cols, int iters, double damping,
              double *rank, double *next, int *outdeg)
{
    #pragma omp parallel for
    for (int u = 0; u < n; u++)
        outdeg[u] = 0;
    #pragma omp parallel for schedule(dynamic, 32)
    for (int v = 0; v < n; v++)
        for (int e = rowptr[v]; e < rowptr[v + 1]; e++) {
            #pragma omp atomic update
            outdeg[cols[e]]++;
        }

    #pragma omp parallel for
    for (int v = 0; v < n; v++)
        rank[v] = 1.0 / n;

    for (int it = 0; it < iters; it++) {
        double dangling = 0.0;
        #pragma omp parallel for reduction(+:dangling)
        for (int u = 0; u < n; u++)
            if (outdeg[u] == 0)
                dangling += rank[u];
        double base = (1.0 - damping) / n + damping * dangling / n;

        #pragma omp parallel for schedule(guided)
        for (int v = 0; v < n; v++) {
            double sum = 0.0;
            for (int e = rowptr[v]; e < rowptr[v + 1]; e++) {
                int u = cols[e];
                sum += rank[u] / outdeg[u];
            }
            next[v] = base + damping * sum;
        }
        #pragma omp parallel for simd
        for (int v = 0; v < n; v++)
            rank[v] = next[v];
    }
}
