/* Sample covariance matrix of a data set with nobs observations (rows) of nvar
 * variables (columns), row-major X[obs*nvar + var]. The data are centred in place
 * (X is overwritten with the deviations from the column means); cov is nvar x nvar,
 * symmetric, with the unbiased 1/(nobs-1) normalisation, so nobs >= 2. */

#define X_(o, v) X[(o) * nvar + (v)]
#define COV(a, b) cov[(a) * nvar + (b)]

void covar(int nobs, int nvar, double *X, double *mean, double *cov)
{
    /* column means */
    for (int v = 0; v < nvar; v++) {
        mean[v] = 0.0;
        for (int o = 0; o < nobs; o++)
            mean[v] += X_(o, v);
        mean[v] /= (double)nobs;
    }

    /* centre */
    for (int o = 0; o < nobs; o++)
        for (int v = 0; v < nvar; v++)
            X_(o, v) -= mean[v];

    /* upper triangle, mirrored */
    for (int a = 0; a < nvar; a++) {
        for (int b = a; b < nvar; b++) {
            double s = 0.0;
            for (int o = 0; o < nobs; o++)
                s += X_(o, a) * X_(o, b);
            s /= (double)(nobs - 1);
            COV(a, b) = s;
            COV(b, a) = s;
        }
    }
}
