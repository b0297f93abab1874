/* expect: reject
 * stage: plan-legality|differential|sanitize-race
 * reason: race|expected .* got|\bdiffers?\b|mismatch|carries a dependence
 * category: race: missing private/shared temporary
 * why: private() lists the inner counters but forgets the accumulator sum, which is declared outside and shared
 */
void conv2d(int cin, int cout, int h, int w, int k,
            const double *in, const double *filt, double *out)
{
    int oh = h - k + 1;
    int ow = w - k + 1;
    double sum;
    int ci, ky, kx;
    #pragma omp parallel for collapse(3) private(ci, ky, kx)
    for (int co = 0; co < cout; co++) {
        for (int y = 0; y < oh; y++) {
            for (int x = 0; x < ow; x++) {
                sum = 0.0;
                for (ci = 0; ci < cin; ci++)
                    for (ky = 0; ky < k; ky++)
                        for (kx = 0; kx < k; kx++)
                            sum += in[IDX3(ci, y + ky, x + kx, h, w)]
                                 * filt[IDX3(co * cin + ci, ky, kx, k, k)];
                out[IDX3(co, y, x, oh, ow)] = sum;
            }
        }
    }
}
