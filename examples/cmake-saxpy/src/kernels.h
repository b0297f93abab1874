#ifndef KERNELS_H
#define KERNELS_H
void oscillate(int n, int terms, const double *x, double *y);
double dot(int n, const double *a, const double *b);
#endif
