/* Driver: fft1d [logn batch]. Deterministic signals, prints a checksum. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

void fft1d(int logn, int batch, double *re, double *im);

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
    int logn = argc > 1 ? atoi(argv[1]) : 12;
    int batch = argc > 2 ? atoi(argv[2]) : 512;
    if (logn < 0 || logn > 26 || batch < 1) { fprintf(stderr, "bad sizes\n"); return 2; }
    size_t total = (size_t)batch << logn;
    double *re = malloc(total * sizeof *re), *im = malloc(total * sizeof *im);
    if (!re || !im) return 1;
    for (size_t i = 0; i < total; i++) { re[i] = rnd(); im[i] = rnd(); }
    double t0 = now_ms();
    fft1d(logn, batch, re, im);
    double t1 = now_ms();
    double s = 0.0, m = 0.0;
    for (size_t i = 0; i < total; i++) { s += re[i] - im[i]; m += (re[i] * re[i] + im[i] * im[i]) * (double)(i % 7 + 1); }
    printf("checksum %.17g %.17g\n", s, m);
    fprintf(stderr, "fft1d logn=%d batch=%d time_ms %.2f\n", logn, batch, t1 - t0);
    free(re); free(im);
    return 0;
}
