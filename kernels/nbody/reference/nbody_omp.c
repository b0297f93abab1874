/* Expert OpenMP nbody: one parallel region for all steps; the force loop distributes
 * bodies i over threads (each thread sums its bodies' accelerations over j in the serial
 * order; two bodies at a time give two independent dependence chains), then a worksharing
 * update of velocities and positions. Barriers separate the force and update phases.
 * Arithmetic and summation order are the serial ones: results are bitwise identical. */
#include <math.h>
#include <stddef.h>

static inline double sq(double x)
{
    return x * x;
}

void nbody(int n, int steps, double dt, double eps, const double *restrict mass,
           double *restrict pos, double *restrict vel, double *restrict acc)
{
    const double eps2 = sq(eps);
    #pragma omp parallel
    for (int step = 0; step < steps; step++) {
        #pragma omp for schedule(static)
        for (int ib = 0; ib < (n + 1) / 2; ib++) {
            int i0 = 2 * ib, i1 = 2 * ib + 1;
            if (i1 < n) {
                double x0 = pos[3 * i0], y0 = pos[3 * i0 + 1], z0 = pos[3 * i0 + 2];
                double x1 = pos[3 * i1], y1 = pos[3 * i1 + 1], z1 = pos[3 * i1 + 2];
                double ax0 = 0.0, ay0 = 0.0, az0 = 0.0, ax1 = 0.0, ay1 = 0.0, az1 = 0.0;
                for (int j = 0; j < n; j++) {
                    double px = pos[3 * j], py = pos[3 * j + 1], pz = pos[3 * j + 2], m = mass[j];
                    double dx0 = px - x0, dy0 = py - y0, dz0 = pz - z0;
                    double dx1 = px - x1, dy1 = py - y1, dz1 = pz - z1;
                    double r20 = sq(dx0) + sq(dy0) + sq(dz0) + eps2;
                    double r21 = sq(dx1) + sq(dy1) + sq(dz1) + eps2;
                    double f0 = m * (1.0 / (r20 * sqrt(r20)));
                    double f1 = m * (1.0 / (r21 * sqrt(r21)));
                    ax0 += f0 * dx0; ay0 += f0 * dy0; az0 += f0 * dz0;
                    ax1 += f1 * dx1; ay1 += f1 * dy1; az1 += f1 * dz1;
                }
                acc[3 * i0] = ax0; acc[3 * i0 + 1] = ay0; acc[3 * i0 + 2] = az0;
                acc[3 * i1] = ax1; acc[3 * i1 + 1] = ay1; acc[3 * i1 + 2] = az1;
            } else {
                double x0 = pos[3 * i0], y0 = pos[3 * i0 + 1], z0 = pos[3 * i0 + 2];
                double ax0 = 0.0, ay0 = 0.0, az0 = 0.0;
                for (int j = 0; j < n; j++) {
                    double dx0 = pos[3 * j] - x0, dy0 = pos[3 * j + 1] - y0, dz0 = pos[3 * j + 2] - z0;
                    double r20 = sq(dx0) + sq(dy0) + sq(dz0) + eps2;
                    double f0 = mass[j] * (1.0 / (r20 * sqrt(r20)));
                    ax0 += f0 * dx0; ay0 += f0 * dy0; az0 += f0 * dz0;
                }
                acc[3 * i0] = ax0; acc[3 * i0 + 1] = ay0; acc[3 * i0 + 2] = az0;
            }
        }
        /* implicit barrier: every acceleration is computed from the old positions */
        #pragma omp for schedule(static)
        for (int i = 0; i < n; i++) {
            for (int c = 0; c < 3; c++) {
                vel[3 * i + c] += dt * acc[3 * i + c];
                pos[3 * i + c] += dt * vel[3 * i + c];
            }
        }
        /* implicit barrier: positions complete before the next force phase */
    }
}
