void jacobi(int n, const double *restrict A, double *restrict B) {
    for (int i = 1; i < n - 1; i++)
        for (int j = 1; j < n - 1; j++)
            B[i * n + j] = 0.25 * (A[(i - 1) * n + j] + A[(i + 1) * n + j] + A[i * n + j - 1] + A[i * n + j + 1]);
}
void gauss_seidel(int n, double *A) {
    for (int i = 1; i < n - 1; i++)
        for (int j = 1; j < n - 1; j++)
            A[i * n + j] = 0.25 * (A[(i - 1) * n + j] + A[(i + 1) * n + j] + A[i * n + j - 1] + A[i * n + j + 1]);
}
void seidel2d(int n, double A[n][n]) {
    for (int i = 1; i <= n - 2; i++)
        for (int j = 1; j <= n - 2; j++)
            A[i][j] = (A[i - 1][j] + A[i][j - 1] + A[i][j] + A[i][j + 1] + A[i + 1][j]) / 5.0;
}
void wavefront(int n, double A[n][n]) {
    for (int i = 1; i < n; i++)
        for (int j = 1; j < n; j++)
            A[i][j] = A[i - 1][j] + A[i][j - 1];
}
void column_recurrence(int n, int m, double *A) {
    for (int i = 1; i < n; i++)
        for (int j = 0; j < m; j++)
            A[i * m + j] = A[(i - 1) * m + j] * 0.5;
}
void timeloop(int steps, int n, double *restrict a, double *restrict b) {
    for (int t = 0; t < steps; t++) {
        for (int i = 1; i < n - 1; i++) b[i] = (a[i - 1] + a[i] + a[i + 1]) / 3.0;
        for (int i = 1; i < n - 1; i++) a[i] = b[i];
    }
}
