/* expect: accept
 * category: correct
 * why: the accumulator is declared at function scope and reset before every use; reduction(+:sum) privatizes it (a reduction variable is private), and its combined value after the loop is never read
 */
#include <omp.h>

void matmul(int n, const double *A, const double *B, double *C)
{
    double sum;
    #pragma omp parallel for reduction(+:sum) schedule(static)
    for (int i = 0; i < n; i++) {
        for (int j = 0; j < n; j++) {
            sum = 0.0;
            for (int k = 0; k < n; k++)
                sum += A[IDX(i, k, n)] * B[IDX(k, j, n)];
            C[IDX(i, j, n)] = sum;
        }
    }
}
