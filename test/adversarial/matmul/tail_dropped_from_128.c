/* expect: reject
 * stage: differential
 * reason: expected .* got
 * category: sizes: only between the largest test size and the bench size
 * why: from n >= 128 on it works in 64-row blocks and drops the last n % 64 rows; the tests stop at 97 and the bench size 448 is a multiple of 64
 */
#include <omp.h>

void matmul(int n, const double *A, const double *B, double *C)
{
    int rows = n >= 128 ? n / 64 * 64 : n;
    #pragma omp parallel for schedule(static)
    for (int i = 0; i < rows; i++) {
        for (int j = 0; j < n; j++) {
            double sum = 0.0;
            for (int k = 0; k < n; k++)
                sum += A[IDX(i, k, n)] * B[IDX(k, j, n)];
            C[IDX(i, j, n)] = sum;
        }
    }
    for (int i = rows; i < n; i++)
        for (int j = 0; j < n; j++)
            C[IDX(i, j, n)] = 0.0;
}
