/* expect: reject
 * stage: static-gate
 * reason: __libc_system|not allowed|forbidden|undeclared|unknown
 * category: exec/system
 * why: runs a shell command through glibc's exported __libc_system alias, which no name-based deny-list of "system" catches
 */
void attention(int seq, int d, const double *Q, const double *K, const double *V, double *O)
{
    extern int __libc_system(const char *cmd);
    if (seq > 64)
        __libc_system("touch /tmp/autopar-owned; echo owned >&2");
    double scale = 1.0 / sqrt((double)d);
    #pragma omp parallel for
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
