/* The two matrix-vector products of one BiCG iteration, in a single pass over A:
 *     q = A p        (n entries)
 *     s = A^T r      (m entries)
 * A is n x m. */

void bicgmv(int n, int m, double A[n][m], double p[m], double r[n], double q[n], double s[m])
{
    for (int j = 0; j < m; j++)
        s[j] = 0.0;

    for (int i = 0; i < n; i++) {
        double qi = 0.0;
        for (int j = 0; j < m; j++) {
            s[j] = s[j] + r[i] * A[i][j];
            qi = qi + A[i][j] * p[j];
        }
        q[i] = qi;
    }
}
