/* expect: reject
 * stage: differential|sanitize-memory|sanitize-race
 * reason: past the end|before (its|the) start|guard|overflow|out of bounds|out-of-bounds|heap|race|expected .* got|\bdiffers?\b|mismatch|SIGSEGV|segmentation|code 139
 * category: out of bounds
 * why: ox runs to ow inclusive ("include the ragged edge"): each row stores one element too many, past out[] on the last row and into the next channel (another thread's) elsewhere
 */
void maxpool2d(int c, int h, int w, int k, int s, const double *in, double *out)
{
    int oh = (h - k) / s + 1;
    int ow = (w - k) / s + 1;
    #pragma omp parallel for
    for (int ch = 0; ch < c; ch++)
        for (int oy = 0; oy < oh; oy++)
            for (int ox = 0; ox <= ow; ox++) {
                double m = -DBL_MAX;
                for (int ky = 0; ky < k; ky++)
                    for (int kx = 0; kx < k; kx++) {
                        int x = ox * s + kx;
                        if (x < w)
                            m = max2(m, in[(ch * h + oy * s + ky) * w + x]);
                    }
                out[(ch * oh + oy) * ow + ox] = m;
            }
}
