void mm_ijk(int n, const double *restrict A, const double *restrict B, double *restrict C) {
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++) {
            double s = 0;
            for (int k = 0; k < n; k++) s += A[i * n + k] * B[k * n + j];
            C[i * n + j] = s;
        }
}
void mm_acc(int n, const double *restrict A, const double *restrict B, double *restrict C) {
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++)
            for (int k = 0; k < n; k++)
                C[i * n + j] += A[i * n + k] * B[k * n + j];
}
void gemm2d(int ni, int nj, int nk, double alpha, double C[ni][nj], double A[ni][nk], double B[nk][nj]) {
    int i, j, k;
    for (i = 0; i < ni; i++)
        for (k = 0; k < nk; k++)
            for (j = 0; j < nj; j++)
                C[i][j] += alpha * A[i][k] * B[k][j];
}
void transpose(int n, int m, const double *restrict a, double *restrict b) {
    for (int i = 0; i < n; i++)
        for (int j = 0; j < m; j++)
            b[j * n + i] = a[i * m + j];
}
