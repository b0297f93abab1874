/* expect: reject
 * stage: differential|sanitize-memory
 * reason: past the end|before (its|the) start|expected .* got|\bdiffers?\b|mismatch|overflow|out of bounds|out-of-bounds|heap|SIGSEGV|segmentation|code 139
 * category: out of bounds
 * why: e <= rowptr[i + 1] adds the next row's first nonzero, and reads one past cols/vals on the last row
 */
void spmv(int n, const int *rowptr, const int *cols, const double *vals, const double *x,
          int reps, double *y)
{
    for (int r = 0; r < reps; r++) {
        #pragma omp parallel for
        for (int i = 0; i < n; i++) {
            double sum = 0.0;
            for (int e = rowptr[i]; e <= rowptr[i + 1]; e++)
                sum += vals[e] * x[cols[e]];
            y[i] = sum;
        }
    }
}
