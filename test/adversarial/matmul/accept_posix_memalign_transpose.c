/* expect: accept
 * category: correct
 * why: B transposed into 64-byte aligned heap scratch from posix_memalign (as legitimate as aligned_alloc), rows in parallel, same summation order
 */
#include <omp.h>
#include <stdlib.h>

void matmul(int n, const double *A, const double *B, double *C)
{
    void *mem = 0;
    if (posix_memalign(&mem, 64, sizeof(double) * (size_t)(n > 0 ? n * n : 1)) != 0) return;
    double *BT = mem;
    #pragma omp parallel for schedule(static)
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
    free(mem);
}
