/* expect: accept
 * category: correct
 * why: each level sweep is parallel; level[] is read and written with omp atomic, changed is an OR-reduction
 */
#include <omp.h>

void bfs(int n, const int *rowptr, const int *cols, int source, int *level)
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
        #pragma omp parallel for schedule(dynamic, 64) reduction(|:changed)
        for (int v = 0; v < n; v++) {
            int lv;
            #pragma omp atomic read
            lv = level[v];
            if (lv != depth)
                continue;
            for (int e = rowptr[v]; e < rowptr[v + 1]; e++) {
                int u = cols[e];
                int lu;
                #pragma omp atomic read
                lu = level[u];
                if (lu == UNVISITED) {
                    #pragma omp atomic write
                    level[u] = depth + 1;
                    changed = 1;
                }
            }
        }
        depth++;
    }
}
