/* expect: reject
 * stage: differential
 * reason: expected .* got|\bdiffers?\b|mismatch
 * category: off-by-one/tail
 * why: rows processed in pairs (i, i+1) with bound i < n - 1 and no remainder row: y[n-1] is never written for odd n
 */
void spmv(int n, const int *rowptr, const int *cols, const double *vals, const double *x,
          int reps, double *y)
{
    for (int r = 0; r < reps; r++) {
        #pragma omp parallel for schedule(static)
        for (int i = 0; i < n - 1; i += 2) {
            double s0 = 0.0, s1 = 0.0;
            for (int e = rowptr[i]; e < rowptr[i + 1]; e++)
                s0 += vals[e] * x[cols[e]];
            for (int e = rowptr[i + 1]; e < rowptr[i + 2]; e++)
                s1 += vals[e] * x[cols[e]];
            y[i] = s0;
            y[i + 1] = s1;
        }
    }
}
