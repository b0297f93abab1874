/* Driver: pagerank [n iters]. Random degree-8 CSR graph (read as in-edges),
 * prints a checksum. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

void pagerank(int n, const int *rowptr, const int *cols, int iters, double damping,
              double *rank, double *next, int *outdeg);

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
    int n = argc > 1 ? atoi(argv[1]) : 200000;
    int iters = argc > 2 ? atoi(argv[2]) : 20;
    int *rowptr, *cols;
    double *w;
    if (n < 1 || make_csr(n, 8, 0.1, 10.0, &rowptr, &cols, &w)) return 1;
    double *rank = malloc((size_t)n * sizeof *rank), *next = malloc((size_t)n * sizeof *next);
    int *outdeg = malloc((size_t)n * sizeof *outdeg);
    if (!rank || !next || !outdeg) return 1;
    double t0 = now_ms();
    pagerank(n, rowptr, cols, iters, 0.85, rank, next, outdeg);
    double t1 = now_ms();
    double s = 0.0, m = 0.0;
    long long od = 0;
    for (int v = 0; v < n; v++) { s += rank[v]; m += rank[v] * (double)(v % 7 + 1); od += outdeg[v]; }
    printf("checksum %.17g %.17g outdeg %lld\n", s, m, od);
    fprintf(stderr, "pagerank n=%d iters=%d time_ms %.2f\n", n, iters, t1 - t0);
    free(rowptr); free(cols); free(w); free(rank); free(next); free(outdeg);
    return 0;
}
