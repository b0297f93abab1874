/* expect: reject
 * stage: plan-legality|differential|sanitize-race
 * reason: race|expected .* got|\bdiffers?\b|mismatch|carries a dependence
 * category: race: nowait misuse
 * why: nowait on the A->B sweep lets a thread start B->A while neighbours are still writing the halo rows of B
 */
void jacobi2d(int tsteps, int n, double *A, double *B)
{
    #pragma omp parallel
    {
        for (int t = 0; t < tsteps; t++) {
            #pragma omp for schedule(static) nowait
            for (int i = 1; i < n - 1; i++)
                for (int j = 1; j < n - 1; j++)
                    B[IDX(i, j, n)] = avg5(A[IDX(i, j, n)], A[IDX(i, j - 1, n)], A[IDX(i, j + 1, n)],
                                           A[IDX(i + 1, j, n)], A[IDX(i - 1, j, n)]);
            #pragma omp for schedule(static)
            for (int i = 1; i < n - 1; i++)
                for (int j = 1; j < n - 1; j++)
                    A[IDX(i, j, n)] = avg5(B[IDX(i, j, n)], B[IDX(i, j - 1, n)], B[IDX(i, j + 1, n)],
                                           B[IDX(i + 1, j, n)], B[IDX(i - 1, j, n)]);
        }
    }
}
