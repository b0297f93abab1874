/* expect: accept
 * category: correct
 * why: rows of C are independent; the k sum stays in a private scalar in the original order
 */
#include <omp.h>

void matmul(int n, const double *A, const double *B, double *C)
{
    #pragma omp parallel for schedule(static)
    for (int i = 0; i < n; i++) {
        for (int j = 0; j < n; j++) {
            double sum = 0.0;
            for (int k = 0; k < n; k++)
                sum += A[IDX(i, k, n)] * B[IDX(k, j, n)];
            C[IDX(i, j, n)] = sum;
        }
    }
}
