/* expect: accept
 * category: correct
 * why: one parallel region for the whole search: omp for sweeps with relaxed atomics on level[], a shared flag set atomically and reset in single
 */
void bfs(int n, const int *rowptr, const int *cols, int source, int *level)
{
    for (int v = 0; v < n; v++)
        level[v] = UNVISITED;
    if (source < 0 || source >= n)
        return;
    level[source] = 0;

    int changed = 1;
    #pragma omp parallel shared(changed)
    {
        for (int depth = 0;; depth++) {
            int go;
            #pragma omp atomic read
            go = changed;
            #pragma omp barrier
            if (!go)
                break;
            #pragma omp single
            changed = 0;
            #pragma omp for schedule(guided)
            for (int v = 0; v < n; v++) {
                int lv;
                #pragma omp atomic read
                lv = level[v];
                if (lv != depth)
                    continue;
                for (int e = rowptr[v]; e < rowptr[v + 1]; e++) {
                    int u = cols[e], lu;
                    #pragma omp atomic read
                    lu = level[u];
                    if (lu == UNVISITED) {
                        #pragma omp atomic write
                        level[u] = depth + 1;
                        #pragma omp atomic write
                        changed = 1;
                    }
                }
            }
        }
    }
}
