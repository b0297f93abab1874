/* expect: reject
 * stage: plan-legality|differential|sanitize-race
 * reason: race|expected .* got|\bdiffers?\b|mismatch|carries a dependence
 * category: race: missing private/shared temporary
 * why: the score row is hoisted out of the loop "to avoid re-allocating the VLA", which makes it shared by all threads
 */
void attention(int seq, int d, const double *Q, const double *K, const double *V, double *O)
{
    double scale = 1.0 / sqrt((double)d);
    double s[seq];
    #pragma omp parallel for
    for (int i = 0; i < seq; i++) {
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
