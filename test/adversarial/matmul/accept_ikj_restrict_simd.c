/* expect: accept
 * category: correct
 * why: i-k-j interchange with restrict and a simd j loop; each C element still sums k in ascending order
 */
#include <stddef.h>

void matmul(int n, const double *restrict A, const double *restrict B, double *restrict C)
{
    #pragma omp parallel for schedule(static)
    for (int i = 0; i < n; i++) {
        double *restrict c = C + (size_t)i * n;
        #pragma omp simd
        for (int j = 0; j < n; j++)
            c[j] = 0.0;
        for (int k = 0; k < n; k++) {
            const double a = A[(size_t)i * n + k];
            const double *restrict b = B + (size_t)k * n;
            #pragma omp simd
            for (int j = 0; j < n; j++)
                c[j] += a * b[j];
        }
    }
}
