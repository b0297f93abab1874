/* Sparse matrix-vector product y = A x, A n x n in CSR (rowptr, cols, vals).
 * Repeated reps times (y is recomputed from scratch each time) for benchmarking. */
#include <stddef.h>

void spmv(int n, const int *rowptr, const int *cols, const double *vals, const double *x,
          int reps, double *y)
{
    for (int r = 0; r < reps; r++) {
        for (int i = 0; i < n; i++) {
            double sum = 0.0;
            for (int e = rowptr[i]; e < rowptr[i + 1]; e++)
                sum += vals[e] * x[cols[e]];
            y[i] = sum;
        }
    }
}
