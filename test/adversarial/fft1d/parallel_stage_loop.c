/* expect: reject
 * stage: plan-legality|differential|sanitize-race
 * reason: race|expected .* got|\bdiffers?\b|mismatch|carries a dependence
 * category: race: dependence violated
 * why: rewrites the stage loop in canonical form and parallelizes it, but stages depend on each other
 */
void fft1d(int logn, int batch, double *re, double *im)
{
    int n = 1 << logn;
    for (int b = 0; b < batch; b++) {
        double *xr = re + (size_t)b * n;
        double *xi = im + (size_t)b * n;
        for (int i = 0; i < n; i++) {
            int j = (int)bit_reverse((unsigned)i, logn);
            if (j > i) {
                double tr = xr[i], ti = xi[i];
                xr[i] = xr[j]; xi[i] = xi[j];
                xr[j] = tr;    xi[j] = ti;
            }
        }
        #pragma omp parallel for schedule(static, 1)
        for (int st = 1; st <= logn; st++) {
            int len = 1 << st;
            int half = len >> 1;
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
