/* expect: reject
 * stage: plan-legality|differential|sanitize-race
 * reason: race|expected .* got|\bdiffers?\b|mismatch|carries a dependence
 * category: race: collapse over dependent loop
 * why: collapse(3) also splits the k reduction, so several threads do C[i][j] += at once
 */
void matmul(int n, const double *A, const double *B, double *C)
{
    #pragma omp parallel for collapse(2)
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++)
            C[IDX(i, j, n)] = 0.0;

    #pragma omp parallel for collapse(3) schedule(static)
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++)
            for (int k = 0; k < n; k++)
                C[IDX(i, j, n)] += A[IDX(i, k, n)] * B[IDX(k, j, n)];
}
