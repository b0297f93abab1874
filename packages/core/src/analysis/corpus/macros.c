/* Array accesses written through function-like macros (flat 2-D indexing, field-style
 * accessors): the dependence test must see the accesses inside the expansions. */
#define F(a, i, j) a[(i) * ny + (j)]
#define AT(a, i) a[i]
#define ROW0(a, i) F(a, i, 0)
#define BUMP(h, k) h[k]++
#define ACC(s, x) s += x

/* Time loop around two sweeps written with F: the time loop carries every array. */
void macro_timeloop(int nt, int nx, int ny, double *ex, double *hz)
{
    for (int t = 0; t < nt; t++) {
        for (int i = 1; i < nx; i++)
            for (int j = 0; j < ny; j++)
                F(ex, i, j) -= 0.5 * (F(hz, i, j) - F(hz, i - 1, j));
        for (int i = 0; i < nx; i++)
            for (int j = 0; j < ny; j++)
                F(hz, i, j) += 0.7 * F(ex, i, j);
    }
}

/* A recurrence through a one-index accessor. */
void macro_recurrence(int n, double *x)
{
    for (int i = 1; i < n; i++)
        AT(x, i) = AT(x, i - 1) + 1.0;
}

/* A macro that expands to another macro: column 0 of each row is written from column 0 of the previous row. */
void macro_nested(int nx, int ny, double *a)
{
    for (int i = 1; i < nx; i++)
        ROW0(a, i) = ROW0(a, i - 1) * 0.5;
}

/* Independent rows through F: parallel. */
void macro_rows(int nx, int ny, const double *a, double *b)
{
    for (int i = 0; i < nx; i++)
        for (int j = 0; j < ny; j++)
            F(b, i, j) = 2.0 * F(a, i, j);
}

/* A histogram whose increment is inside the macro. */
void macro_histogram(int n, const int *idx, int *hist)
{
    for (int i = 0; i < n; i++)
        BUMP(hist, idx[i]);
}

/* A scalar sum written inside a macro: not a reduction the analysis can see. */
double macro_scalar_sum(int n, const double *a)
{
    double sum = 0.0;
    for (int i = 0; i < n; i++)
        ACC(sum, a[i]);
    return sum;
}
