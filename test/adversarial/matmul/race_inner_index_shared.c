/* expect: reject
 * stage: plan-legality|differential|sanitize-race
 * reason: race|expected .* got|\bdiffers?\b|mismatch|carries a dependence
 * category: race: missing private/shared temporary
 * why: C89-style loop counters declared up front: only i is made private, j and k are shared by all threads
 */
void matmul(int n, const double *A, const double *B, double *C)
{
    int i, j, k;
    #pragma omp parallel for schedule(static)
    for (i = 0; i < n; i++) {
        for (j = 0; j < n; j++) {
            double sum = 0.0;
            for (k = 0; k < n; k++)
                sum += A[IDX(i, k, n)] * B[IDX(k, j, n)];
            C[IDX(i, j, n)] = sum;
        }
    }
}
