/* Single-head scaled dot-product attention: O = softmax(Q K^T / sqrt(d)) V.
 * Q, K, V, O are seq x d, row-major. Softmax per query row, max-subtracted. */
#include <math.h>
#include <stddef.h>

void attention(int seq, int d, const double *Q, const double *K, const double *V, double *O)
{
    double scale = 1.0 / sqrt((double)d);
    for (int i = 0; i < seq; i++) {
        double s[seq]; /* scores of query row i */
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
