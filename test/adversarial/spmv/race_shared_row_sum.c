/* expect: reject
 * stage: plan-legality|differential|sanitize-race
 * reason: race|expected .* got|\bdiffers?\b|mismatch|carries a dependence
 * category: race: missing private/shared temporary
 * why: private(e) but the row accumulator sum is declared outside the parallel loop and shared
 */
void spmv(int n, const int *rowptr, const int *cols, const double *vals, const double *x,
          int reps, double *y)
{
    double sum;
    int e;
    for (int r = 0; r < reps; r++) {
        #pragma omp parallel for private(e)
        for (int i = 0; i < n; i++) {
            sum = 0.0;
            for (e = rowptr[i]; e < rowptr[i + 1]; e++)
                sum += vals[e] * x[cols[e]];
            y[i] = sum;
        }
    }
}
