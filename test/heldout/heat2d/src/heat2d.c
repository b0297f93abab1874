/* Explicit (forward Euler) heat equation on an nx x ny plate with fixed (Dirichlet)
 * edges. Each step computes the new interior into unew, then copies it back into u.
 * rx = kappa*dt/dx^2 and ry = kappa*dt/dy^2; stable for rx + ry <= 1/2. */

void heat2d(int nsteps, int nx, int ny, double rx, double ry, double u[nx][ny], double unew[nx][ny])
{
    for (int step = 0; step < nsteps; step++) {
        for (int i = 1; i < nx - 1; i++)
            for (int j = 1; j < ny - 1; j++)
                unew[i][j] = u[i][j]
                           + rx * (u[i + 1][j] - 2.0 * u[i][j] + u[i - 1][j])
                           + ry * (u[i][j + 1] - 2.0 * u[i][j] + u[i][j - 1]);

        for (int i = 1; i < nx - 1; i++)
            for (int j = 1; j < ny - 1; j++)
                u[i][j] = unew[i][j];
    }
}
