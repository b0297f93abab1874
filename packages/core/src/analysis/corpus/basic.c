#include <math.h>
void vadd(int n, double *restrict a, const double *restrict b, const double *restrict c) {
    for (int i = 0; i < n; i++) a[i] = b[i] + c[i];
}
void scale_inplace(int n, double *x, double s) {
    for (int i = 0; i < n; ++i) x[i] = s * x[i];
}
void prefix(int n, double *a) {
    for (int i = 1; i < n; i++) a[i] = a[i - 1] + a[i];
}
void skip2(int n, double *a) {
    for (int i = 0; i < n - 2; i++) a[i + 2] = a[i] * 0.5;
}
void shift_read_ahead(int n, double *restrict a, const double *restrict b) {
    for (int i = 0; i < n - 1; i++) a[i] = a[i + 1] + b[i];
}
void even_odd(int n, double *a) {
    for (int i = 0; i < n; i++) a[2 * i] = a[2 * i + 1] * 2.0;
}
void downward(int n, double *restrict a, const double *restrict b) {
    for (int i = n - 1; i >= 0; i--) a[i] = b[i] + 1.0;
}
void stepped(int n, double *a) {
    for (int i = 0; i < n; i += 2) a[i] = a[i + 1];
}
void same_cell(int n, double *a, const double *b) {
    for (int i = 0; i < n; i++) a[0] = b[i];
}
