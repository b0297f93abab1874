/* expect: reject
 * stage: plan-legality|sanitize-race
 * reason: race|carries a dependence
 * category: race: missing atomic/reduction
 * why: half-fixed version: the store to level[u] is atomic but the loads of level[] and the changed flag are plain
 */
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
        #pragma omp parallel for schedule(static, 1) reduction(|:changed)
        for (int v = 0; v < n; v++) {
            if (level[v] == depth) {
                for (int e = rowptr[v]; e < rowptr[v + 1]; e++) {
                    int u = cols[e];
                    if (level[u] == UNVISITED) {
                        #pragma omp atomic write
                        level[u] = depth + 1;
                        changed = 1;
                    }
                }
            }
        }
        depth++;
    }
}
