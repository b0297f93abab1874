/* expect: accept
 * category: correct
 * why: collapse(2) over (co, y) rows with restrict pointers and hoisted row bases; same summation order per output
 */
#include <stddef.h>

void conv2d(int cin, int cout, int h, int w, int k,
            const double *restrict in, const double *restrict filt, double *restrict out)
{
    const int oh = h - k + 1;
    const int ow = w - k + 1;
    #pragma omp parallel for collapse(2) schedule(static)
    for (int co = 0; co < cout; co++) {
        for (int y = 0; y < oh; y++) {
            double *restrict orow = out + ((size_t)co * oh + y) * ow;
            for (int x = 0; x < ow; x++) {
                double sum = 0.0;
                for (int ci = 0; ci < cin; ci++) {
                    const double *f = filt + ((size_t)co * cin + ci) * k * k;
                    for (int ky = 0; ky < k; ky++) {
                        const double *irow = in + ((size_t)ci * h + y + ky) * w + x;
                        for (int kx = 0; kx < k; kx++)
                            sum += irow[kx] * f[ky * k + kx];
                    }
                }
                orow[x] = sum;
            }
        }
    }
}
