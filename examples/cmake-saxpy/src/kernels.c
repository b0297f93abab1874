/* Two kernels of a small numerical library: a damped-oscillation transform of a signal
 * (compute-bound, one independent element per iteration) and a dot product. */
#include <math.h>
#include "kernels.h"

void oscillate(int n, int terms, const double *x, double *y)
{
    for (int i = 0; i < n; i++) {
        double acc = 0.0;
        for (int t = 1; t <= terms; t++)
            acc += sin(t * x[i]) * exp(-0.1 * t) / t;
        y[i] = acc;
    }
}

double dot(int n, const double *a, const double *b)
{
    double s = 0.0;
    for (int i = 0; i < n; i++)
        s += a[i] * b[i];
    return s;
}
