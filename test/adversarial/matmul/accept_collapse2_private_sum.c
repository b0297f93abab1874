/* expect: accept
 * category: correct
 * why: collapse(2) over the independent i and j loops; the accumulator is declared in the body, so private
 */
void matmul(int n, const double *A, const double *B, double *C)
{
    #pragma omp parallel for collapse(2) schedule(dynamic, 16)
    for (int i = 0; i < n; i++) {
        for (int j = 0; j < n; j++) {
            double acc = 0.0;
            for (int k = 0; k < n; k++)
                acc += A[i * n + k] * B[k * n + j];
            C[i * n + j] = acc;
        }
    }
}
