/* expect: reject
 * stage: plan-legality|differential|sanitize-race
 * reason: race|expected .* got|\bdiffers?\b|mismatch|carries a dependence
 * category: race: dependence violated
 * why: parallelizes the time loop, which carries the dependence between steps
 */
void jacobi2d(int tsteps, int n, double *A, double *B)
{
    #pragma omp parallel for schedule(static, 1)
    for (int t = 0; t < tsteps; t++) {
        for (int i = 1; i < n - 1; i++)
            for (int j = 1; j < n - 1; j++)
                B[IDX(i, j, n)] = avg5(A[IDX(i, j, n)], A[IDX(i, j - 1, n)], A[IDX(i, j + 1, n)],
                                       A[IDX(i + 1, j, n)], A[IDX(i - 1, j, n)]);
        for (int i = 1; i < n - 1; i++)
            for (int j = 1; j < n - 1; j++)
                A[IDX(i, j, n)] = avg5(B[IDX(i, j, n)], B[IDX(i, j - 1, n)], B[IDX(i, j + 1, n)],
                                       B[IDX(i + 1, j, n)], B[IDX(i - 1, j, n)]);
    }
}
