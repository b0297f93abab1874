/* expect: accept
 * category: correct
 * why: each round's argmin is a per-thread scan merged in a critical section with the lowest-index tie-break; relaxation of distinct targets is parallel
 */
#include <math.h>

void sssp(int n, const int *rowptr, const int *cols, const double *weights, int source,
          double *dist, int *visited)
{
    #pragma omp parallel for
    for (int v = 0; v < n; v++) {
        dist[v] = INFINITY;
        visited[v] = 0;
    }
    if (source < 0 || source >= n)
        return;
    dist[source] = 0.0;

    for (int round = 0; round < n; round++) {
        int best = -1;
        double bestd = INFINITY;
        #pragma omp parallel
        {
            int lbest = -1;
            double lbestd = INFINITY;
            #pragma omp for schedule(static) nowait
            for (int v = 0; v < n; v++) {
                if (!visited[v] && dist[v] < lbestd) {
                    lbestd = dist[v];
                    lbest = v;
                }
            }
            #pragma omp critical(sssp_argmin)
            {
                if (lbest >= 0 && (lbestd < bestd || (lbestd == bestd && lbest < best))) {
                    bestd = lbestd;
                    best = lbest;
                }
            }
        }
        if (best < 0)
            break;
        visited[best] = 1;
        const double db = dist[best];
        #pragma omp parallel for if (rowptr[best + 1] - rowptr[best] > 256)
        for (int e = rowptr[best]; e < rowptr[best + 1]; e++) {
            int u = cols[e];
            double nd = db + weights[e];
            if (nd < dist[u])
                dist[u] = nd;
        }
    }
}
