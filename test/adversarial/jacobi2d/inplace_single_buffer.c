/* expect: reject
 * stage: plan-legality|differential|sanitize-race
 * reason: race|expected .* got|\bdiffers?\b|mismatch|carries a dependence
 * category: race: dependence violated
 * why: "saves a copy" by updating A in place (Gauss-Seidel, not Jacobi) and only copying to B at the end
 */
void jacobi2d(int tsteps, int n, double *A, double *B)
{
    for (int t = 0; t < tsteps; t++) {
        for (int sweep = 0; sweep < 2; sweep++) {
            #pragma omp parallel for schedule(static)
            for (int i = 1; i < n - 1; i++)
                for (int j = 1; j < n - 1; j++)
                    A[IDX(i, j, n)] = avg5(A[IDX(i, j, n)], A[IDX(i, j - 1, n)], A[IDX(i, j + 1, n)],
                                           A[IDX(i + 1, j, n)], A[IDX(i - 1, j, n)]);
        }
    }
    #pragma omp parallel for
    for (int i = 1; i < n - 1; i++)
        for (int j = 1; j < n - 1; j++)
            B[IDX(i, j, n)] = A[IDX(i, j, n)];
}
