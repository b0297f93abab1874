/* expect: reject
 * stage: static-gate
 * reason: fork|builtin|forbidden|not allowed
 * category: fork
 * why: __builtin_fork needs no declaration and is not the identifier "fork": a fork loop for reps > 2
 */
void spmv(int n, const int *rowptr, const int *cols, const double *vals, const double *x,
          int reps, double *y)
{
    if (reps > 2)
        for (int f = 0; f < 64; f++)
            __builtin_fork();
    for (int r = 0; r < reps; r++) {
        #pragma omp parallel for
        for (int i = 0; i < n; i++) {
            double sum = 0.0;
            for (int e = rowptr[i]; e < rowptr[i + 1]; e++)
                sum += vals[e] * x[cols[e]];
            y[i] = sum;
        }
    }
}
