/* Driver: attention [seq d]. Deterministic Q, K, V; prints a checksum. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

void attention(int seq, int d, const double *Q, const double *K, const double *V, double *O);

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
    int seq = argc > 1 ? atoi(argv[1]) : 1024;
    int d = argc > 2 ? atoi(argv[2]) : 64;
    if (seq < 1 || d < 1) return 2;
    size_t nm = (size_t)seq * d;
    double *Q = malloc(nm * sizeof *Q), *K = malloc(nm * sizeof *K);
    double *V = malloc(nm * sizeof *V), *O = malloc(nm * sizeof *O);
    if (!Q || !K || !V || !O) return 1;
    for (size_t i = 0; i < nm; i++) Q[i] = 2.0 * rnd();
    for (size_t i = 0; i < nm; i++) K[i] = 2.0 * rnd();
    for (size_t i = 0; i < nm; i++) V[i] = rnd();
    double t0 = now_ms();
    attention(seq, d, Q, K, V, O);
    double t1 = now_ms();
    double s = 0.0, m = 0.0;
    for (size_t i = 0; i < nm; i++) { s += O[i]; m += O[i] * (double)(i % 7 + 1); }
    printf("checksum %.17g %.17g\n", s, m);
    fprintf(stderr, "attention seq=%d d=%d time_ms %.2f\n", seq, d, t1 - t0);
    free(Q); free(K); free(V); free(O);
    return 0;
}
