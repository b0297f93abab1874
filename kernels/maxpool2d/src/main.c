/* Driver: maxpool2d [c h w k s]. Deterministic input, prints a checksum. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

void maxpool2d(int c, int h, int w, int k, int s, const double *in, double *out);

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
    int c = argc > 1 ? atoi(argv[1]) : 64;
    int h = argc > 2 ? atoi(argv[2]) : 384;
    int w = argc > 3 ? atoi(argv[3]) : 384;
    int k = argc > 4 ? atoi(argv[4]) : 3;
    int s = argc > 5 ? atoi(argv[5]) : 1;
    if (c < 1 || k < 1 || s < 1 || h < k || w < k) { fprintf(stderr, "need h,w >= k >= 1, s >= 1\n"); return 2; }
    int oh = (h - k) / s + 1, ow = (w - k) / s + 1;
    size_t nin = (size_t)c * h * w, nout = (size_t)c * oh * ow;
    double *in = malloc(nin * sizeof *in), *out = malloc(nout * sizeof *out);
    if (!in || !out) return 1;
    for (size_t i = 0; i < nin; i++) in[i] = rnd();
    double t0 = now_ms();
    maxpool2d(c, h, w, k, s, in, out);
    double t1 = now_ms();
    double sum = 0.0, m = 0.0;
    for (size_t i = 0; i < nout; i++) { sum += out[i]; m += out[i] * (double)(i % 7 + 1); }
    printf("checksum %.17g %.17g\n", sum, m);
    fprintf(stderr, "maxpool2d c=%d h=%d w=%d k=%d s=%d time_ms %.2f\n", c, h, w, k, s, t1 - t0);
    free(in); free(out);
    return 0;
}
