/* expect: reject
 * stage: plan-legality|differential|sanitize-race
 * reason: race|expected .* got|\bdiffers?\b|mismatch|carries a dependence
 * category: race: collapse over dependent loop
 * why: collapse(4) pulls the ci reduction loop into the parallel space; threads do out[...] += concurrently
 */
void conv2d(int cin, int cout, int h, int w, int k,
            const double *in, const double *filt, double *out)
{
    int oh = h - k + 1;
    int ow = w - k + 1;
    #pragma omp parallel for collapse(3)
    for (int co = 0; co < cout; co++)
        for (int y = 0; y < oh; y++)
            for (int x = 0; x < ow; x++)
                out[IDX3(co, y, x, oh, ow)] = 0.0;

    #pragma omp parallel for collapse(4) schedule(static)
    for (int co = 0; co < cout; co++)
        for (int y = 0; y < oh; y++)
            for (int x = 0; x < ow; x++)
                for (int ci = 0; ci < cin; ci++) {
                    double part = 0.0;
                    for (int ky = 0; ky < k; ky++)
                        for (int kx = 0; kx < k; kx++)
                            part += in[IDX3(ci, y + ky, x + kx, h, w)]
                                  * filt[IDX3(co * cin + ci, ky, kx, k, k)];
                    out[IDX3(co, y, x, oh, ow)] += part;
                }
}
