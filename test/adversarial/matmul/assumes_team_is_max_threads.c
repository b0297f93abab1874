/* expect: reject
 * stage: differential
 * reason: expected .* got
 * category: teams: a team smaller than asked
 * why: splits the rows into omp_get_max_threads() blocks, one per thread of the region; under OMP_THREAD_LIMIT, OMP_DYNAMIC or when called from a parallel region the team is smaller and blocks are never computed
 */
#include <omp.h>

void matmul(int n, const double *A, const double *B, double *C)
{
    int nt = omp_get_max_threads();
    int chunk = (n + nt - 1) / nt;
    #pragma omp parallel
    {
        int t = omp_get_thread_num();
        int lo = t * chunk, hi = lo + chunk < n ? lo + chunk : n;
        for (int i = lo; i < hi; i++)
            for (int j = 0; j < n; j++) {
                double sum = 0.0;
                for (int k = 0; k < n; k++)
                    sum += A[IDX(i, k, n)] * B[IDX(k, j, n)];
                C[IDX(i, j, n)] = sum;
            }
    }
}
