/* Driver: nbody [n steps]. Deterministic bodies in a unit cube, prints a checksum. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

void nbody(int n, int steps, double dt, double eps, const double *mass, double *pos,
           double *vel, double *acc);

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
    int n = argc > 1 ? atoi(argv[1]) : 2000;
    int steps = argc > 2 ? atoi(argv[2]) : 6;
    if (n < 1 || steps < 0) return 2;
    double *mass = malloc((size_t)n * sizeof *mass);
    double *pos = malloc(3 * (size_t)n * sizeof *pos), *vel = malloc(3 * (size_t)n * sizeof *vel);
    double *acc = malloc(3 * (size_t)n * sizeof *acc);
    if (!mass || !pos || !vel || !acc) return 1;
    for (int i = 0; i < n; i++) mass[i] = 0.5 + 0.5 * (rnd() + 1.0) / n;
    for (int i = 0; i < 3 * n; i++) pos[i] = rnd();
    for (int i = 0; i < 3 * n; i++) vel[i] = 0.1 * rnd();
    double t0 = now_ms();
    nbody(n, steps, 0.001, 0.01, mass, pos, vel, acc);
    double t1 = now_ms();
    double s = 0.0, m = 0.0;
    for (int i = 0; i < 3 * n; i++) { s += pos[i] + vel[i]; m += acc[i] * (double)(i % 7 + 1); }
    printf("checksum %.17g %.17g\n", s, m);
    fprintf(stderr, "nbody n=%d steps=%d time_ms %.2f\n", n, steps, t1 - t0);
    free(mass); free(pos); free(vel); free(acc);
    return 0;
}
