/* Driver: conv2d [cin cout h w k]. Deterministic inputs, prints a checksum. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

void conv2d(int cin, int cout, int h, int w, int k,
            const double *in, const double *filt, double *out);

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
    int cin = argc > 1 ? atoi(argv[1]) : 16;
    int cout = argc > 2 ? atoi(argv[2]) : 16;
    int h = argc > 3 ? atoi(argv[3]) : 128;
    int w = argc > 4 ? atoi(argv[4]) : 128;
    int k = argc > 5 ? atoi(argv[5]) : 5;
    if (k < 1 || h < k || w < k) { fprintf(stderr, "need h,w >= k >= 1\n"); return 2; }
    size_t nin = (size_t)cin * h * w, nf = (size_t)cout * cin * k * k;
    size_t nout = (size_t)cout * (h - k + 1) * (w - k + 1);
    double *in = malloc(nin * sizeof *in), *filt = malloc(nf * sizeof *filt);
    double *out = malloc(nout * sizeof *out);
    if (!in || !filt || !out) return 1;
    for (size_t i = 0; i < nin; i++) in[i] = rnd();
    for (size_t i = 0; i < nf; i++) filt[i] = rnd();
    double t0 = now_ms();
    conv2d(cin, cout, h, w, k, in, filt, out);
    double t1 = now_ms();
    double s = 0.0, m = 0.0;
    for (size_t i = 0; i < nout; i++) { s += out[i]; m += out[i] * (double)(i % 7 + 1); }
    printf("checksum %.17g %.17g\n", s, m);
    fprintf(stderr, "conv2d cin=%d cout=%d h=%d w=%d k=%d time_ms %.2f\n", cin, cout, h, w, k, t1 - t0);
    free(in); free(filt); free(out);
    return 0;
}
