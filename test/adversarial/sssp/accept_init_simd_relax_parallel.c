/* expect: accept
 * category: correct
 * why: keeps the serial argmin, parallelizes initialisation (simd) and the relaxation of one vertex's distinct out-edges
 */
#include <math.h>

void sssp(int n, const int *restrict rowptr, const int *restrict cols, const double *restrict weights,
          int source, double *restrict dist, int *restrict visited)
{
    #pragma omp parallel for simd schedule(static)
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
        for (int v = 0; v < n; v++) {
            if (!visited[v] && dist[v] < bestd) {
                bestd = dist[v];
                best = v;
            }
        }
        if (best < 0)
            break;
        visited[best] = 1;
        const int e0 = rowptr[best], e1 = rowptr[best + 1];
        #pragma omp parallel for schedule(static)
        for (int e = e0; e < e1; e++) {
            int u = cols[e];
            double nd = bestd + weights[e];
            if (nd < dist[u])
                dist[u] = nd;
        }
    }
}
