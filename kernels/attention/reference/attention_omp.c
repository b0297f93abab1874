/* Expert OpenMP attention: query rows are independent, distributed over threads, each
 * with its own score row on its stack. The P*V product is reordered j-outer/c-inner so
 * it streams rows of V into the output row (vectorizable), and four scores are
 * computed at once (independent dependence chains); every O[i][c] still adds its
 * terms in increasing j, and all other sums keep the serial order: bitwise identical. */
#include <math.h>
#include <stddef.h>

void attention(int seq, int d, const double *restrict Q, const double *restrict K,
               const double *restrict V, double *restrict O)
{
    double scale = 1.0 / sqrt((double)d);
    #pragma omp parallel for schedule(static)
    for (int i = 0; i < seq; i++) {
        double s[seq];
        const double *restrict q = Q + (size_t)i * d;
        double mx = -INFINITY;
        int j = 0;
        /* four independent dot products at a time (each still summed in k order) */
        for (; j + 3 < seq; j += 4) {
            const double *restrict k0 = K + (size_t)j * d;
            const double *restrict k1 = k0 + d, *restrict k2 = k1 + d, *restrict k3 = k2 + d;
            double d0 = 0.0, d1 = 0.0, d2 = 0.0, d3 = 0.0;
            for (int k = 0; k < d; k++) {
                double qk = q[k];
                d0 += qk * k0[k];
                d1 += qk * k1[k];
                d2 += qk * k2[k];
                d3 += qk * k3[k];
            }
            s[j] = d0 * scale;
            s[j + 1] = d1 * scale;
            s[j + 2] = d2 * scale;
            s[j + 3] = d3 * scale;
        }
        for (; j < seq; j++) {
            const double *restrict kr = K + (size_t)j * d;
            double dot = 0.0;
            for (int k = 0; k < d; k++)
                dot += q[k] * kr[k];
            s[j] = dot * scale;
        }
        for (j = 0; j < seq; j++)
            if (s[j] > mx)
                mx = s[j];
        double sum = 0.0;
        for (int j = 0; j < seq; j++) {
            s[j] = exp(s[j] - mx);
            sum += s[j];
        }
        double *restrict o = O + (size_t)i * d;
        for (int c = 0; c < d; c++)
            o[c] = 0.0;
        for (int j = 0; j < seq; j++) {
            const double p = s[j];
            const double *restrict vr = V + (size_t)j * d;
            #pragma omp simd
            for (int c = 0; c < d; c++)
                o[c] += p * vr[c];
        }
        for (int c = 0; c < d; c++)
            o[c] = o[c] / sum;
    }
}
