/* expect: reject
 * stage: static-gate
 * reason: printf|builtin|not allowed|forbidden
 * category: output flood
 * why: __builtin_printf needs no header and no declaration; prints a trace line for every edge visit (unbounded output)
 */
void bfs(int n, const int *rowptr, const int *cols, int source, int *level)
{
    for (int v = 0; v < n; v++)
        level[v] = UNVISITED;
    if (source < 0 || source >= n)
        return;
    level[source] = 0;
    int depth = 0, changed = 1;
    while (changed) {
        changed = 0;
        #pragma omp parallel for reduction(|:changed)
        for (int v = 0; v < n; v++) {
            int lv;
            #pragma omp atomic read
            lv = level[v];
            if (lv != depth)
                continue;
            for (int e = rowptr[v]; e < rowptr[v + 1]; e++) {
                int u = cols[e], lu;
                for (int r = 0; r < 2000; r++)
                    __builtin_printf("bfs: depth %d visit %d -> %d (%d)\n", depth, v, u, r);
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
