/* Driver: covar [nobs nvar]. Correlated random data; prints a checksum of cov. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>


void covar(int nobs, int nvar, double *X, double *mean, double *cov);

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
    int nobs = argc > 1 ? atoi(argv[1]) : 550;
    int nvar = argc > 2 ? atoi(argv[2]) : 480;
    if (nobs < 2) { fprintf(stderr, "covar: nobs must be at least 2\n"); return 2; }
    double *X = malloc((size_t)nobs * nvar * sizeof *X), *mean = malloc((size_t)nvar * sizeof *mean);
    double *cov = malloc((size_t)nvar * nvar * sizeof *cov);
    if (!X || !mean || !cov) return 1;
    for (int o = 0; o < nobs; o++) {
        double common = rnd();
        for (int v = 0; v < nvar; v++) X[(size_t)o * nvar + v] = 10.0 + 0.5 * common + rnd() * (1.0 + v % 3);
    }
    double t0 = now_ms();
    covar(nobs, nvar, X, mean, cov);
    double t1 = now_ms();
    double s = 0.0, w = 0.0;
    for (size_t k = 0; k < (size_t)nvar * nvar; k++) { s += cov[k]; w += cov[k] * (double)(k % 7 + 1); }
    printf("checksum %.17g %.17g\n", s, w);
    fprintf(stderr, "covar nobs=%d nvar=%d time_ms %.2f\n", nobs, nvar, t1 - t0);
    free(X); free(mean); free(cov);
    return 0;
}
