/* 2D Jacobi 5-point stencil, PolyBench shape: each time step does two sweeps,
 * A -> B then B -> A, over the interior points of an n x n grid. */
#include <stddef.h>

#define IDX(i, j, n) ((i) * (n) + (j))

static inline double avg5(double c, double w, double e, double s, double nrth)
{
    return 0.2 * (c + w + e + s + nrth);
}

void jacobi2d(int tsteps, int n, double *A, double *B)
{
    for (int t = 0; t < tsteps; t++) {
        for (int i = 1; i < n - 1; i++) {
            for (int j = 1; j < n - 1; j++) {
                B[IDX(i, j, n)] = avg5(A[IDX(i, j, n)], A[IDX(i, j - 1, n)], A[IDX(i, j + 1, n)],
                                       A[IDX(i + 1, j, n)], A[IDX(i - 1, j, n)]);
            }
        }
        for (int i = 1; i < n - 1; i++) {
            for (int j = 1; j < n - 1; j++) {
                A[IDX(i, j, n)] = avg5(B[IDX(i, j, n)], B[IDX(i, j - 1, n)], B[IDX(i, j + 1, n)],
                                       B[IDX(i + 1, j, n)], B[IDX(i - 1, j, n)]);
            }
        }
    }
}
