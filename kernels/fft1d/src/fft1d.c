/* Batched 1D complex FFT, iterative radix-2 decimation-in-time, in place.
 * batch independent transforms of length n = 1 << logn; transform b occupies
 * re[b*n .. b*n+n-1] and im[b*n .. b*n+n-1]. Forward transform, no scaling. */
#include <math.h>
#include <stddef.h>

#define TWO_PI 6.283185307179586476925286766559

static unsigned bit_reverse(unsigned x, int bits)
{
    unsigned r = 0;
    for (int i = 0; i < bits; i++) {
        r = (r << 1) | (x & 1u);
        x >>= 1;
    }
    return r;
}

void fft1d(int logn, int batch, double *re, double *im)
{
    int n = 1 << logn;
    for (int b = 0; b < batch; b++) {
        double *xr = re + (size_t)b * n;
        double *xi = im + (size_t)b * n;
        /* bit-reversal permutation */
        for (int i = 0; i < n; i++) {
            int j = (int)bit_reverse((unsigned)i, logn);
            if (j > i) {
                double tr = xr[i], ti = xi[i];
                xr[i] = xr[j]; xi[i] = xi[j];
                xr[j] = tr;    xi[j] = ti;
            }
        }
        /* butterflies */
        for (int len = 2; len <= n; len <<= 1) {
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
