/* 2D max pooling per channel: in is c x h x w, window k x k, stride s,
 * out is c x oh x ow with oh = (h-k)/s + 1, ow = (w-k)/s + 1 (windows fully inside). */
#include <float.h>
#include <stddef.h>

static inline double max2(double a, double b)
{
    return a > b ? a : b;
}

void maxpool2d(int c, int h, int w, int k, int s, const double *in, double *out)
{
    int oh = (h - k) / s + 1;
    int ow = (w - k) / s + 1;
    for (int ch = 0; ch < c; ch++) {
        for (int oy = 0; oy < oh; oy++) {
            for (int ox = 0; ox < ow; ox++) {
                double m = -DBL_MAX;
                for (int ky = 0; ky < k; ky++) {
                    for (int kx = 0; kx < k; kx++) {
                        int y = oy * s + ky;
                        int x = ox * s + kx;
                        m = max2(m, in[(ch * h + y) * w + x]);
                    }
                }
                out[(ch * oh + oy) * ow + ox] = m;
            }
        }
    }
}
