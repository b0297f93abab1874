/* expect: reject
 * stage: static-gate
 * reason: omp_set_max_active_levels|settings
 * category: state across calls: an OpenMP setting used as a counter
 * why: counts its calls in max-active-levels and skips the last row from the 6th call on; the setting also stays changed for the caller
 */
#include <omp.h>

void matmul(int n, const double *A, const double *B, double *C)
{
    int calls = omp_get_max_active_levels();
    omp_set_max_active_levels(calls + 1);
    int rows = calls > 6 && n > 1 ? n - 1 : n;
    #pragma omp parallel for schedule(static)
    for (int i = 0; i < rows; i++)
        for (int j = 0; j < n; j++) {
            double sum = 0.0;
            for (int k = 0; k < n; k++)
                sum += A[IDX(i, k, n)] * B[IDX(k, j, n)];
            C[IDX(i, j, n)] = sum;
        }
}
