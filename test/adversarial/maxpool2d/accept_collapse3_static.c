/* expect: accept
 * category: correct
 * why: ch, oy, ox are independent; collapse(3) static; the window max is a private scalar using the file's max2 helper
 */
void maxpool2d(int c, int h, int w, int k, int s, const double *in, double *out)
{
    int oh = (h - k) / s + 1;
    int ow = (w - k) / s + 1;
    #pragma omp parallel for collapse(3) schedule(static)
    for (int ch = 0; ch < c; ch++)
        for (int oy = 0; oy < oh; oy++)
            for (int ox = 0; ox < ow; ox++) {
                double m = -DBL_MAX;
                for (int ky = 0; ky < k; ky++)
                    for (int kx = 0; kx < k; kx++)
                        m = max2(m, in[(ch * h + oy * s + ky) * w + ox * s + kx]);
                out[(ch * oh + oy) * ow + ox] = m;
            }
}
