/* Driver: heat2d [nsteps nx ny]. Random interior, hot left edge; prints a checksum of u. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>


void heat2d(int nsteps, int nx, int ny, double rx, double ry, double u[nx][ny], double unew[nx][ny]);

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
    int nsteps = argc > 1 ? atoi(argv[1]) : 50;
    int nx = argc > 2 ? atoi(argv[2]) : 800;
    int ny = argc > 3 ? atoi(argv[3]) : 900;
    double (*u)[ny] = malloc(sizeof(double[nx][ny]));
    double (*unew)[ny] = calloc((size_t)nx * ny, sizeof(double));
    if (!u || !unew) return 1;
    for (int i = 0; i < nx; i++)
        for (int j = 0; j < ny; j++)
            u[i][j] = (j == 0) ? 1.0 : 0.1 * rnd();
    double t0 = now_ms();
    heat2d(nsteps, nx, ny, 0.2, 0.25, u, unew);
    double t1 = now_ms();
    double s = 0.0, w = 0.0;
    for (int i = 0; i < nx; i++)
        for (int j = 0; j < ny; j++) { s += u[i][j]; w += u[i][j] * (double)((i * ny + j) % 7 + 1); }
    printf("checksum %.17g %.17g\n", s, w);
    fprintf(stderr, "heat2d nsteps=%d nx=%d ny=%d time_ms %.2f\n", nsteps, nx, ny, t1 - t0);
    free(u); free(unew);
    return 0;
}
