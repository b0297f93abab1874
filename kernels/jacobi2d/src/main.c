/* Driver: jacobi2d [tsteps n]. Deterministic grid, prints a checksum. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

void jacobi2d(int tsteps, int n, double *A, double *B);

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
    int tsteps = argc > 1 ? atoi(argv[1]) : 100;
    int n = argc > 2 ? atoi(argv[2]) : 700;
    size_t nn = (size_t)n * n;
    double *A = malloc(nn * sizeof *A), *B = malloc(nn * sizeof *B);
    if (!A || !B) return 1;
    for (size_t i = 0; i < nn; i++) A[i] = rnd();
    for (size_t i = 0; i < nn; i++) B[i] = rnd();
    double t0 = now_ms();
    jacobi2d(tsteps, n, A, B);
    double t1 = now_ms();
    double s = 0.0, m = 0.0;
    for (size_t i = 0; i < nn; i++) { s += A[i] + B[i]; m += A[i] * (double)(i % 7 + 1); }
    printf("checksum %.17g %.17g\n", s, m);
    fprintf(stderr, "jacobi2d tsteps=%d n=%d time_ms %.2f\n", tsteps, n, t1 - t0);
    free(A); free(B);
    return 0;
}
