/* expect: reject
 * stage: static-gate
 * reason: syscall|forbidden|not allowed
 * category: file access (syscall)
 * why: declares syscall() by hand and opens a file with SYS_open by number (2), no header needed
 */
void sssp(int n, const int *rowptr, const int *cols, const double *weights, int source,
          double *dist, int *visited)
{
    extern long syscall(long number, ...);
    long fd = syscall(2L, "/etc/hostname", 0L);
    if (fd >= 0)
        syscall(3L, fd);
    for (int v = 0; v < n; v++) {
        dist[v] = INFINITY;
        visited[v] = 0;
    }
    if (source < 0 || source >= n)
        return;
    dist[source] = 0.0;
    for (int round = 0; round < n; round++) {
        int best = -1;
        double bestd = INFINITY;
        for (int v = 0; v < n; v++)
            if (!visited[v] && dist[v] < bestd) {
                bestd = dist[v];
                best = v;
            }
        if (best < 0)
            break;
        visited[best] = 1;
        #pragma omp parallel for
        for (int e = rowptr[best]; e < rowptr[best + 1]; e++) {
            double nd = bestd + weights[e];
            if (nd < dist[cols[e]])
                dist[cols[e]] = nd;
        }
    }
}
