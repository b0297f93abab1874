/* Driver: syrklow [n m]. Deterministic A and C; prints a checksum of the lower triangle of C. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

void syrklow(int n, int m, double alpha, double beta, const double *A, double *C);

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
    int n = argc > 1 ? atoi(argv[1]) : 600;
    int m = argc > 2 ? atoi(argv[2]) : 450;
    double *A = malloc((size_t)n * m * sizeof *A), *C = malloc((size_t)n * n * sizeof *C);
    if (!A || !C) return 1;
    for (size_t i = 0; i < (size_t)n * m; i++) A[i] = rnd();
    for (size_t i = 0; i < (size_t)n * n; i++) C[i] = rnd();
    double t0 = now_ms();
    syrklow(n, m, 1.5, 1.2, A, C);
    double t1 = now_ms();
    double s = 0.0, w = 0.0;
    for (int i = 0; i < n; i++)
        for (int j = 0; j <= i; j++) { s += C[(size_t)i * n + j]; w += C[(size_t)i * n + j] * (double)((i + 3 * j) % 7 + 1); }
    printf("checksum %.17g %.17g\n", s, w);
    fprintf(stderr, "syrklow n=%d m=%d time_ms %.2f\n", n, m, t1 - t0);
    free(A); free(C);
    return 0;
}
