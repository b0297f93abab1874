/* expect: reject
 * stage: plan-legality|sanitize-race
 * reason: race|carries a dependence
 * category: race: missing atomic/reduction
 * why: plain reads/writes of level[] and the shared changed flag from many threads; output happens to match, only a race detector sees it
 */
void bfs(int n, const int *rowptr, const int *cols, int source, int *level)
{
    #pragma omp parallel for
    for (int v = 0; v < n; v++)
        level[v] = UNVISITED;
    if (source < 0 || source >= n)
        return;
    level[source] = 0;

    int depth = 0;
    int changed = 1;
    while (changed) {
        changed = 0;
        #pragma omp parallel for schedule(dynamic, 4)
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
