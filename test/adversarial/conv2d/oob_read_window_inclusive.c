/* expect: reject
 * stage: differential|sanitize-memory
 * reason: past the end|before (its|the) start|expected .* got|\bdiffers?\b|mismatch|overflow|out of bounds|guard|SIGSEGV|segmentation|code 139
 * category: out of bounds
 * why: window loops use <= k, reading one row/column past the window and past the end of in[] for the last rows
 */
void conv2d(int cin, int cout, int h, int w, int k,
            const double *in, const double *filt, double *out)
{
    int oh = h - k + 1;
    int ow = w - k + 1;
    #pragma omp parallel for collapse(3) schedule(static)
    for (int co = 0; co < cout; co++) {
        for (int y = 0; y < oh; y++) {
            for (int x = 0; x < ow; x++) {
                double sum = 0.0;
                for (int ci = 0; ci < cin; ci++)
                    for (int ky = 0; ky <= k - 1 + (y == oh - 1); ky++)
                        for (int kx = 0; kx < k; kx++)
                            sum += in[IDX3(ci, y + ky, x + kx, h, w)]
                                 * filt[IDX3(co * cin + ci, ky, kx, k, k)];
                out[IDX3(co, y, x, oh, ow)] = sum;
            }
        }
    }
}
