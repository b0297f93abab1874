/* Symmetric rank-k update of the lower triangle:
 *     C := alpha * A * A^T + beta * C
 * C is n x n (row-major, only entries with j <= i are read or written; the strict
 * upper triangle is left as it was), A is n x m. Flat storage. */

void syrklow(int n, int m, double alpha, double beta, const double *A, double *C)
{
    for (int i = 0; i < n; i++) {
        const double *ai = A + (long)i * m;
        for (int j = 0; j <= i; j++) {
            const double *aj = A + (long)j * m;
            double dot = 0.0;
            for (int k = 0; k < m; k++)
                dot += ai[k] * aj[k];
            C[(long)i * n + j] = beta * C[(long)i * n + j] + alpha * dot;
        }
    }
}
