/* expect: accept
 * category: correct
 * why: hand-partitioned force loop (balanced chunks from omp_get_thread_num/omp_get_num_threads, remainder spread, clamped to n), barrier, then omp for update
 */
#include <omp.h>

void nbody(int n, int steps, double dt, double eps, const double *mass, double *pos,
           double *vel, double *acc)
{
    #pragma omp parallel
    for (int step = 0; step < steps; step++) {
        const int nt = omp_get_num_threads(), t = omp_get_thread_num();
        const int base = n / nt, rem = n % nt;
        const int lo = t * base + (t < rem ? t : rem);
        const int hi = lo + base + (t < rem ? 1 : 0);
        for (int i = lo; i < hi && i < n; i++) {
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
        }
        #pragma omp barrier
        #pragma omp for schedule(static)
        for (int i = 0; i < n; i++)
            for (int c = 0; c < 3; c++) {
                vel[3 * i + c] += dt * acc[3 * i + c];
                pos[3 * i + c] += dt * vel[3 * i + c];
            }
    }
}
