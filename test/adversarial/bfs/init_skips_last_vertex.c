/* expect: reject
 * stage: differential
 * reason: expected .* got|\bdiffers?\b|mismatch
 * category: off-by-one/tail
 * why: the parallel init loop stops at n - 1, so the last vertex keeps garbage when it is unreachable
 */
void bfs(int n, const int *rowptr, const int *cols, int source, int *level)
{
    #pragma omp parallel for simd
    for (int v = 0; v < n - 1; v++)
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
