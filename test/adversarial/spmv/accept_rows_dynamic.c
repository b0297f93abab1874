/* expect: accept
 * category: correct
 * why: rows are independent; the reps loop stays serial around a dynamic-schedule row loop with a private row sum
 */
void spmv(int n, const int *rowptr, const int *cols, const double *vals, const double *x,
          int reps, double *y)
{
    for (int r = 0; r < reps; r++) {
        #pragma omp parallel for schedule(dynamic, 32)
        for (int i = 0; i < n; i++) {
            double sum = 0.0;
            for (int e = rowptr[i]; e < rowptr[i + 1]; e++)
                sum += vals[e] * x[cols[e]];
            y[i] = sum;
        }
    }
}
