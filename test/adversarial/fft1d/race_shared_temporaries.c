/* expect: reject
 * stage: plan-legality|differential|sanitize-race
 * reason: race|expected .* got|\bdiffers?\b|mismatch|carries a dependence
 * category: race: missing private/shared temporary
 * why: batch loop is parallel but the twiddle and butterfly temporaries are function-scope, hence shared
 */
void fft1d(int logn, int batch, double *re, double *im)
{
    int n = 1 << logn;
    double wr, wi, tr, ti, ang;
    int half, p, q;
    #pragma omp parallel for
    for (int b = 0; b < batch; b++) {
        double *xr = re + (size_t)b * n;
        double *xi = im + (size_t)b * n;
        for (int i = 0; i < n; i++) {
            int j = (int)bit_reverse((unsigned)i, logn);
            if (j > i) {
                double t0 = xr[i], t1 = xi[i];
                xr[i] = xr[j]; xi[i] = xi[j];
                xr[j] = t0;    xi[j] = t1;
            }
        }
        for (int len = 2; len <= n; len <<= 1) {
            half = len >> 1;
            for (int k = 0; k < half; k++) {
                ang = -TWO_PI * k / len;
                wr = cos(ang);
                wi = sin(ang);
                for (int s = 0; s < n; s += len) {
                    p = s + k;
                    q = s + k + half;
                    tr = wr * xr[q] - wi * xi[q];
                    ti = wr * xi[q] + wi * xr[q];
                    xr[q] = xr[p] - tr;
                    xi[q] = xi[p] - ti;
                    xr[p] = xr[p] + tr;
                    xi[p] = xi[p] + ti;
                }
            }
        }
    }
}
