/* Expert OpenMP spmv: one parallel region for all repetitions; rows are distributed in
 * dynamic chunks (row lengths vary in general). The row sum keeps the serial order, so
 * results are bitwise identical. The implicit barrier after each repetition is not
 * needed for correctness (y is never read) but keeps repetitions distinct. */
#include <stddef.h>

void spmv(int n, const int *restrict rowptr, const int *restrict cols,
          const double *restrict vals, const double *restrict x, int reps,
          double *restrict y)
{
    #pragma omp parallel
    for (int r = 0; r < reps; r++) {
        #pragma omp for schedule(dynamic, 2048)
        for (int i = 0; i < n; i++) {
            double sum = 0.0;
            for (int e = rowptr[i]; e < rowptr[i + 1]; e++)
                sum += vals[e] * x[cols[e]];
            y[i] = sum;
        }
    }
}
