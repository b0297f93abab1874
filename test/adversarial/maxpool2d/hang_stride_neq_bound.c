/* expect: reject
 * stage: differential
 * reason: time|timed out|wall|cpu|limit
 * category: infinite loop
 * why: walks window rows with size_t counters and y != h - k + 1 as the loop bound while stepping by s: never terminates when h - k + 1 is not a multiple of s (one test size)
 */
void maxpool2d(int c, int h, int w, int k, int s, const double *in, double *out)
{
    int oh = (h - k) / s + 1;
    int ow = (w - k) / s + 1;
    #pragma omp parallel for
    for (int ch = 0; ch < c; ch++) {
        size_t oy = 0;
        for (size_t y = 0; y != (size_t)(h - k + 1); y += (size_t)s, oy++) {
            if (oy >= (size_t)oh)
                continue;
            for (int ox = 0; ox < ow; ox++) {
                double m = -DBL_MAX;
                for (int ky = 0; ky < k; ky++)
                    for (int kx = 0; kx < k; kx++)
                        m = max2(m, in[(ch * h + y + ky) * w + ox * s + kx]);
                out[(ch * oh + oy) * ow + ox] = m;
            }
        }
    }
}
