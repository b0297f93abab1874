void temp_private(int n, double *restrict a, const double *restrict b) {
    double t;
    for (int i = 0; i < n; i++) {
        t = b[i] * 2.0;
        a[i] = t + 1.0;
    }
}
double temp_last(int n, double *restrict a, const double *restrict b) {
    double t = 0;
    for (int i = 0; i < n; i++) {
        t = b[i] * 2.0;
        a[i] = t;
    }
    return t;
}
void temp_carried(int n, double *restrict a, const double *restrict b) {
    double t = 0;
    for (int i = 0; i < n; i++) {
        a[i] = t;
        t = b[i];
    }
}
void outer_index(int n, int m, double *restrict a) {
    int i, j;
    for (i = 0; i < n; i++)
        for (j = 0; j < m; j++)
            a[i * m + j] = i + j;
}
void cond_assign(int n, double *restrict a, const double *restrict b) {
    double t = 0;
    for (int i = 0; i < n; i++) {
        if (b[i] > 0) t = b[i];
        a[i] = t;
    }
}
