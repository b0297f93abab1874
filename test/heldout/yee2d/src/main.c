/* Driver: yee2d [nt nx ny]. Quiet fields with small random noise, a Gaussian pulse source; prints checksums of ex, ey, hz. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <math.h>

void yee2d(int nt, int nx, int ny, const double *pulse, double *ex, double *ey, double *hz);

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
    int nt = argc > 1 ? atoi(argv[1]) : 40;
    int nx = argc > 2 ? atoi(argv[2]) : 640;
    int ny = argc > 3 ? atoi(argv[3]) : 720;
    size_t nn = (size_t)nx * ny;
    double *pulse = malloc((size_t)nt * sizeof *pulse);
    double *ex = malloc(nn * sizeof *ex), *ey = malloc(nn * sizeof *ey), *hz = malloc(nn * sizeof *hz);
    if (!pulse || !ex || !ey || !hz) return 1;
    for (int t = 0; t < nt; t++) { double a = (t - 20.0) / 6.0; pulse[t] = exp(-a * a); }
    for (size_t k = 0; k < nn; k++) { ex[k] = 1e-3 * rnd(); ey[k] = 1e-3 * rnd(); hz[k] = 1e-3 * rnd(); }
    double t0 = now_ms();
    yee2d(nt, nx, ny, pulse, ex, ey, hz);
    double t1 = now_ms();
    double se = 0.0, sh = 0.0;
    for (size_t k = 0; k < nn; k++) { se += ex[k] + 2.0 * ey[k]; sh += hz[k] * (double)(k % 7 + 1); }
    printf("checksum %.17g %.17g\n", se, sh);
    fprintf(stderr, "yee2d nt=%d nx=%d ny=%d time_ms %.2f\n", nt, nx, ny, t1 - t0);
    free(pulse); free(ex); free(ey); free(hz);
    return 0;
}
