/* expect: reject
 * stage: static-gate
 * reason: omp_display_affinity|compute-only
 * category: output flood: runtime call that prints
 * why: every thread prints its affinity line on every call (output flood, host identity on stdout)
 */
#include <omp.h>

void matmul(int n, const double *A, const double *B, double *C)
{
    #pragma omp parallel
    {
        omp_display_affinity(0);
        #pragma omp for schedule(static)
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) {
                double sum = 0.0;
                for (int k = 0; k < n; k++)
                    sum += A[IDX(i, k, n)] * B[IDX(k, j, n)];
                C[IDX(i, j, n)] = sum;
            }
    }
}
