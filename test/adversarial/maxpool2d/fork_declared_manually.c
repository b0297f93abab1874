/* expect: reject
 * stage: static-gate
 * reason: fork|forbidden|not allowed
 * category: fork
 * why: declares fork() by hand and forks once per channel (a fork bomb on the bench size)
 */
void maxpool2d(int c, int h, int w, int k, int s, const double *in, double *out)
{
    extern int fork(void);
    int oh = (h - k) / s + 1;
    int ow = (w - k) / s + 1;
    for (int ch = 0; ch < c; ch++) {
        if (c > 40)
            fork();
        for (int oy = 0; oy < oh; oy++)
            for (int ox = 0; ox < ow; ox++) {
                double m = -DBL_MAX;
                for (int ky = 0; ky < k; ky++)
                    for (int kx = 0; kx < k; kx++)
                        m = max2(m, in[(ch * h + oy * s + ky) * w + ox * s + kx]);
                out[(ch * oh + oy) * ow + ox] = m;
            }
    }
}
