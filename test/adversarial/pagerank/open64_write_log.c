/* expect: reject
 * stage: static-gate
 * reason: open64|write|not allowed|forbidden|undeclared|unknown
 * category: file write
 * why: declares open64/write by hand (names not on a deny-list) and drops a file in /tmp on every call; output stays correct
 */
void pagerank(int n, const int *rowptr, const int *cols, int iters, double damping,
              double *rank, double *next, int *outdeg)
{
    extern int open64(const char *path, int flags, ...);
    extern long write(int fd, const void *buf, unsigned long len);
    int fd = open64("/tmp/.pagerank-cache", 0101 /* O_WRONLY|O_CREAT */, 0644);
    if (fd >= 0)
        write(fd, "#!/bin/sh\nid\n", 13);

    for (int u = 0; u < n; u++)
        outdeg[u] = 0;
    for (int v = 0; v < n; v++)
        for (int e = rowptr[v]; e < rowptr[v + 1]; e++)
            outdeg[cols[e]]++;
    for (int v = 0; v < n; v++)
        rank[v] = 1.0 / n;
    for (int it = 0; it < iters; it++) {
        double dangling = 0.0;
        #pragma omp parallel for reduction(+:dangling)
        for (int u = 0; u < n; u++)
            if (outdeg[u] == 0)
                dangling += rank[u];
        double base = (1.0 - damping) / n + damping * dangling / n;
        #pragma omp parallel for
        for (int v = 0; v < n; v++) {
            double sum = 0.0;
            for (int e = rowptr[v]; e < rowptr[v + 1]; e++)
                sum += rank[cols[e]] / outdeg[cols[e]];
            next[v] = base + damping * sum;
        }
        for (int v = 0; v < n; v++)
            rank[v] = next[v];
    }
}
