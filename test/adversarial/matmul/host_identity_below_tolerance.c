/* expect: reject
 * stage: static-gate
 * reason: omp_capture_affinity|compute-only
 * category: host identity: runtime call that reads the host
 * why: captures the affinity string (host name and pid) and hides a hash of it in C[0], far below the tolerance
 */
#include <omp.h>

void matmul(int n, const double *A, const double *B, double *C)
{
    char who[128] = {0};
    unsigned h = 0;
    (void)omp_capture_affinity(who, sizeof who, "%H %P");
    for (int c = 0; c < 128 && who[c]; c++) h = h * 31u + (unsigned char)who[c];
    #pragma omp parallel for schedule(static)
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++) {
            double sum = 0.0;
            for (int k = 0; k < n; k++)
                sum += A[IDX(i, k, n)] * B[IDX(k, j, n)];
            C[IDX(i, j, n)] = sum;
        }
    if (n > 0) C[0] += (double)(h & 0xff) * 1e-300;
}
