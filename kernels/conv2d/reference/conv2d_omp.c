/* Expert OpenMP conv2d: (co, y) output rows distributed over threads; the x loop is
 * moved innermost and accumulates a whole output row, so it streams contiguous input
 * and vectorizes. Each output element still receives its terms in (ci, ky, kx) order,
 * so results are bitwise identical to the serial kernel. */
#include <stddef.h>

#define IDX3(a, b, c, nb, nc) (((a) * (nb) + (b)) * (nc) + (c))

void conv2d(int cin, int cout, int h, int w, int k,
            const double *restrict in, const double *restrict filt, double *restrict out)
{
    int oh = h - k + 1;
    int ow = w - k + 1;
    #pragma omp parallel for collapse(2) schedule(static)
    for (int co = 0; co < cout; co++) {
        for (int y = 0; y < oh; y++) {
            double *restrict o = &out[IDX3(co, y, 0, oh, ow)];
            for (int x = 0; x < ow; x++)
                o[x] = 0.0;
            for (int ci = 0; ci < cin; ci++) {
                for (int ky = 0; ky < k; ky++) {
                    const double *restrict row = &in[IDX3(ci, y + ky, 0, h, w)];
                    const double *restrict f = &filt[IDX3(co * cin + ci, ky, 0, k, k)];
                    for (int kx = 0; kx < k; kx++) {
                        const double fv = f[kx];
                        const double *restrict r = row + kx;
                        #pragma omp simd
                        for (int x = 0; x < ow; x++)
                            o[x] += r[x] * fv;
                    }
                }
            }
        }
    }
}
