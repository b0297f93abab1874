/* expect: reject
 * stage: differential|sanitize-memory
 * reason: past the end|before (its|the) start|expected .* got|\bdiffers?\b|mismatch|overflow|out of bounds|out-of-bounds|stack|SIGSEGV|segmentation|code 139
 * category: out of bounds
 * why: per-thread argmin slots sized for two threads ("dual core"): with 3+ threads thread 2 writes past the arrays and its candidate is lost
 */
#include <math.h>
#include <omp.h>

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
        int slot_best[2] = { -1, -1 };
        double slot_d[2] = { INFINITY, INFINITY };
        #pragma omp parallel
        {
            int t = omp_get_thread_num();
            #pragma omp for schedule(static)
            for (int v = 0; v < n; v++) {
                if (!visited[v] && dist[v] < slot_d[t]) {
                    slot_d[t] = dist[v];
                    slot_best[t] = v;
                }
            }
        }
        int best = slot_best[0];
        double bestd = slot_d[0];
        if (slot_best[1] >= 0 && (best < 0 || slot_d[1] < bestd)) {
            best = slot_best[1];
            bestd = slot_d[1];
        }
        if (best < 0)
            break;
        visited[best] = 1;
        for (int e = rowptr[best]; e < rowptr[best + 1]; e++) {
            int u = cols[e];
            double nd = bestd + weights[e];
            if (nd < dist[u])
                dist[u] = nd;
        }
    }
}
