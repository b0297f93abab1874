/* expect: reject
 * stage: differential|sanitize-race
 * reason: race|expected .* got
 * category: teams: only with more than 4 threads
 * why: four scratch rows, picked by thread number & 3: with 5+ threads two threads share a row and overwrite each other's partial sums; never seen with the 1-4 threads of the old differential and race stages
 */
#include <omp.h>
#include <stdlib.h>

void matmul(int n, const double *A, const double *B, double *C)
{
    double *scratch = malloc(sizeof(double) * 4 * (size_t)(n > 0 ? n : 1));
    if (!scratch) return;
    #pragma omp parallel
    {
        double *row = scratch + (size_t)(omp_get_thread_num() & 3) * (size_t)n;
        #pragma omp for schedule(static, 1)
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) row[j] = 0.0;
            for (int k = 0; k < n; k++) {
                double a = A[IDX(i, k, n)];
                for (int j = 0; j < n; j++) row[j] += a * B[IDX(k, j, n)];
            }
            for (int j = 0; j < n; j++) C[IDX(i, j, n)] = row[j];
        }
    }
    free(scratch);
}
