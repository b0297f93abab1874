/* Expert OpenMP matmul: rows split across threads, i-k-j order so the inner loop
 * streams rows of B and C (vectorizable), k blocked for cache reuse of B.
 * For every C[i][j] the products are still added in increasing k, one at a time,
 * so results are bitwise identical to the serial i-j-k kernel. */
#include <stddef.h>

#define IDX(i, j, n) ((i) * (n) + (j))
#define KB 64

void matmul(int n, const double *restrict A, const double *restrict B, double *restrict C)
{
    #pragma omp parallel for schedule(static)
    for (int i = 0; i < n; i++) {
        double *restrict c = &C[IDX(i, 0, n)];
        for (int j = 0; j < n; j++)
            c[j] = 0.0;
        for (int kk = 0; kk < n; kk += KB) {
            int kend = kk + KB < n ? kk + KB : n;
            for (int k = kk; k < kend; k++) {
                const double a = A[IDX(i, k, n)];
                const double *restrict b = &B[IDX(k, 0, n)];
                for (int j = 0; j < n; j++)
                    c[j] += a * b[j];
            }
        }
    }
}
