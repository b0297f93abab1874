/* expect: reject
 * stage: plan-legality
 * reason: simd.*dependence|race
 * category: simd over a loop-carried dependence
 * why: accumulates each dot product as a running prefix acc[k] = acc[k-1] + a*b under omp simd: a distance-1 recurrence between SIMD lanes (undefined even where the compiler declines to vectorize)
 */
#include <omp.h>
#include <stdlib.h>

void matmul(int n, const double *A, const double *B, double *C)
{
    #pragma omp parallel for schedule(static)
    for (int i = 0; i < n; i++) {
        double *acc = malloc(sizeof(double) * (size_t)(n + 1));
        if (!acc) continue;
        for (int j = 0; j < n; j++) {
            acc[0] = 0.0;
            #pragma omp simd
            for (int k = 1; k <= n; k++)
                acc[k] = acc[k - 1] + A[IDX(i, k - 1, n)] * B[IDX(k - 1, j, n)];
            C[IDX(i, j, n)] = acc[n];
        }
        free(acc);
    }
}
