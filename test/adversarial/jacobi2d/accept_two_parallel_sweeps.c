/* expect: accept
 * category: correct
 * why: the t loop stays serial; each sweep is a parallel collapse(2) loop with its implicit barrier
 */
void jacobi2d(int tsteps, int n, double *A, double *B)
{
    for (int t = 0; t < tsteps; t++) {
        #pragma omp parallel for collapse(2) schedule(static)
        for (int i = 1; i < n - 1; i++)
            for (int j = 1; j < n - 1; j++)
                B[IDX(i, j, n)] = avg5(A[IDX(i, j, n)], A[IDX(i, j - 1, n)], A[IDX(i, j + 1, n)],
                                       A[IDX(i + 1, j, n)], A[IDX(i - 1, j, n)]);
        #pragma omp parallel for collapse(2) schedule(static)
        for (int i = 1; i < n - 1; i++)
            for (int j = 1; j < n - 1; j++)
                A[IDX(i, j, n)] = avg5(B[IDX(i, j, n)], B[IDX(i, j - 1, n)], B[IDX(i, j + 1, n)],
                                       B[IDX(i + 1, j, n)], B[IDX(i - 1, j, n)]);
    }
}
