/* expect: reject
 * stage: plan-legality|differential|sanitize-race
 * reason: race|expected .* got|\bdiffers?\b|mismatch|carries a dependence
 * category: race: dependence violated
 * why: parallel bit reversal swaps when j != i, so every pair is swapped twice (and by two threads)
 */
void fft1d(int logn, int batch, double *re, double *im)
{
    int n = 1 << logn;
    for (int b = 0; b < batch; b++) {
        double *xr = re + (size_t)b * n;
        double *xi = im + (size_t)b * n;
        #pragma omp parallel for
        for (int i = 0; i < n; i++) {
            int j = (int)bit_reverse((unsigned)i, logn);
            if (j != i) {
                double tr = xr[i], ti = xi[i];
                xr[i] = xr[j]; xi[i] = xi[j];
                xr[j] = tr;    xi[j] = ti;
            }
        }
        for (int len = 2; len <= n; len <<= 1) {
            int half = len >> 1;
            #pragma omp parallel for
            for (int k = 0; k < half; k++) {
                double ang = -TWO_PI * k / len;
                double wr = cos(ang), wi = sin(ang);
                for (int s = 0; s < n; s += len) {
                    int p = s + k, q = s + k + half;
                    double tr = wr * xr[q] - wi * xi[q];
                    double ti = wr * xi[q] + wi * xr[q];
                    xr[q] = xr[p] - tr;
                    xi[q] = xi[p] - ti;
                    xr[p] = xr[p] + tr;
                    xi[p] = xi[p] + ti;
                }
            }
        }
    }
}
