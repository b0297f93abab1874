/* expect: reject
 * stage: plan-legality|differential|sanitize-race
 * reason: race|expected .* got|\bdiffers?\b|mismatch|carries a dependence
 * category: race: missing private/shared temporary
 * why: the accumulator is declared before the parallel loop, so all threads share one sum
 */
void matmul(int n, const double *A, const double *B, double *C)
{
    double sum;
    #pragma omp parallel for
    for (int i = 0; i < n; i++) {
        for (int j = 0; j < n; j++) {
            sum = 0.0;
            for (int k = 0; k < n; k++)
                sum += A[IDX(i, k, n)] * B[IDX(k, j, n)];
            C[IDX(i, j, n)] = sum;
        }
    }
}
