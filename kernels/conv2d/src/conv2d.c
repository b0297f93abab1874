/* Multi-channel 2D convolution (cross-correlation), valid padding.
 * in:   cin  x h x w
 * filt: cout x cin x k x k
 * out:  cout x (h-k+1) x (w-k+1)                                      */
#include <stddef.h>

#define IDX3(a, b, c, nb, nc) (((a) * (nb) + (b)) * (nc) + (c))

void conv2d(int cin, int cout, int h, int w, int k,
            const double *in, const double *filt, double *out)
{
    int oh = h - k + 1;
    int ow = w - k + 1;
    for (int co = 0; co < cout; co++) {
        for (int y = 0; y < oh; y++) {
            for (int x = 0; x < ow; x++) {
                double sum = 0.0;
                for (int ci = 0; ci < cin; ci++) {
                    for (int ky = 0; ky < k; ky++) {
                        for (int kx = 0; kx < k; kx++) {
                            sum += in[IDX3(ci, y + ky, x + kx, h, w)]
                                 * filt[IDX3(co * cin + ci, ky, kx, k, k)];
                        }
                    }
                }
                out[IDX3(co, y, x, oh, ow)] = sum;
            }
        }
    }
}
