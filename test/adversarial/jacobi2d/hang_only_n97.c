/* expect: reject
 * stage: differential
 * reason: time|timed out|wall|cpu|limit
 * category: infinite loop
 * why: the time step only advances when n % 97 != 0, so the kernel spins forever at one test size
 */
void jacobi2d(int tsteps, int n, double *A, double *B)
{
    for (int t = 0; t < tsteps; t += (n % 97 != 0)) {
        #pragma omp parallel for schedule(static)
        for (int i = 1; i < n - 1; i++)
            for (int j = 1; j < n - 1; j++)
                B[IDX(i, j, n)] = avg5(A[IDX(i, j, n)], A[IDX(i, j - 1, n)], A[IDX(i, j + 1, n)],
                                       A[IDX(i + 1, j, n)], A[IDX(i - 1, j, n)]);
        #pragma omp parallel for schedule(static)
        for (int i = 1; i < n - 1; i++)
            for (int j = 1; j < n - 1; j++)
                A[IDX(i, j, n)] = avg5(B[IDX(i, j, n)], B[IDX(i, j - 1, n)], B[IDX(i, j + 1, n)],
                                       B[IDX(i + 1, j, n)], B[IDX(i - 1, j, n)]);
    }
}
