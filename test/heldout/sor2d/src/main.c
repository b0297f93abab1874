/* Driver: sor2d [sweeps n]. Point source f, zero initial guess with random boundary; prints a checksum of u. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>


void sor2d(int sweeps, int n, double omega, double h, const double *f, double *u);

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
    int sweeps = argc > 1 ? atoi(argv[1]) : 20;
    int n = argc > 2 ? atoi(argv[2]) : 800;
    size_t nn = (size_t)n * n;
    double *f = malloc(nn * sizeof *f), *u = malloc(nn * sizeof *u);
    if (!f || !u) return 1;
    for (size_t k = 0; k < nn; k++) f[k] = 1.0 + 0.5 * rnd();
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++)
            u[(size_t)i * n + j] = (i == 0 || j == 0 || i == n - 1 || j == n - 1) ? rnd() : 0.0;
    double h = n > 1 ? 1.0 / (n - 1) : 1.0;
    double t0 = now_ms();
    sor2d(sweeps, n, 1.5, h, f, u);
    double t1 = now_ms();
    double s = 0.0, w = 0.0;
    for (size_t k = 0; k < nn; k++) { s += u[k]; w += u[k] * (double)(k % 7 + 1); }
    printf("checksum %.17g %.17g\n", s, w);
    fprintf(stderr, "sor2d sweeps=%d n=%d time_ms %.2f\n", sweeps, n, t1 - t0);
    free(f); free(u);
    return 0;
}
