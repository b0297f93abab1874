/* Driver: apsp [n]. Dense random weights 1..1000, zero diagonal; prints a checksum of dist and via. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>


void apsp(int n, int *dist, int *via);

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
    int n = argc > 1 ? atoi(argv[1]) : 400;
    size_t nn = (size_t)n * n;
    int *dist = malloc(nn * sizeof *dist), *via = malloc(nn * sizeof *via);
    if (!dist || !via) return 1;
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++)
            dist[(size_t)i * n + j] = i == j ? 0 : 1 + (int)((rnd() + 1.0) * 499.999);
    double t0 = now_ms();
    apsp(n, dist, via);
    double t1 = now_ms();
    long long s = 0, w = 0;
    for (size_t k = 0; k < nn; k++) { s += dist[k]; w += (long long)(via[k] + 1) * (long long)(k % 7 + 1); }
    printf("checksum %lld %lld\n", s, w);
    fprintf(stderr, "apsp n=%d time_ms %.2f\n", n, t1 - t0);
    free(dist); free(via);
    return 0;
}
