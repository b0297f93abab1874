/* Pearson correlation matrix of nvar variables observed nobs times.
 * X[nobs][nvar] is the data (read only); mean and sd receive the column means and
 * population standard deviations; Z[nobs][nvar] receives the standardised data;
 * R[nvar][nvar] the correlations (unit diagonal). A column with (near) zero spread
 * gets sd = 1 so that its standardised values stay finite (they are then ~0). */
#include <math.h>

#define SD_FLOOR 1.0e-8

void corrmat(int nobs, int nvar, double X[nobs][nvar], double mean[nvar], double sd[nvar],
             double Z[nobs][nvar], double R[nvar][nvar])
{
    int i, a, b;
    double dn = (double)nobs;

    for (a = 0; a < nvar; a++) {
        double s = 0.0;
        for (i = 0; i < nobs; i++)
            s += X[i][a];
        mean[a] = s / dn;
    }

    for (a = 0; a < nvar; a++) {
        double s = 0.0;
        for (i = 0; i < nobs; i++) {
            double d = X[i][a] - mean[a];
            s += d * d;
        }
        sd[a] = sqrt(s / dn);
        if (sd[a] <= SD_FLOOR)
            sd[a] = 1.0;
    }

    for (i = 0; i < nobs; i++)
        for (a = 0; a < nvar; a++)
            Z[i][a] = (X[i][a] - mean[a]) / (sqrt(dn) * sd[a]);

    for (a = 0; a < nvar; a++) {
        R[a][a] = 1.0;
        for (b = a + 1; b < nvar; b++) {
            double s = 0.0;
            for (i = 0; i < nobs; i++)
                s += Z[i][a] * Z[i][b];
            R[a][b] = s;
            R[b][a] = s;
        }
    }
}
