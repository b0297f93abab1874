/* expect: accept
 * category: correct
 * why: blocked over j (tiles of 32 columns) with the row-tile pairs distributed by collapse(2); per-element k order unchanged
 */
void matmul(int n, const double *A, const double *B, double *C)
{
    const int TJ = 32;
    #pragma omp parallel for collapse(2) schedule(static)
    for (int i = 0; i < n; i++) {
        for (int jj = 0; jj < n; jj += TJ) {
            int jend = jj + TJ < n ? jj + TJ : n;
            for (int j = jj; j < jend; j++)
                C[IDX(i, j, n)] = 0.0;
            for (int k = 0; k < n; k++) {
                double a = A[IDX(i, k, n)];
                for (int j = jj; j < jend; j++)
                    C[IDX(i, j, n)] += a * B[IDX(k, j, n)];
            }
        }
    }
}
