/* Expert OpenMP fft1d. With several transforms the batch loop is distributed
 * (each transform is independent and stays in one thread's cache). With a single
 * large transform, each stage's butterflies are shared among the threads instead
 * (every butterfly of a stage touches a distinct pair of elements). The twiddle and
 * butterfly arithmetic is the serial one, so results are bitwise identical. */
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

static void fft_one(int logn, double *restrict xr, double *restrict xi)
{
    int n = 1 << logn;
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

/* One transform, butterflies of each stage shared by the team. */
static void fft_one_par(int logn, double *restrict xr, double *restrict xi)
{
    int n = 1 << logn;
    #pragma omp parallel
    {
        #pragma omp for schedule(static)
        for (int i = 0; i < n; i++) {
            int j = (int)bit_reverse((unsigned)i, logn);
            if (j > i) { /* each pair (i, j) is swapped by exactly one iteration */
                double tr = xr[i], ti = xi[i];
                xr[i] = xr[j]; xi[i] = xi[j];
                xr[j] = tr;    xi[j] = ti;
            }
        }
        for (int len = 2; len <= n; len <<= 1) {
            int half = len >> 1;
            if (half >= 64) {
                #pragma omp for schedule(static)
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
            } else {
                #pragma omp for schedule(static)
                for (int s = 0; s < n; s += len) {
                    for (int k = 0; k < half; k++) {
                        double ang = -TWO_PI * k / len;
                        double wr = cos(ang), wi = sin(ang);
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
}

void fft1d(int logn, int batch, double *restrict re, double *restrict im)
{
    int n = 1 << logn;
    if (batch == 1 && logn >= 12) {
        fft_one_par(logn, re, im);
        return;
    }
    #pragma omp parallel for schedule(static)
    for (int b = 0; b < batch; b++)
        fft_one(logn, re + (size_t)b * n, im + (size_t)b * n);
}
