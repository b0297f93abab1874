/* expect: reject
 * stage: plan-legality|sanitize-race
 * reason: race|carries a dependence
 * category: race: nowait misuse
 * why: nowait on a dynamic-schedule row loop inside the reps loop: rep r+1 may rewrite y[i] on another thread while rep r still writes it (same value)
 */
void spmv(int n, const int *rowptr, const int *cols, const double *vals, const double *x,
          int reps, double *y)
{
    #pragma omp parallel
    for (int r = 0; r < reps; r++) {
        #pragma omp for schedule(dynamic, 1) nowait
        for (int i = 0; i < n; i++) {
            double sum = 0.0;
            for (int e = rowptr[i]; e < rowptr[i + 1]; e++)
                sum += vals[e] * x[cols[e]];
            y[i] = sum;
        }
    }
}
