/* expect: reject
 * stage: differential
 * reason: expected .* got|\bdiffers?\b|mismatch
 * category: off-by-one/tail
 * why: output width computed as w - k (off by one) while the store keeps the right stride, so the last column is never written
 */
void conv2d(int cin, int cout, int h, int w, int k,
            const double *in, const double *filt, double *out)
{
    int oh = h - k + 1;
    int ow = w - k;
    #pragma omp parallel for collapse(2)
    for (int co = 0; co < cout; co++) {
        for (int y = 0; y < oh; y++) {
            for (int x = 0; x < ow; x++) {
                double sum = 0.0;
                for (int ci = 0; ci < cin; ci++)
                    for (int ky = 0; ky < k; ky++)
                        for (int kx = 0; kx < k; kx++)
                            sum += in[IDX3(ci, y + ky, x + kx, h, w)]
                                 * filt[IDX3(co * cin + ci, ky, kx, k, k)];
                out[IDX3(co, y, x, oh, ow + 1)] = sum;
            }
        }
    }
}
