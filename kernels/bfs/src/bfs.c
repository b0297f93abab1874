/* Level-synchronous breadth-first search on a directed graph in CSR form
 * (rowptr[n+1], cols[nnz] = out-neighbours). level[v] = hop distance from source,
 * -1 if unreachable. */
#include <stddef.h>

#define UNVISITED (-1)

void bfs(int n, const int *rowptr, const int *cols, int source, int *level)
{
    for (int v = 0; v < n; v++)
        level[v] = UNVISITED;
    if (source < 0 || source >= n)
        return;
    level[source] = 0;

    int depth = 0;
    int changed = 1;
    while (changed) {
        changed = 0;
        for (int v = 0; v < n; v++) {
            if (level[v] == depth) {
                for (int e = rowptr[v]; e < rowptr[v + 1]; e++) {
                    int u = cols[e];
                    if (level[u] == UNVISITED) {
                        level[u] = depth + 1;
                        changed = 1;
                    }
                }
            }
        }
        depth++;
    }
}
