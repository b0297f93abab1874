/* expect: reject
 * stage: plan-legality|sanitize-race
 * reason: race|carries a dependence
 * category: race: collapse over dependent loop
 * why: collapse(2) over reps and rows: different threads write the same y[i] (same value) in different reps; results match, only a race detector sees it
 */
void spmv(int n, const int *rowptr, const int *cols, const double *vals, const double *x,
          int reps, double *y)
{
    #pragma omp parallel for collapse(2) schedule(static, 1)
    for (int r = 0; r < reps; r++) {
        for (int i = 0; i < n; i++) {
            double sum = 0.0;
            for (int e = rowptr[i]; e < rowptr[i + 1]; e++)
                sum += vals[e] * x[cols[e]];
            y[i] = sum;
        }
    }
}
