/* expect: reject
 * stage: plan-legality|differential|sanitize-race
 * reason: race|expected .* got|\bdiffers?\b|mismatch|carries a dependence
 * category: race: collapse over dependent loop
 * why: initialises out to -DBL_MAX and collapses all five loops, so the window loops race on out[...] = max2(out[...], ...)
 */
void maxpool2d(int c, int h, int w, int k, int s, const double *in, double *out)
{
    int oh = (h - k) / s + 1;
    int ow = (w - k) / s + 1;
    #pragma omp parallel for
    for (int i = 0; i < c * oh * ow; i++)
        out[i] = -DBL_MAX;
    #pragma omp parallel for collapse(5) schedule(static)
    for (int ch = 0; ch < c; ch++)
        for (int oy = 0; oy < oh; oy++)
            for (int ox = 0; ox < ow; ox++)
                for (int ky = 0; ky < k; ky++)
                    for (int kx = 0; kx < k; kx++) {
                        double *o = &out[(ch * oh + oy) * ow + ox];
                        *o = max2(*o, in[(ch * h + oy * s + ky) * w + ox * s + kx]);
                    }
}
