/* Driver: normalmv [m n]. Deterministic A and x; prints a checksum of y. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

void normalmv(int m, int n, const double *A, const double *x, double *y, double *tmp);

static unsigned long long rng_state = 0x9E3779B97F4A7C15ULL;
static double rnd(void) /* xorshift64*, uniform in [-1, 1) */
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    unsigned long long r = rng_state * 2685821657736338717ULL;
    return (double)(r >> 11) * (2.0 / 9007199254740992.0) - 1.0;
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec * 1e-6;
}

int main(int argc, char **argv)
{
    int m = argc > 1 ? atoi(argv[1]) : 6400;
    int n = argc > 2 ? atoi(argv[2]) : 6720;
    double *A = malloc((size_t)m * n * sizeof *A), *x = malloc((size_t)n * sizeof *x);
    double *y = malloc((size_t)n * sizeof *y), *tmp = malloc((size_t)m * sizeof *tmp);
    if (!A || !x || !y || !tmp) return 1;
    for (size_t i = 0; i < (size_t)m * n; i++) A[i] = rnd();
    for (int j = 0; j < n; j++) x[j] = rnd();
    double t0 = now_ms();
    normalmv(m, n, A, x, y, tmp);
    double t1 = now_ms();
    double s = 0.0, w = 0.0;
    for (int j = 0; j < n; j++) { s += y[j]; w += y[j] * (double)(j % 7 + 1); }
    printf("checksum %.17g %.17g\n", s, w);
    fprintf(stderr, "normalmv m=%d n=%d time_ms %.2f\n", m, n, t1 - t0);
    free(A); free(x); free(y); free(tmp);
    return 0;
}
