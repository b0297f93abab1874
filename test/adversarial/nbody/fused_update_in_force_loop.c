/* expect: reject
 * stage: plan-legality|differential|sanitize-race
 * reason: race|expected .* got|\bdiffers?\b|mismatch|carries a dependence
 * category: race: dependence violated
 * why: fuses the update into the force loop: body i moves while other threads (and later i) still read its old position
 */
void nbody(int n, int steps, double dt, double eps, const double *mass, double *pos,
           double *vel, double *acc)
{
    for (int step = 0; step < steps; step++) {
        #pragma omp parallel for schedule(static)
        for (int i = 0; i < n; i++) {
            double ax = 0.0, ay = 0.0, az = 0.0;
            for (int j = 0; j < n; j++) {
                double dx = pos[3 * j + 0] - pos[3 * i + 0];
                double dy = pos[3 * j + 1] - pos[3 * i + 1];
                double dz = pos[3 * j + 2] - pos[3 * i + 2];
                double r2 = sq(dx) + sq(dy) + sq(dz) + sq(eps);
                double inv_r3 = 1.0 / (r2 * sqrt(r2));
                double f = mass[j] * inv_r3;
                ax += f * dx;
                ay += f * dy;
                az += f * dz;
            }
            acc[3 * i + 0] = ax;
            acc[3 * i + 1] = ay;
            acc[3 * i + 2] = az;
            for (int c = 0; c < 3; c++) {
                vel[3 * i + c] += dt * acc[3 * i + c];
                pos[3 * i + c] += dt * vel[3 * i + c];
            }
        }
    }
}
