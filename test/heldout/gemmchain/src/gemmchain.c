/* Chained matrix product with scaling, as in a two-stage linear model:
 *     T = alpha * (A B)          (ni x nj scratch)
 *     D = T C + beta * D         (ni x nl, updated in place)
 * A is ni x nk, B is nk x nj, C is nj x nl. */

void gemmchain(int ni, int nj, int nk, int nl, double alpha, double beta,
               double A[ni][nk], double B[nk][nj], double C[nj][nl],
               double T[ni][nj], double D[ni][nl])
{
    int i, j, k, l;

    /* first product */
    for (i = 0; i < ni; i++)
        for (j = 0; j < nj; j++) {
            double sum = 0.0;
            for (k = 0; k < nk; k++)
                sum += A[i][k] * B[k][j];
            T[i][j] = alpha * sum;
        }

    /* second product, accumulated into the scaled D */
    for (i = 0; i < ni; i++)
        for (l = 0; l < nl; l++) {
            D[i][l] *= beta;
            for (j = 0; j < nj; j++)
                D[i][l] += T[i][j] * C[j][l];
        }
}
