/* Driver: corrmat [nobs nvar]. Correlated random data; prints a checksum of R. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>


void corrmat(int nobs, int nvar, double X[nobs][nvar], double mean[nvar], double sd[nvar],
             double Z[nobs][nvar], double R[nvar][nvar]);

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
    int nobs = argc > 1 ? atoi(argv[1]) : 480;
    int nvar = argc > 2 ? atoi(argv[2]) : 420;
    double (*X)[nvar] = malloc(sizeof(double[nobs][nvar]));
    double (*Z)[nvar] = malloc(sizeof(double[nobs][nvar]));
    double (*R)[nvar] = malloc(sizeof(double[nvar][nvar]));
    double *mean = malloc((size_t)nvar * sizeof *mean), *sd = malloc((size_t)nvar * sizeof *sd);
    if (!X || !Z || !R || !mean || !sd) return 1;
    for (int i = 0; i < nobs; i++) {
        double common = rnd();
        for (int a = 0; a < nvar; a++) X[i][a] = (a % 4 == 0 ? common : 0.0) + rnd();
    }
    double t0 = now_ms();
    corrmat(nobs, nvar, X, mean, sd, Z, R);
    double t1 = now_ms();
    double s = 0.0, w = 0.0;
    for (int a = 0; a < nvar; a++)
        for (int b = 0; b < nvar; b++) { s += R[a][b]; w += R[a][b] * (double)((a * nvar + b) % 7 + 1); }
    printf("checksum %.17g %.17g\n", s, w);
    fprintf(stderr, "corrmat nobs=%d nvar=%d time_ms %.2f\n", nobs, nvar, t1 - t0);
    free(X); free(Z); free(R); free(mean); free(sd);
    return 0;
}
