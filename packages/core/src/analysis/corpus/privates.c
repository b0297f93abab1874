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

/* A block-scope array (here a VLA) declared in the loop body is a new object per iteration. */
void local_row(int n, int m, const double *restrict a, double *restrict out) {
    for (int i = 0; i < n; i++) {
        double s[m];
        for (int j = 0; j < m; j++)
            s[j] = a[i * m + j] * 2.0;
        double t = 0.0;
        for (int j = m - 1; j >= 0; j--)
            t += s[j];
        out[i] = t;
    }
}

/* static: one object shared by every iteration, so the loop carries s. */
void static_row(int n, const double *restrict a, double *restrict out) {
    for (int i = 0; i < n; i++) {
        static double s[8];
        for (int j = 0; j < 8; j++)
            s[j] = s[j] + a[i * 8 + j];
        out[i] = s[0];
    }
}

/* Declared outside the loop: shared by every iteration. */
void outside_row(int n, const double *restrict a, double *restrict out) {
    double s[8];
    for (int i = 0; i < n; i++) {
        for (int j = 0; j < 8; j++)
            s[j] = a[i * 8 + j];
        out[i] = s[7 - (i % 8)];
    }
}

/* Fresh per iteration of i, but j carries s[j - 1] inside it. */
void local_carried(int n, int m, const double *restrict a, double *restrict out) {
    for (int i = 0; i < n; i++) {
        double s[64];
        s[0] = a[i];
        for (int j = 1; j < 64; j++)
            s[j] = s[j - 1] * 0.5 + a[i];
        out[i] = s[63];
    }
}
