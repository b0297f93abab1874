/* Calls the kernels on a fixed input and prints a checksum (same output whichever variant is linked). */
#include <stdio.h>
#include <stdlib.h>
#include "kernels.h"

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 1000;
    double *x = malloc(sizeof(double) * (size_t)n), *y = malloc(sizeof(double) * (size_t)n);
    for (int i = 0; i < n; i++) x[i] = (double)(i % 17) / 17.0;
    oscillate(n, 32, x, y);
    printf("checksum %.6f\n", dot(n, y, y));
    free(x);
    free(y);
    return 0;
}
