/* expect: reject
 * stage: differential|sanitize-memory
 * reason: past the end|before (its|the) start|guard|overflow|out of bounds|out-of-bounds|heap|expected .* got|\bdiffers?\b|mismatch|SIGSEGV|segmentation|code 139
 * category: out of bounds
 * why: keeps a "scratch row" at a computed address 128 bytes past the end of B (beyond a 64-byte guard zone)
 */
void jacobi2d(int tsteps, int n, double *A, double *B)
{
    double *scratch = B + (long)n * n + 16;
    for (int t = 0; t < tsteps; t++) {
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
        for (int j = 0; j < n && j < 4; j++)
            scratch[j] = A[j];
    }
}
