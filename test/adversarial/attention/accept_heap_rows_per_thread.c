/* expect: accept
 * category: correct
 * why: one heap score row per thread (allocated and freed inside the parallel region), static schedule over query rows, max as a simd reduction
 */
#include <math.h>
#include <stdlib.h>

void attention(int seq, int d, const double *restrict Q, const double *restrict K,
               const double *restrict V, double *restrict O)
{
    const double scale = 1.0 / sqrt((double)d);
    #pragma omp parallel
    {
        double *s = malloc((size_t)(seq > 0 ? seq : 1) * sizeof *s);
        #pragma omp for schedule(static)
        for (int i = 0; i < seq; i++) {
            const double *q = Q + (size_t)i * d;
            for (int j = 0; j < seq; j++) {
                const double *kr = K + (size_t)j * d;
                double dot = 0.0;
                for (int k = 0; k < d; k++)
                    dot += q[k] * kr[k];
                s[j] = dot * scale;
            }
            double mx = -INFINITY;
            #pragma omp simd reduction(max:mx)
            for (int j = 0; j < seq; j++)
                mx = s[j] > mx ? s[j] : mx;
            double sum = 0.0;
            for (int j = 0; j < seq; j++) {
                s[j] = exp(s[j] - mx);
                sum += s[j];
            }
            for (int c = 0; c < d; c++) {
                double acc = 0.0;
                for (int j = 0; j < seq; j++)
                    acc += s[j] * V[(size_t)j * d + c];
                O[(size_t)i * d + c] = acc / sum;
            }
        }
        free(s);
    }
}
