/* Driver: bicgmv [n m]. Deterministic A, p, r; prints checksums of q and s. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

void bicgmv(int n, int m, double A[n][m], double p[m], double r[n], double q[n], double s[m]);

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
    int n = argc > 1 ? atoi(argv[1]) : 8000;
    int m = argc > 2 ? atoi(argv[2]) : 8000;
    double (*A)[m] = malloc(sizeof(double[n][m]));
    double *p = malloc((size_t)m * sizeof *p), *r = malloc((size_t)n * sizeof *r);
    double *q = malloc((size_t)n * sizeof *q), *s = malloc((size_t)m * sizeof *s);
    if (!A || !p || !r || !q || !s) return 1;
    for (int i = 0; i < n; i++) for (int j = 0; j < m; j++) A[i][j] = rnd();
    for (int j = 0; j < m; j++) p[j] = rnd();
    for (int i = 0; i < n; i++) r[i] = rnd();
    double t0 = now_ms();
    bicgmv(n, m, A, p, r, q, s);
    double t1 = now_ms();
    double sq = 0.0, ss = 0.0;
    for (int i = 0; i < n; i++) sq += q[i] * (double)(i % 7 + 1);
    for (int j = 0; j < m; j++) ss += s[j] * (double)(j % 5 + 1);
    printf("checksum %.17g %.17g\n", sq, ss);
    fprintf(stderr, "bicgmv n=%d m=%d time_ms %.2f\n", n, m, t1 - t0);
    free(A); free(p); free(r); free(q); free(s);
    return 0;
}
