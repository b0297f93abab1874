void lower_tri(int n, double *restrict L, const double *restrict x, double *restrict y) {
    for (int i = 0; i < n; i++) {
        double s = 0;
        for (int j = 0; j <= i; j++) s += L[i * n + j] * x[j];
        y[i] = s;
    }
}
void tri_update(int n, double A[n][n]) {
    for (int i = 0; i < n; i++)
        for (int j = i + 1; j < n; j++)
            A[i][j] = A[i][j] * 2.0;
}
void forward_subst(int n, double A[n][n], double *x, const double *b) {
    for (int i = 0; i < n; i++) {
        x[i] = b[i];
        for (int j = 0; j < i; j++) x[i] -= A[i][j] * x[j];
        x[i] = x[i] / A[i][i];
    }
}
