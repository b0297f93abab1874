#include <stdio.h>
void gather(int n, double *restrict a, const double *restrict b, const int *restrict idx) {
    for (int i = 0; i < n; i++) a[i] = b[idx[i]];
}
void scatter(int n, double *restrict a, const double *restrict b, const int *restrict idx) {
    for (int i = 0; i < n; i++) a[idx[i]] = b[i];
}
void histogram(int n, int *restrict h, const int *restrict key) {
    for (int i = 0; i < n; i++) h[key[i]] += 1;
}
void squares(int n, double *a) {
    for (int i = 0; i < n; i++) a[i * i] = 1.0;
}
void aliasing(int n, double *a, const double *b) {
    for (int i = 0; i < n; i++) a[i] = b[i] + 1.0;
}
void with_print(int n, const double *restrict a) {
    for (int i = 0; i < n; i++) printf("%f\n", a[i]);
}
static double sq(double v) { return v * v; }
static int counter;
static double bump(double v) { counter++; return v; }
void pure_helper(int n, double *restrict a, const double *restrict b) {
    for (int i = 0; i < n; i++) a[i] = sq(b[i]);
}
void impure_helper(int n, double *restrict a, const double *restrict b) {
    for (int i = 0; i < n; i++) a[i] = bump(b[i]);
}
int find_first(int n, const double *a) {
    int k = -1;
    for (int i = 0; i < n; i++) { if (a[i] < 0) { k = i; break; } }
    return k;
}
void csr_spmv(int n, const int *restrict rowptr, const int *restrict col, const double *restrict val, const double *restrict x, double *restrict y) {
    for (int i = 0; i < n; i++) {
        double s = 0;
        for (int e = rowptr[i]; e < rowptr[i + 1]; e++) s += val[e] * x[col[e]];
        y[i] = s;
    }
}
void while_loop(int n, double *a) {
    int i = 0;
    while (i < n) { a[i] = 0; i++; }
}
void row_pointer(int n, int m, double *restrict a) {
    for (int i = 0; i < n; i++) {
        double *row = a + i * m;
        for (int j = 0; j < m; j++) row[j] = row[j] * 2.0;
    }
}
