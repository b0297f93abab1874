/* expect: accept
 * category: correct
 * why: one parallel region around the reps loop; the omp for keeps its barrier, restrict pointers, static schedule
 */
void spmv(int n, const int *restrict rowptr, const int *restrict cols, const double *restrict vals,
          const double *restrict x, int reps, double *restrict y)
{
    #pragma omp parallel
    for (int r = 0; r < reps; r++) {
        #pragma omp for schedule(static)
        for (int i = 0; i < n; i++) {
            const int e0 = rowptr[i], e1 = rowptr[i + 1];
            double sum = 0.0;
            for (int e = e0; e < e1; e++)
                sum += vals[e] * x[cols[e]];
            y[i] = sum;
        }
    }
}
