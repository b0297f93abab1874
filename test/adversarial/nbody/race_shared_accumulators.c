/* expect: reject
 * stage: plan-legality|differential|sanitize-race
 * reason: race|expected .* got|\bdiffers?\b|mismatch|carries a dependence
 * category: race: missing private/shared temporary
 * why: ax/ay/az and the distance temporaries are declared at function scope, so the parallel force loop shares them
 */
void nbody(int n, int steps, double dt, double eps, const double *mass, double *pos,
           double *vel, double *acc)
{
    double ax, ay, az, dx, dy, dz, r2, f;
    for (int step = 0; step < steps; step++) {
        #pragma omp parallel for
        for (int i = 0; i < n; i++) {
            ax = ay = az = 0.0;
            for (int j = 0; j < n; j++) {
                dx = pos[3 * j + 0] - pos[3 * i + 0];
                dy = pos[3 * j + 1] - pos[3 * i + 1];
                dz = pos[3 * j + 2] - pos[3 * i + 2];
                r2 = sq(dx) + sq(dy) + sq(dz) + sq(eps);
                f = mass[j] * (1.0 / (r2 * sqrt(r2)));
                ax += f * dx;
                ay += f * dy;
                az += f * dz;
            }
            acc[3 * i + 0] = ax;
            acc[3 * i + 1] = ay;
            acc[3 * i + 2] = az;
        }
        for (int i = 0; i < n; i++)
            for (int c = 0; c < 3; c++) {
                vel[3 * i + c] += dt * acc[3 * i + c];
                pos[3 * i + c] += dt * vel[3 * i + c];
            }
    }
}
