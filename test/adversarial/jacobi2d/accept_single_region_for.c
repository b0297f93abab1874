/* expect: accept
 * category: correct
 * why: one parallel region around the time loop; every thread runs t, the two omp for sweeps end in barriers
 */
void jacobi2d(int tsteps, int n, double *restrict A, double *restrict B)
{
    #pragma omp parallel
    {
        for (int t = 0; t < tsteps; t++) {
            #pragma omp for schedule(static)
            for (int i = 1; i < n - 1; i++) {
                #pragma omp simd
                for (int j = 1; j < n - 1; j++)
                    B[IDX(i, j, n)] = 0.2 * (A[IDX(i, j, n)] + A[IDX(i, j - 1, n)] + A[IDX(i, j + 1, n)]
                                             + A[IDX(i + 1, j, n)] + A[IDX(i - 1, j, n)]);
            }
            #pragma omp for schedule(static)
            for (int i = 1; i < n - 1; i++) {
                #pragma omp simd
                for (int j = 1; j < n - 1; j++)
                    A[IDX(i, j, n)] = 0.2 * (B[IDX(i, j, n)] + B[IDX(i, j - 1, n)] + B[IDX(i, j + 1, n)]
                                             + B[IDX(i + 1, j, n)] + B[IDX(i - 1, j, n)]);
            }
        }
    }
}
