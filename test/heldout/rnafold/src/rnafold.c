/* Nussinov-style RNA secondary structure: F[i][j] = the largest number of nested base
 * pairs in the subsequence seq[i..j]. Bases are coded 0..3 (A, C, G, U); A-U, C-G and
 * G-U pairs are allowed, and a pair (i, j) must enclose at least MIN_LOOP unpaired
 * bases. Filled row by row from the bottom, left to right within a row. */

#define MIN_LOOP 3
#define MAX(a, b) ((a) > (b) ? (a) : (b))

static int pairs(int a, int b)
{
    int lo = a < b ? a : b, hi = a < b ? b : a;
    return (lo == 0 && hi == 3) || (lo == 1 && hi == 2) || (lo == 2 && hi == 3);
}

void rnafold(int n, int seq[n], int F[n][n])
{
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++)
            F[i][j] = 0;

    for (int i = n - 1; i >= 0; i--) {
        for (int j = i + MIN_LOOP + 1; j < n; j++) {
            int best = MAX(F[i + 1][j], F[i][j - 1]);
            if (pairs(seq[i], seq[j]))
                best = MAX(best, F[i + 1][j - 1] + 1);
            for (int k = i + 1; k < j; k++)
                best = MAX(best, F[i][k] + F[k + 1][j]);
            F[i][j] = best;
        }
    }
}
