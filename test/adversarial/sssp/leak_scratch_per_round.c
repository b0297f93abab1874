/* expect: reject
 * stage: sanitize-memory
 * reason: leak
 * category: leak
 * why: allocates a per-round candidate buffer with malloc and never frees it (leaks n buffers per call)
 */
#include <stdlib.h>
#include <math.h>

void sssp(int n, const int *rowptr, const int *cols, const double *weights, int source,
          double *dist, int *visited)
{
    for (int v = 0; v < n; v++) {
        dist[v] = INFINITY;
        visited[v] = 0;
    }
    if (source < 0 || source >= n)
        return;
    dist[source] = 0.0;

    for (int round = 0; round < n; round++) {
        double *cand = malloc((size_t)n * sizeof *cand);
        if (!cand)
            return;
        #pragma omp parallel for
        for (int v = 0; v < n; v++)
            cand[v] = visited[v] ? INFINITY : dist[v];
        int best = -1;
        double bestd = INFINITY;
        for (int v = 0; v < n; v++)
            if (cand[v] < bestd) {
                bestd = cand[v];
                best = v;
            }
        if (best < 0)
            break;
        visited[best] = 1;
        for (int e = rowptr[best]; e < rowptr[best + 1]; e++) {
            double nd = bestd + weights[e];
            if (nd < dist[cols[e]])
                dist[cols[e]] = nd;
        }
    }
}
