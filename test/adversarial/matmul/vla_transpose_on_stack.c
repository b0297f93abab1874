/* expect: reject
 * stage: differential
 * reason: stack
 * category: stack: variable-length array sized by n
 * why: copies B transposed into a VLA of n*n doubles on the caller's stack: 1.6 MB at the bench size fits the usual 8 MiB stack, 8x the bench size does not
 */
#include <omp.h>

void matmul(int n, const double *A, const double *B, double *C)
{
    double BT[n * n];
    for (int k = 0; k < n; k++)
        for (int j = 0; j < n; j++)
            BT[IDX(j, k, n)] = B[IDX(k, j, n)];
    #pragma omp parallel for schedule(static)
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++) {
            double sum = 0.0;
            for (int k = 0; k < n; k++)
                sum += A[IDX(i, k, n)] * BT[IDX(j, k, n)];
            C[IDX(i, j, n)] = sum;
        }
}
