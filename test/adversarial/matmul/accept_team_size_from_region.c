/* expect: accept
 * category: correct
 * why: splits rows by the team it actually got (omp_get_num_threads inside the region), so thread limits, dynamic teams and nesting only change the split; times the call with a clock read that steers nothing
 */
#include <omp.h>

void matmul(int n, const double *A, const double *B, double *C)
{
    double t0 = omp_get_wtime();
    #pragma omp parallel
    {
        int nt = omp_get_num_threads(), t = omp_get_thread_num();
        int chunk = (n + nt - 1) / nt;
        int lo = t * chunk, hi = lo + chunk < n ? lo + chunk : n;
        for (int i = lo; i < hi; i++)
            for (int j = 0; j < n; j++) {
                double sum = 0.0;
                for (int k = 0; k < n; k++)
                    sum += A[IDX(i, k, n)] * B[IDX(k, j, n)];
                C[IDX(i, j, n)] = sum;
            }
    }
    double spent = omp_get_wtime() - t0;
    (void)spent;
}
