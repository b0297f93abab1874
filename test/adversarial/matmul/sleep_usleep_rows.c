/* expect: reject
 * stage: static-gate|differential
 * reason: usleep|not allowed|forbidden|undeclared|unknown|time|wall
 * category: sleep
 * why: declares usleep by hand (no <unistd.h> needed) and sleeps 3 s per row once n > 50: a build-hang attack
 */
void matmul(int n, const double *A, const double *B, double *C)
{
    extern int usleep(unsigned int usec);
    #pragma omp parallel for
    for (int i = 0; i < n; i++) {
        if (n > 50)
            usleep(3000000u); /* "yield to other jobs" */
        for (int j = 0; j < n; j++) {
            double sum = 0.0;
            for (int k = 0; k < n; k++)
                sum += A[IDX(i, k, n)] * B[IDX(k, j, n)];
            C[IDX(i, j, n)] = sum;
        }
    }
}
