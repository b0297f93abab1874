/* Expert OpenMP sssp (O(n^2) Dijkstra). Each thread owns a fixed contiguous block of
 * vertices for the whole run: it scans only its block for the local minimum, publishes
 * (distance, index) in a double-buffered slot, and after ONE barrier per round every
 * thread reduces all slots the same way (smallest distance, then lowest index: the
 * serial tie-break). Each thread then relaxes only the edges of the selected vertex
 * whose target lies in its own block, so dist[] and visited[] are only ever touched by
 * their owner and no second barrier is needed. Same selection order and the same
 * additions as the serial kernel: results are bitwise identical. */
#include <math.h>
#include <stddef.h>
#include <omp.h>

void sssp(int n, const int *restrict rowptr, const int *restrict cols,
          const double *restrict weights, int source, double *restrict dist,
          int *restrict visited)
{
    if (n <= 0)
        return;
    int maxt = omp_get_max_threads();
    if (maxt > n)
        maxt = n;
    double slot_d[2][maxt];
    int slot_i[2][maxt];

    #pragma omp parallel num_threads(maxt)
    {
        int nt = omp_get_num_threads();
        int t = omp_get_thread_num();
        int lo = (int)((long long)n * t / nt);
        int hi = (int)((long long)n * (t + 1) / nt);

        for (int v = lo; v < hi; v++) {
            dist[v] = INFINITY;
            visited[v] = 0;
        }
        if (source >= lo && source < hi)
            dist[source] = 0.0;
        int valid_source = source >= 0 && source < n;

        for (int round = 0; valid_source && round < n; round++) {
            int p = round & 1;
            int best = -1;
            double bestd = INFINITY;
            for (int v = lo; v < hi; v++) {
                if (!visited[v] && dist[v] < bestd) {
                    bestd = dist[v];
                    best = v;
                }
            }
            slot_d[p][t] = bestd;
            slot_i[p][t] = best;
            #pragma omp barrier
            best = -1;
            bestd = INFINITY;
            for (int s = 0; s < nt; s++) { /* blocks are in index order: strict < keeps lowest index */
                if (slot_i[p][s] >= 0 && slot_d[p][s] < bestd) {
                    bestd = slot_d[p][s];
                    best = slot_i[p][s];
                }
            }
            if (best < 0)
                break; /* same decision in every thread */
            if (best >= lo && best < hi)
                visited[best] = 1;
            for (int e = rowptr[best]; e < rowptr[best + 1]; e++) {
                int u = cols[e];
                if (u >= lo && u < hi) {
                    double nd = bestd + weights[e];
                    if (nd < dist[u])
                        dist[u] = nd;
                }
            }
        }
    }
}
