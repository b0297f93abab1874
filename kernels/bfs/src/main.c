/* Driver: bfs [n]. Random degree-8 CSR graph, BFS from vertex n/2, prints a checksum. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

void bfs(int n, const int *rowptr, const int *cols, int source, int *level);

static unsigned long long rng_state = 0x9E3779B97F4A7C15ULL;
static unsigned long long rnd_u64(void) /* xorshift64* */
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 2685821657736338717ULL;
}
static double rnd01(void) { return (double)(rnd_u64() >> 11) * (1.0 / 9007199254740992.0); }

/* Random directed graph in CSR: each vertex gets min(deg, n-1) distinct out-neighbours,
 * no self loops, columns sorted; weights uniform in [wmin, wmax]. */
static int make_csr(int n, int deg, double wmin, double wmax,
                    int **rowptr_out, int **cols_out, double **w_out)
{
    int d = deg < n - 1 ? deg : n - 1;
    if (d < 0) d = 0;
    size_t nnz = (size_t)n * d;
    int *rowptr = malloc(((size_t)n + 1) * sizeof *rowptr);
    int *cols = malloc((nnz ? nnz : 1) * sizeof *cols);
    double *w = malloc((nnz ? nnz : 1) * sizeof *w);
    if (!rowptr || !cols || !w) return -1;
    rowptr[0] = 0;
    for (int v = 0; v < n; v++) {
        int *c = cols + (size_t)v * d;
        for (int e = 0; e < d; e++) {
            int u, dup;
            do {
                u = (int)(rnd_u64() % (unsigned long long)n);
                dup = (u == v);
                for (int f = 0; f < e && !dup; f++) dup = (c[f] == u);
            } while (dup);
            int f = e; /* insertion sort */
            while (f > 0 && c[f - 1] > u) { c[f] = c[f - 1]; f--; }
            c[f] = u;
        }
        rowptr[v + 1] = rowptr[v] + d;
    }
    for (size_t e = 0; e < nnz; e++) w[e] = wmin + (wmax - wmin) * rnd01();
    *rowptr_out = rowptr; *cols_out = cols; *w_out = w;
    return 0;
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec * 1e-6;
}

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 1000000;
    int *rowptr, *cols;
    double *w;
    if (n < 1 || make_csr(n, 8, 0.1, 10.0, &rowptr, &cols, &w)) return 1;
    int *level = malloc((size_t)n * sizeof *level);
    if (!level) return 1;
    double t0 = now_ms();
    bfs(n, rowptr, cols, n / 2, level);
    double t1 = now_ms();
    long long s = 0, m = 0;
    int maxl = -1, unreached = 0;
    for (int v = 0; v < n; v++) {
        s += level[v];
        m += (long long)level[v] * (v % 7 + 1);
        if (level[v] > maxl) maxl = level[v];
        if (level[v] < 0) unreached++;
    }
    printf("checksum %lld %lld maxlevel %d unreached %d\n", s, m, maxl, unreached);
    fprintf(stderr, "bfs n=%d time_ms %.2f\n", n, t1 - t0);
    free(rowptr); free(cols); free(w); free(level);
    return 0;
}
