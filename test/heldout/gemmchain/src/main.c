/* Driver: gemmchain [ni nj nk nl]. Deterministic A, B, C, D; prints a checksum of D. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

void gemmchain(int ni, int nj, int nk, int nl, double alpha, double beta,
               double A[ni][nk], double B[nk][nj], double C[nj][nl],
               double T[ni][nj], double D[ni][nl]);

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
    int ni = argc > 1 ? atoi(argv[1]) : 270;
    int nj = argc > 2 ? atoi(argv[2]) : 300;
    int nk = argc > 3 ? atoi(argv[3]) : 320;
    int nl = argc > 4 ? atoi(argv[4]) : 350;
    double (*A)[nk] = malloc(sizeof(double[ni][nk]));
    double (*B)[nj] = malloc(sizeof(double[nk][nj]));
    double (*C)[nl] = malloc(sizeof(double[nj][nl]));
    double (*T)[nj] = malloc(sizeof(double[ni][nj]));
    double (*D)[nl] = malloc(sizeof(double[ni][nl]));
    if (!A || !B || !C || !T || !D) return 1;
    for (int i = 0; i < ni; i++) for (int k = 0; k < nk; k++) A[i][k] = rnd();
    for (int k = 0; k < nk; k++) for (int j = 0; j < nj; j++) B[k][j] = rnd();
    for (int j = 0; j < nj; j++) for (int l = 0; l < nl; l++) C[j][l] = rnd();
    for (int i = 0; i < ni; i++) for (int l = 0; l < nl; l++) D[i][l] = rnd();
    double t0 = now_ms();
    gemmchain(ni, nj, nk, nl, 1.5, 1.2, A, B, C, T, D);
    double t1 = now_ms();
    double s = 0.0, w = 0.0;
    for (int i = 0; i < ni; i++)
        for (int l = 0; l < nl; l++) { s += D[i][l]; w += D[i][l] * (double)((i * nl + l) % 7 + 1); }
    printf("checksum %.17g %.17g\n", s, w);
    fprintf(stderr, "gemmchain ni=%d nj=%d nk=%d nl=%d time_ms %.2f\n", ni, nj, nk, nl, t1 - t0);
    free(A); free(B); free(C); free(T); free(D);
    return 0;
}
