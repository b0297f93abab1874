/* expect: reject
 * stage: differential
 * reason: expected .* got|\bdiffers?\b|mismatch
 * category: off-by-one/tail
 * why: j unrolled by 4, but the remainder loop stops at n-1, so the last column is never written when n % 4 != 0
 */
void matmul(int n, const double *A, const double *B, double *C)
{
    #pragma omp parallel for schedule(static)
    for (int i = 0; i < n; i++) {
        int j = 0;
        for (; j + 3 < n; j += 4) {
            double s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0;
            for (int k = 0; k < n; k++) {
                double a = A[IDX(i, k, n)];
                s0 += a * B[IDX(k, j + 0, n)];
                s1 += a * B[IDX(k, j + 1, n)];
                s2 += a * B[IDX(k, j + 2, n)];
                s3 += a * B[IDX(k, j + 3, n)];
            }
            C[IDX(i, j + 0, n)] = s0;
            C[IDX(i, j + 1, n)] = s1;
            C[IDX(i, j + 2, n)] = s2;
            C[IDX(i, j + 3, n)] = s3;
        }
        for (; j < n - 1; j++) {
            double s = 0.0;
            for (int k = 0; k < n; k++)
                s += A[IDX(i, k, n)] * B[IDX(k, j, n)];
            C[IDX(i, j, n)] = s;
        }
    }
}
