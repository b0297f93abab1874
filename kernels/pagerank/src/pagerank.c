/* PageRank by power iteration, pull style. The CSR graph lists IN-edges: row v holds
 * the sources u of the edges u -> v. Out-degrees are counted from it into outdeg[].
 * Rank mass of vertices without out-edges (dangling) is spread uniformly.
 * rank[n]: result. next[n]: scratch (holds the last iterate too). outdeg[n]: scratch
 * (holds the out-degrees on return). */
#include <stddef.h>

void pagerank(int n, const int *rowptr, const int *cols, int iters, double damping,
              double *rank, double *next, int *outdeg)
{
    for (int u = 0; u < n; u++)
        outdeg[u] = 0;
    for (int v = 0; v < n; v++)
        for (int e = rowptr[v]; e < rowptr[v + 1]; e++)
            outdeg[cols[e]]++;

    for (int v = 0; v < n; v++)
        rank[v] = 1.0 / n;

    for (int it = 0; it < iters; it++) {
        double dangling = 0.0;
        for (int u = 0; u < n; u++)
            if (outdeg[u] == 0)
                dangling += rank[u];
        double base = (1.0 - damping) / n + damping * dangling / n;

        for (int v = 0; v < n; v++) {
            double sum = 0.0;
            for (int e = rowptr[v]; e < rowptr[v + 1]; e++) {
                int u = cols[e];
                sum += rank[u] / outdeg[u];
            }
            next[v] = base + damping * sum;
        }
        for (int v = 0; v < n; v++)
            rank[v] = next[v];
    }
}
