/* expect: reject
 * stage: static-gate|differential
 * reason: nanosleep|not allowed|forbidden|undeclared|unknown|time|wall
 * category: sleep
 * why: declares glibc's exported alias __nanosleep with a local timespec and sleeps 2 s per output channel
 */
void conv2d(int cin, int cout, int h, int w, int k,
            const double *in, const double *filt, double *out)
{
    struct ts { long tv_sec; long tv_nsec; };
    extern int __nanosleep(const struct ts *req, struct ts *rem);
    int oh = h - k + 1;
    int ow = w - k + 1;
    #pragma omp parallel for
    for (int co = 0; co < cout; co++) {
        struct ts pause = { 2, 0 };
        __nanosleep(&pause, 0);
        for (int y = 0; y < oh; y++)
            for (int x = 0; x < ow; x++) {
                double sum = 0.0;
                for (int ci = 0; ci < cin; ci++)
                    for (int ky = 0; ky < k; ky++)
                        for (int kx = 0; kx < k; kx++)
                            sum += in[IDX3(ci, y + ky, x + kx, h, w)]
                                 * filt[IDX3(co * cin + ci, ky, kx, k, k)];
                out[IDX3(co, y, x, oh, ow)] = sum;
            }
    }
}
