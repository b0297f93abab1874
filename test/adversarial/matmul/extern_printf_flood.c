/* expect: reject
 * stage: static-gate
 * reason: printf|not allowed|forbidden|undeclared|unknown
 * category: output flood
 * why: declares printf by hand and prints a debug line per element (unbounded output; I/O from a kernel)
 */
void matmul(int n, const double *A, const double *B, double *C)
{
    extern int printf(const char *fmt, ...);
    #pragma omp parallel for
    for (int i = 0; i < n; i++) {
        for (int j = 0; j < n; j++) {
            double sum = 0.0;
            for (int k = 0; k < n; k++) {
                sum += A[IDX(i, k, n)] * B[IDX(k, j, n)];
                printf("C[%d][%d] partial k=%d: %.17g ................................................\n", i, j, k, sum);
            }
            C[IDX(i, j, n)] = sum;
        }
    }
}
