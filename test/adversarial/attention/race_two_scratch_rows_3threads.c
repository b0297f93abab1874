/* expect: reject
 * stage: plan-legality|differential|sanitize-race
 * reason: race|expected .* got|\bdiffers?\b|mismatch|carries a dependence
 * category: race: only with 3+ threads/some sizes
 * why: two scratch rows picked by thread parity; correct with 1 or 2 threads, threads 0 and 2 share a row with 3+ threads
 */
#include <omp.h>

void attention(int seq, int d, const double *Q, const double *K, const double *V, double *O)
{
    double scale = 1.0 / sqrt((double)d);
    double rows[2][seq > 0 ? seq : 1]; /* double-buffered score rows */
    #pragma omp parallel for schedule(static)
    for (int i = 0; i < seq; i++) {
        double *s = rows[omp_get_thread_num() & 1];
        double mx = -INFINITY;
        for (int j = 0; j < seq; j++) {
            double dot = 0.0;
            for (int k = 0; k < d; k++)
                dot += Q[i * d + k] * K[j * d + k];
            s[j] = dot * scale;
            if (s[j] > mx)
                mx = s[j];
        }
        double sum = 0.0;
        for (int j = 0; j < seq; j++) {
            s[j] = exp(s[j] - mx);
            sum += s[j];
        }
        for (int c = 0; c < d; c++) {
            double acc = 0.0;
            for (int j = 0; j < seq; j++)
                acc += s[j] * V[j * d + c];
            O[i * d + c] = acc / sum;
        }
    }
}
