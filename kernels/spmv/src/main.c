/* Driver: spmv [n reps]. Random CSR matrix (8 nonzeros per row), prints a checksum. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

void spmv(int n, const int *rowptr, const int *cols, const double *vals, const double *x,
          int reps, double *y);

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
    int reps = argc > 2 ? atoi(argv[2]) : 30;
    int *rowptr, *cols;
    double *vals;
    if (n < 1 || make_csr(n, 8, 0.1, 10.0, &rowptr, &cols, &vals)) return 1;
    double *x = malloc((size_t)n * sizeof *x), *y = malloc((size_t)n * sizeof *y);
    if (!x || !y) return 1;
    for (int i = 0; i < n; i++) x[i] = 2.0 * rnd01() - 1.0;
    double t0 = now_ms();
    spmv(n, rowptr, cols, vals, x, reps, y);
    double t1 = now_ms();
    double s = 0.0, m = 0.0;
    for (int i = 0; i < n; i++) { s += y[i]; m += y[i] * (double)(i % 7 + 1); }
    printf("checksum %.17g %.17g\n", s, m);
    fprintf(stderr, "spmv n=%d reps=%d time_ms %.2f\n", n, reps, t1 - t0);
    free(rowptr); free(cols); free(vals); free(x); free(y);
    return 0;
}
