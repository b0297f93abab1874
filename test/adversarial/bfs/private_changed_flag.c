/* expect: reject
 * stage: plan-legality|differential|sanitize-race
 * reason: race|expected .* got|\bdiffers?\b|mismatch|carries a dependence
 * category: race: missing atomic/reduction
 * why: marks changed private instead of reducing it: the flag set inside the loop is discarded, so BFS stops after one level
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
        #pragma omp parallel for private(changed)
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
