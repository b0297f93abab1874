/* Expert OpenMP maxpool2d: (channel, output row) pairs distributed over threads. For
 * each output row the window is walked ky, kx outermost and the ox loop innermost, so
 * the max is taken over a whole row of outputs at once (vectorizable). max is exact
 * and the comparison sequence per output is the serial one: identical results. */
#include <float.h>
#include <stddef.h>

static inline double max2(double a, double b)
{
    return a > b ? a : b;
}

void maxpool2d(int c, int h, int w, int k, int s, const double *restrict in,
               double *restrict out)
{
    int oh = (h - k) / s + 1;
    int ow = (w - k) / s + 1;
    #pragma omp parallel for collapse(2) schedule(static)
    for (int ch = 0; ch < c; ch++) {
        for (int oy = 0; oy < oh; oy++) {
            double *restrict o = out + ((size_t)ch * oh + oy) * ow;
            for (int ox = 0; ox < ow; ox++)
                o[ox] = -DBL_MAX;
            for (int ky = 0; ky < k; ky++) {
                const double *restrict row = in + ((size_t)ch * h + (size_t)oy * s + ky) * w;
                for (int kx = 0; kx < k; kx++) {
                    const double *restrict r = row + kx;
                    if (s == 1) {
                        #pragma omp simd
                        for (int ox = 0; ox < ow; ox++)
                            o[ox] = max2(o[ox], r[ox]);
                    } else {
                        #pragma omp simd
                        for (int ox = 0; ox < ow; ox++)
                            o[ox] = max2(o[ox], r[(size_t)ox * s]);
                    }
                }
            }
        }
    }
}
