/* expect: accept
 * category: correct
 * why: level sweep with GCC __atomic builtins (relaxed loads/stores of level[]) instead of omp atomic, changed as an OR-reduction
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
        #pragma omp parallel for schedule(dynamic, 64) reduction(|:changed)
        for (int v = 0; v < n; v++) {
            if (__atomic_load_n(&level[v], __ATOMIC_RELAXED) != depth)
                continue;
            for (int e = rowptr[v]; e < rowptr[v + 1]; e++) {
                int u = cols[e];
                if (__atomic_load_n(&level[u], __ATOMIC_RELAXED) == UNVISITED) {
                    __atomic_store_n(&level[u], depth + 1, __ATOMIC_RELAXED);
                    changed = 1;
                }
            }
        }
        depth++;
    }
}
