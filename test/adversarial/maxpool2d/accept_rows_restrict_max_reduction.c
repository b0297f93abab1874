/* expect: accept
 * category: correct
 * why: rows (ch, oy) in parallel with restrict; the window max uses an OpenMP simd max reduction (exact, order-insensitive)
 */
#include <float.h>
#include <stddef.h>

void maxpool2d(int c, int h, int w, int k, int s, const double *restrict in, double *restrict out)
{
    const int oh = (h - k) / s + 1;
    const int ow = (w - k) / s + 1;
    #pragma omp parallel for collapse(2) schedule(guided)
    for (int ch = 0; ch < c; ch++) {
        for (int oy = 0; oy < oh; oy++) {
            const double *base = in + ((size_t)ch * h + (size_t)oy * s) * w;
            double *orow = out + ((size_t)ch * oh + oy) * ow;
            for (int ox = 0; ox < ow; ox++) {
                double m = -DBL_MAX;
                for (int ky = 0; ky < k; ky++) {
                    const double *r = base + (size_t)ky * w + (size_t)ox * s;
                    #pragma omp simd reduction(max:m)
                    for (int kx = 0; kx < k; kx++)
                        m = r[kx] > m ? r[kx] : m;
                }
                orow[ox] = m;
            }
        }
    }
}
