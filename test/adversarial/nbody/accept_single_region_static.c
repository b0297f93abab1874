/* expect: accept
 * category: correct
 * why: one region around the step loop; omp for (force) and omp for (update) separated by their implicit barriers; restrict pointers
 */
#include <math.h>

void nbody(int n, int steps, double dt, double eps, const double *restrict mass, double *restrict pos,
           double *restrict vel, double *restrict acc)
{
    const double eps2 = eps * eps;
    #pragma omp parallel
    for (int step = 0; step < steps; step++) {
        #pragma omp for schedule(static)
        for (int i = 0; i < n; i++) {
            const double xi = pos[3 * i], yi = pos[3 * i + 1], zi = pos[3 * i + 2];
            double ax = 0.0, ay = 0.0, az = 0.0;
            for (int j = 0; j < n; j++) {
                double dx = pos[3 * j + 0] - xi;
                double dy = pos[3 * j + 1] - yi;
                double dz = pos[3 * j + 2] - zi;
                double r2 = dx * dx + dy * dy + dz * dz + eps2;
                double f = mass[j] * (1.0 / (r2 * sqrt(r2)));
                ax += f * dx;
                ay += f * dy;
                az += f * dz;
            }
            acc[3 * i + 0] = ax;
            acc[3 * i + 1] = ay;
            acc[3 * i + 2] = az;
        }
        #pragma omp for schedule(static)
        for (int i = 0; i < 3 * n; i++) {
            vel[i] += dt * acc[i];
            pos[i] += dt * vel[i];
        }
    }
}
