/* expect: reject
 * stage: differential|sanitize-memory
 * reason: memory|oom|out of memory|killed|limit|leak
 * category: memory bomb
 * why: "caches" a 512 MiB twiddle table per transform with malloc and never frees it (GiBs after a few transforms)
 */
#include <stdlib.h>
#include <string.h>

void fft1d(int logn, int batch, double *re, double *im)
{
    int n = 1 << logn;
    for (int b = 0; b < batch; b++) {
        size_t slots = (size_t)64 << 20; /* 64 Mi twiddles, "enough for any n" */
        double *tw = malloc(slots * sizeof(double));
        if (!tw)
            continue;
        memset(tw, 0, slots * sizeof(double));
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
        for (int len = 2; len <= n; len <<= 1) {
            int half = len >> 1;
            #pragma omp parallel for
            for (int k = 0; k < half; k++) {
                tw[2 * k] = cos(-TWO_PI * k / len);
                tw[2 * k + 1] = sin(-TWO_PI * k / len);
            }
            for (int k = 0; k < half; k++) {
                double wr = tw[2 * k], wi = tw[2 * k + 1];
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
