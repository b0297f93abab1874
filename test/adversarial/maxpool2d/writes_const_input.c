/* expect: reject
 * stage: differential|sanitize-memory
 * reason: input|modified|expected .* got|\bdiffers?\b|mismatch
 * category: out of bounds
 * why: casts away const and pools in place (row maxima written back into in[]) to "save memory"
 */
void maxpool2d(int c, int h, int w, int k, int s, const double *in, double *out)
{
    int oh = (h - k) / s + 1;
    int ow = (w - k) / s + 1;
    double *scratch = (double *)in;
    #pragma omp parallel for
    for (int ch = 0; ch < c; ch++) {
        /* pass 1: horizontal max over kx, in place */
        for (int y = 0; y < h; y++)
            for (int ox = 0; ox < ow; ox++) {
                double m = -DBL_MAX;
                for (int kx = 0; kx < k; kx++)
                    m = max2(m, scratch[(ch * h + y) * w + ox * s + kx]);
                scratch[(ch * h + y) * w + ox] = m;
            }
        /* pass 2: vertical max over ky */
        for (int oy = 0; oy < oh; oy++)
            for (int ox = 0; ox < ow; ox++) {
                double m = -DBL_MAX;
                for (int ky = 0; ky < k; ky++)
                    m = max2(m, scratch[(ch * h + oy * s + ky) * w + ox]);
                out[(ch * oh + oy) * ow + ox] = m;
            }
    }
}
