/* Expert OpenMP bfs: the level sweep is shared by the team (dynamic chunks: only
 * frontier vertices do work, so the load is irregular). Several threads may discover
 * the same vertex in one sweep; they all store the same value depth+1, and the stores
 * and loads of level[] are OpenMP atomics so this is race-free. A vertex stored in this
 * sweep has level depth+1, never depth, so it is not expanded early. The result is
 * independent of the schedule, hence identical to the serial kernel. */
#include <stddef.h>

#define UNVISITED (-1)

void bfs(int n, const int *restrict rowptr, const int *restrict cols, int source,
         int *restrict level)
{
    #pragma omp parallel for schedule(static)
    for (int v = 0; v < n; v++)
        level[v] = UNVISITED;
    if (source < 0 || source >= n)
        return;
    level[source] = 0;

    int depth = 0;
    int changed = 1;
    while (changed) {
        changed = 0;
        #pragma omp parallel for schedule(dynamic, 1024) reduction(| : changed)
        for (int v = 0; v < n; v++) {
            int lv;
            #pragma omp atomic read relaxed
            lv = level[v];
            if (lv == depth) {
                for (int e = rowptr[v]; e < rowptr[v + 1]; e++) {
                    int u = cols[e];
                    int lu;
                    #pragma omp atomic read relaxed
                    lu = level[u];
                    if (lu == UNVISITED) {
                        #pragma omp atomic write relaxed
                        level[u] = depth + 1;
                        changed = 1;
                    }
                }
            }
        }
        depth++;
    }
}
