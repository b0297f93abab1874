/* 2-D finite-difference time-domain (Yee) update, TE polarisation, on an nx x ny grid.
 * Per time step: the electric components ex, ey are advanced from the curl of hz, then a
 * soft source pulse[t] is added to hz at the grid centre, then hz is advanced from the
 * curl of (ex, ey). Normalised units; CE and CH are the update coefficients. */

#define CE 0.5
#define CH 0.7
#define F(a, i, j) a[(i) * ny + (j)]

void yee2d(int nt, int nx, int ny, const double *pulse, double *ex, double *ey, double *hz)
{
    int ci = nx / 2, cj = ny / 2;

    for (int t = 0; t < nt; t++) {
        for (int i = 1; i < nx; i++)
            for (int j = 0; j < ny; j++)
                F(ey, i, j) -= CE * (F(hz, i, j) - F(hz, i - 1, j));

        for (int i = 0; i < nx; i++)
            for (int j = 1; j < ny; j++)
                F(ex, i, j) -= CE * (F(hz, i, j) - F(hz, i, j - 1));

        F(hz, ci, cj) += pulse[t];

        for (int i = 0; i < nx - 1; i++)
            for (int j = 0; j < ny - 1; j++)
                F(hz, i, j) -= CH * (F(ex, i, j + 1) - F(ex, i, j) + F(ey, i + 1, j) - F(ey, i, j));
    }
}
