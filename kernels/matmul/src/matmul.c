/* Dense matrix multiply C = A * B for square n x n row-major matrices. */
#include <stddef.h>

#define IDX(i, j, n) ((i) * (n) + (j))

void matmul(int n, const double *A, const double *B, double *C)
{
    for (int i = 0; i < n; i++) {
        for (int j = 0; j < n; j++) {
            C[IDX(i, j, n)] = 0.0;
            for (int k = 0; k < n; k++) {
                C[IDX(i, j, n)] += A[IDX(i, k, n)] * B[IDX(k, j, n)];
            }
        }
    }
}
