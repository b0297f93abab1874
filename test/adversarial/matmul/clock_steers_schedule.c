/* expect: reject
 * stage: static-gate
 * reason: clock
 * category: clock read steering results
 * why: times the first row and skips the k-tail when the machine is slow: correct on a quiet test machine, wrong under load
 */
#include <omp.h>

void matmul(int n, const double *A, const double *B, double *C)
{
    double t0 = omp_get_wtime();
    int kmax = n;
    #pragma omp parallel for schedule(static)
    for (int i = 0; i < n; i++) {
        for (int j = 0; j < n; j++) {
            double sum = 0.0;
            for (int k = 0; k < kmax; k++)
                sum += A[IDX(i, k, n)] * B[IDX(k, j, n)];
            C[IDX(i, j, n)] = sum;
        }
        if (i == 0 && omp_get_wtime() - t0 > 0.5) kmax = n - 1;
    }
}
