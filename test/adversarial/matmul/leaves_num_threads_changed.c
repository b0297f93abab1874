/* expect: reject
 * stage: static-gate
 * reason: omp_set_num_threads|settings
 * category: state after return: caller's thread settings changed
 * why: sets the caller's default team size to 2 and never restores it; every later parallel region of the program runs with 2 threads
 */
#include <omp.h>

void matmul(int n, const double *A, const double *B, double *C)
{
    omp_set_num_threads(2);
    #pragma omp parallel for schedule(static)
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++) {
            double sum = 0.0;
            for (int k = 0; k < n; k++)
                sum += A[IDX(i, k, n)] * B[IDX(k, j, n)];
            C[IDX(i, j, n)] = sum;
        }
}
