#include <math.h>
double sum(int n, const double *x) {
    double s = 0.0;
    for (int i = 0; i < n; i++) s += x[i];
    return s;
}
double product(int n, const double *x) {
    double p = 1.0;
    for (int i = 0; i < n; i++) p = p * x[i];
    return p;
}
double maxval(int n, const double *x) {
    double m = x[0];
    for (int i = 1; i < n; i++) if (x[i] > m) m = x[i];
    return m;
}
double minval(int n, const double *x) {
    double m = x[0];
    for (int i = 1; i < n; i++) m = fmin(m, x[i]);
    return m;
}
double maxternary(int n, const double *x) {
    double m = x[0];
    for (int i = 1; i < n; i++) m = x[i] > m ? x[i] : m;
    return m;
}
double dot_sub(int n, const double *x, const double *y) {
    double s = 0;
    for (int i = 0; i < n; i++) s -= x[i] * y[i];
    return s;
}
double running(int n, const double *x, double *out) {
    double s = 0;
    for (int i = 0; i < n; i++) { s += x[i]; out[i] = s; }
    return s;
}
int argmax(int n, const double *x) {
    int best = 0;
    double m = x[0];
    for (int i = 1; i < n; i++) if (x[i] > m) { m = x[i]; best = i; }
    return best;
}
void rowsum(int n, int m, const double *restrict a, double *restrict r) {
    for (int i = 0; i < n; i++) {
        double s = 0.0;
        for (int j = 0; j < m; j++) s += a[i * m + j];
        r[i] = s;
    }
}
