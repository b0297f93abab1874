/* expect: reject
 * stage: plan-legality|sanitize-race
 * reason: race|carries a dependence
 * category: race: only with 3+ threads/some sizes
 * why: hand-chunked force loop adds 1 to every chunk when n % nthreads != 0: neighbouring threads both write the boundary body's acc (same value) — a race only for some sizes and thread counts
 */
#include <omp.h>

void nbody(int n, int steps, double dt, double eps, const double *mass, double *pos,
           double *vel, double *acc)
{
    #pragma omp parallel
    for (int step = 0; step < steps; step++) {
        int nt = omp_get_num_threads(), t = omp_get_thread_num();
        int chunk = n / nt + (n % nt != 0);
        int lo = t * (n / nt);
        int hi = (t == nt - 1) ? n : lo + chunk;
        for (int i = lo; i < hi; i++) {
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
        #pragma omp for
        for (int i = 0; i < n; i++)
            for (int c = 0; c < 3; c++) {
                vel[3 * i + c] += dt * acc[3 * i + c];
                pos[3 * i + c] += dt * vel[3 * i + c];
            }
    }
}
