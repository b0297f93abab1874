/* Normal-equations matrix-vector product y = A^T (A x), without forming A^T A.
 * A is m x n (row-major), x and y have n entries, tmp has m entries (work vector). */

#define A_(r, c) A[(r) * n + (c)]

void normalmv(int m, int n, const double *A, const double *x, double *y, double *tmp)
{
    int r, c;

    for (c = 0; c < n; c++)
        y[c] = 0.0;

    for (r = 0; r < m; r++) {
        /* tmp_r = (A x)_r */
        tmp[r] = 0.0;
        for (c = 0; c < n; c++)
            tmp[r] += A_(r, c) * x[c];
        /* y += tmp_r * (row r of A) */
        for (c = 0; c < n; c++)
            y[c] += A_(r, c) * tmp[r];
    }
}
