/* expect: reject
 * stage: differential|sanitize-memory
 * reason: expected .* got|\bdiffers?\b|mismatch|uninit|nan
 * category: uninitialised read
 * why: partial sums per thread are combined over omp_get_max_threads() slots, but the region is serialized by if(seq > 32): unset stack slots are read for small sizes with 2+ threads
 */
#include <omp.h>

void attention(int seq, int d, const double *Q, const double *K, const double *V, double *O)
{
    double scale = 1.0 / sqrt((double)d);
    const int nt = omp_get_max_threads();
    for (int i = 0; i < seq; i++) {
        double s[seq];
        double mx = -INFINITY;
        for (int j = 0; j < seq; j++) {
            double dot = 0.0;
            for (int k = 0; k < d; k++)
                dot += Q[i * d + k] * K[j * d + k];
            s[j] = dot * scale;
            if (s[j] > mx)
                mx = s[j];
        }
        double part[nt];
        #pragma omp parallel if (seq > 32)
        {
            double p = 0.0;
            #pragma omp for
            for (int j = 0; j < seq; j++) {
                s[j] = exp(s[j] - mx);
                p += s[j];
            }
            part[omp_get_thread_num()] = p;
        }
        double sum = 0.0;
        for (int t = 0; t < nt; t++)
            sum += part[t];
        #pragma omp parallel for if (d > 8)
        for (int c = 0; c < d; c++) {
            double acc = 0.0;
            for (int j = 0; j < seq; j++)
                acc += s[j] * V[j * d + c];
            O[i * d + c] = acc / sum;
        }
    }
}
