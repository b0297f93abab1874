/* Successive over-relaxation for the Poisson problem  -lap(u) = f  on an n x n grid with
 * spacing h and fixed boundary values. Lexicographic Gauss-Seidel order, updated in place;
 * a fixed number of sweeps (no convergence test). */

static double gs_value(const double *u, const double *f, int n, int i, int j, double h2)
{
    return 0.25 * (u[(i - 1) * n + j] + u[(i + 1) * n + j] +
                   u[i * n + j - 1] + u[i * n + j + 1] + h2 * f[i * n + j]);
}

void sor2d(int sweeps, int n, double omega, double h, const double *f, double *u)
{
    double h2 = h * h;
    for (int s = 0; s < sweeps; s++) {
        for (int i = 1; i < n - 1; i++) {
            for (int j = 1; j < n - 1; j++) {
                double gs = gs_value(u, f, n, i, j, h2);
                u[i * n + j] = (1.0 - omega) * u[i * n + j] + omega * gs;
            }
        }
    }
}
