#include <stddef.h>
#include <stdio.h>
#define IDX(i, j, n) ((i) * (n) + (j))

/* gemm shape: init statement, then the k loop (distribute + interchange -> i-k-j). */
void gemm_init(int n, const double *A, const double *B, double *C)
{
    for (int i = 0; i < n; i++) {
        for (int j = 0; j < n; j++) {
            C[IDX(i, j, n)] = 0.0;
            for (int k = 0; k < n; k++)
                C[IDX(i, j, n)] += A[IDX(i, k, n)] * B[IDX(k, j, n)];
        }
    }
}

/* PolyBench gemm (3.x form): C *= beta, then accumulate. */
void gemm_beta(int n, double alpha, double beta, double C[n][n], double A[n][n], double B[n][n])
{
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++) {
            C[i][j] *= beta;
            for (int k = 0; k < n; k++)
                C[i][j] += alpha * A[i][k] * B[k][j];
        }
}

/* Distribution illegal: the leading statement reads what the inner loop wrote in an
 * earlier iteration of j (x[j] reads y[j-1] written by the k loop of iteration j-1). */
void dist_backward(int n, double *x, double *y, const double *a)
{
    for (int j = 1; j < n; j++) {
        x[j] = y[j - 1];
        for (int k = 0; k < n; k++)
            y[j] += a[k];
    }
}

/* Distribution illegal: a scalar flows from the leading statement into the inner loop. */
void dist_scalar(int n, const double *c, double *o, const double *a)
{
    for (int j = 0; j < n; j++) {
        double s = c[j];
        for (int k = 0; k < n; k++)
            o[j * n + k] = s * a[k];
    }
}

/* Interchange blocked by a (<,>) dependence: A[i][j] reads A[i-1][j+1]. */
void skew(int n, double A[n][n])
{
    for (int i = 1; i < n; i++) {
        for (int j = 0; j < n - 1; j++)
            A[i][j] = A[i - 1][j + 1] + 1.0;
    }
}

/* Slices: xr = re + b*n with 0 <= i < n: the batch loop is parallel. */
void slice_ok(int n, int batch, double *re)
{
    for (int b = 0; b < batch; b++) {
        double *xr = re + (size_t)b * n;
        for (int i = 0; i < n; i++)
            xr[i] = 2.0 * xr[i];
    }
}

/* Slice stride m but index up to n: rows may overlap unless m >= n, which is unknown. */
void slice_short(int n, int m, int batch, double *re)
{
    for (int b = 0; b < batch; b++) {
        double *xr = re + (size_t)b * m;
        for (int i = 0; i < n; i++)
            xr[i] = 2.0 * xr[i];
    }
}

/* Slice indexed by a value not provably below n: stays conservative. */
void slice_unknown(int n, int batch, double *re, const int *perm)
{
    for (int b = 0; b < batch; b++) {
        double *xr = re + (size_t)b * n;
        for (int i = 0; i < n; i++) {
            int j = perm[i];
            xr[j] = xr[j] + 1.0;
        }
    }
}

/* argmin with a guard (Dijkstra's selection). */
void argmin_sel(int n, const double *d, const int *done, int *out)
{
    int best = -1;
    double bd = 1e300;
    for (int v = 0; v < n; v++) {
        if (!done[v] && d[v] < bd) {
            bd = d[v];
            best = v;
        }
    }
    *out = best;
}

/* Not a selection: <= takes the last index of a tie, and the index is v+1. */
void argmin_le(int n, const double *d, int *out)
{
    int best = -1;
    double bd = 1e300;
    for (int v = 0; v < n; v++) {
        if (d[v] <= bd) {
            bd = d[v];
            best = v;
        }
    }
    *out = best;
}

/* Max selection written as bd < e. */
void argmax_sel(int n, const double *d, int *out)
{
    int best = 0;
    double bd = d[0];
    for (int v = 1; v < n; v++) {
        if (bd < d[v]) {
            bd = d[v];
            best = v;
        }
    }
    *out = best;
}

/* Prim's minimum spanning tree on a dense matrix: each round selects the closest vertex
 * outside the tree and updates the keys of the others from its row (a parallel loop):
 * one region hoisted around the rounds, the selection and the update inside it. */
void prim_rounds(int n, const double *w, double *key, int *parent, int *in_tree)
{
    for (int v = 0; v < n; v++) {
        key[v] = HUGE_VAL;
        parent[v] = -1;
        in_tree[v] = 0;
    }
    if (n > 0)
        key[0] = 0.0;
    for (int k = 0; k < n; k++) {
        int u = -1;
        double ku = HUGE_VAL;
        for (int v = 0; v < n; v++) {
            if (!in_tree[v] && key[v] < ku) {
                ku = key[v];
                u = v;
            }
        }
        if (u < 0)
            break;
        in_tree[u] = 1;
        for (int v = 0; v < n; v++) {
            if (!in_tree[v] && w[u * n + v] < key[v]) {
                key[v] = w[u * n + v];
                parent[v] = u;
            }
        }
    }
}

/* Not hoisted: the selection's scalars live outside the round loop (shared in a region). */
void rounds_outer_scalars(int n, const double *d, int *done, int *order)
{
    int best;
    double bd;
    for (int k = 0; k < n; k++) {
        best = -1;
        bd = HUGE_VAL;
        for (int v = 0; v < n; v++) {
            if (!done[v] && d[v] < bd) {
                bd = d[v];
                best = v;
            }
        }
        if (best < 0)
            break;
        done[best] = 1;
        order[k] = best;
    }
}

/* Not hoisted: the exit reads memory (another thread may be writing it) and a return leaves the region. */
void rounds_memory_exit(int n, const double *d, int *done, int *order)
{
    for (int k = 0; k < n; k++) {
        int best = -1;
        double bd = HUGE_VAL;
        for (int v = 0; v < n; v++) {
            if (!done[v] && d[v] < bd) {
                bd = d[v];
                best = v;
            }
        }
        if (best < 0 || order[best] < 0)
            break;
        if (bd > 1e6)
            return;
        done[best] = 1;
        order[k] = best;
    }
}

/* Time loop around two 2-D sweeps: one hoisted parallel region, simd rows. */
void jacobi_t(int steps, int n, double *A, double *B)
{
    for (int t = 0; t < steps; t++) {
        for (int i = 1; i < n - 1; i++)
            for (int j = 1; j < n - 1; j++)
                B[i * n + j] = 0.25 * (A[i * n + j - 1] + A[i * n + j + 1] + A[(i - 1) * n + j] + A[(i + 1) * n + j]);
        for (int i = 1; i < n - 1; i++)
            for (int j = 1; j < n - 1; j++)
                A[i * n + j] = B[i * n + j];
    }
}

/* Per-row scratch VLA: a new array in every iteration of i, so i is parallel. */
void softmax_rows(int n, int m, const double *x, double *y)
{
    for (int i = 0; i < n; i++) {
        double e[m];
        double sum = 0.0;
        for (int j = 0; j < m; j++) {
            e[j] = exp(x[i * m + j]);
            sum += e[j];
        }
        for (int j = 0; j < m; j++)
            y[i * m + j] = e[j] / sum;
    }
}

/* Scalar replacement (legal): y[i] += A[i][k] * x[k] across k; i-j-k matmul accumulating in C. */
void sr_matvec(int n, double *restrict y, const double *restrict A, const double *restrict x)
{
    for (int i = 0; i < n; i++)
        for (int k = 0; k < n; k++)
            y[i] += A[i * n + k] * x[k];
}

/* mvt shape: x1[i] = x1[i] + A[i][j] * y1[j] (no init before the j loop). */
void sr_mvt(int n, double x1[n], double A[n][n], double y1[n])
{
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++)
            x1[i] = x1[i] + A[i][j] * y1[j];
}

/* Scalar replacement refused: C[k] read in the k loop may be C[i]. */
void sr_self(int n, double *restrict C, const double *restrict A)
{
    for (int i = 0; i < n; i++)
        for (int k = 0; k < n; k++)
            C[i] += C[k] * A[i * n + k];
}

/* Refused without noalias: b may alias y. */
void sr_alias(int n, double *y, double *b, const double *a)
{
    for (int i = 0; i < n; i++)
        for (int k = 0; k < n; k++) {
            y[i] += a[k];
            b[k] = 0.0;
        }
}

/* Refused: the k loop may run zero times (m == 0) and y[i] is not accessed before it. */
void sr_zero_trip(int n, int m, double *restrict y, const double *restrict a)
{
    for (int i = 0; i < n; i++)
        for (int k = 0; k < m; k++)
            y[i] += a[k];
}

/* Refused: printf in the loop. */
void sr_impure(int n, double *restrict y, const double *restrict a)
{
    for (int i = 0; i < n; i++) {
        y[i] = 0.0;
        for (int k = 0; k < n; k++) {
            y[i] += a[k];
            printf("%f\n", y[i]);
        }
    }
}

/* Legal: the element is initialized just before the possibly empty loop (CSR row sum into y). */
void sr_rowsum(int n, const int *restrict rowptr, const double *restrict vals, double *restrict y)
{
    for (int i = 0; i < n; i++) {
        y[i] = 0.0;
        for (int e = rowptr[i]; e < rowptr[i + 1]; e++)
            y[i] += vals[e];
    }
}

/* Accumulation in the output: the column sum over j walks V with stride d; with the
 * element O[i][c] as the accumulator, c moves innermost (attention's P*V product). */
void acc_pv(int n, int d, const double *restrict p, const double *restrict V, const double *restrict norm, double *restrict O)
{
    for (int i = 0; i < n; i++) {
        for (int c = 0; c < d; c++) {
            double acc = 0.0;
            for (int j = 0; j < n; j++)
                acc += p[i * n + j] * V[j * d + c];
            O[i * d + c] = acc / norm[i];
        }
    }
}

/* Accumulation in the output over a 2-deep window with a local in the body (convolution row). */
void acc_window(int n, int w, int k, const double *restrict in, const double *restrict f, double *restrict out)
{
    for (int y = 0; y < n; y++) {
        for (int x = 0; x < w; x++) {
            double s = 1.0;
            for (int ky = 0; ky < k; ky++)
                for (int kx = 0; kx < k; kx++) {
                    double t = in[(y + ky) * (w + k) + x + kx];
                    s += t * f[ky * k + kx];
                }
            out[y * w + x] = s;
        }
    }
}

/* Accumulation whose body has reads that do not change across the moved loop i: idx[j] and
 * w[j] are loaded once per j; c[j] (under a condition) and w[t] (t is a local of the body) stay. */
void acc_invariant(int n, int m, const double *restrict a, const double *restrict w, const double *restrict c, const int *restrict idx, double *restrict out)
{
    for (int i = 0; i < n; i++) {
        double acc = 0.0;
        for (int j = 0; j < m; j++) {
            int t = idx[j];
            acc += w[j] * a[j * n + i] + (i > j ? c[j] : 0.5) + w[t];
        }
        out[i] = acc;
    }
}

/* Refused: the body reads the output (a partial sum would be seen). */
void acc_reads_out(int n, double *restrict O, const double *restrict V)
{
    for (int i = 0; i < n; i++)
        for (int c = 0; c < n; c++) {
            double acc = 0.0;
            for (int j = 0; j < n; j++)
                acc += V[j * n + c] * O[i * n + j];
            O[i * n + c] = acc;
        }
}

/* Refused: the output is float, the accumulator double (partial sums would be rounded). */
void acc_narrow(int n, const double *restrict V, float *restrict O)
{
    for (int i = 0; i < n; i++)
        for (int c = 0; c < n; c++) {
            double acc = 0.0;
            for (int j = 0; j < n; j++)
                acc += V[j * n + c];
            O[i * n + c] = acc;
        }
}

/* Refused: the reduction loop's bound depends on c (triangle). */
void acc_triangle(int n, const double *restrict V, double *restrict O)
{
    for (int i = 0; i < n; i++)
        for (int c = 0; c < n; c++) {
            double acc = 0.0;
            for (int j = 0; j <= c; j++)
                acc += V[j * n + c];
            O[i * n + c] = acc;
        }
}

/* Refused: continue in the reduction body would continue the moved loop. */
void acc_continue(int n, const double *restrict V, double *restrict O)
{
    for (int i = 0; i < n; i++)
        for (int c = 0; c < n; c++) {
            double acc = 0.0;
            for (int j = 0; j < n; j++) {
                if (V[j * n + c] < 0.0)
                    continue;
                acc += V[j * n + c];
            }
            O[i * n + c] = acc;
        }
}

/* Accumulation in the output with a run-time stride (max pooling): the moved loop walks
 * the input with stride s, 1 in the common case; proposed, the benchmark decides. */
void acc_pool(int n, int w, int k, int s, const double *restrict in, double *restrict out)
{
    for (int y = 0; y < n; y++)
        for (int x = 0; x < w; x++) {
            double m = -1e300;
            for (int ky = 0; ky < k; ky++)
                for (int kx = 0; kx < k; kx++) {
                    double v = in[(y * s + ky) * (w * s + k) + x * s + kx];
                    m = v > m ? v : m;
                }
            out[y * w + x] = m;
        }
}

/* Unroll and jam: dot products of a row with every row of K (the row loaded once for
 * four), then a running maximum in j order (attention's scores). */
void jam_scores(int n, int d, const double *restrict q, const double *restrict K, double *restrict s, double *restrict mx_out)
{
    double mx = -1e300;
    for (int j = 0; j < n; j++) {
        double dot = 0.0;
        for (int k = 0; k < d; k++)
            dot += q[k] * K[j * d + k];
        s[j] = dot * 0.5;
        if (s[j] > mx)
            mx = s[j];
    }
    *mx_out = mx;
}

/* Refused: the tail writes x, which the next rows' dot products read (forward substitution-like). */
void jam_feedback(int n, double *restrict x, const double *restrict A)
{
    for (int j = 0; j < n; j++) {
        double acc = 0.0;
        for (int k = 0; k < n; k++)
            acc += x[k] * A[j * n + k];
        x[j] = acc;
    }
}

#define KROW(k) K[j * d + (k)]
/* Refused: a macro that names j in its body (renaming j in the copies cannot reach it). */
void jam_macro(int n, int d, const double *restrict q, const double *restrict K, double *restrict s)
{
    for (int j = 0; j < n; j++) {
        double dot = 0.0;
        for (int k = 0; k < d; k++)
            dot += q[k] * KROW(k);
        s[j] = dot;
    }
}

/* Unroll and jam inside a parallel row loop (Q K^T): proposed by the analyzer. */
void jam_rows(int m, int n, int d, const double *restrict Q, const double *restrict K, double *restrict S)
{
    for (int i = 0; i < m; i++)
        for (int j = 0; j < n; j++) {
            double dot = 0.0;
            for (int k = 0; k < d; k++)
                dot += Q[i * d + k] * K[j * d + k];
            S[i * n + j] = dot;
        }
}

/* Array reduction: every row r adds into all of y (normal equations, y += tmp[r] * row r). */
void ar_normal(int m, int n, const double *restrict A, const double *restrict x, double *restrict y, double *restrict tmp)
{
    for (int r = 0; r < m; r++) {
        tmp[r] = 0.0;
        for (int c = 0; c < n; c++)
            tmp[r] += A[r * n + c] * x[c];
        for (int c = 0; c < n; c++)
            y[c] += A[r * n + c] * tmp[r];
    }
}

/* Array reduction over an inclusive range that does not start at 0, of integers (exact). */
void ar_colsum(int m, int lo, int hi, const int *restrict a, long *restrict s)
{
    for (int r = 0; r < m; r++)
        for (int c = lo; c <= hi; c++)
            s[c] += a[r * (hi + 1) + c] * (r % 3 + 1);
}

/* Refused: the loop reads y besides updating it. */
void ar_reads(int m, int n, const double *restrict A, double *restrict y)
{
    for (int r = 0; r < m; r++)
        for (int c = 0; c < n; c++)
            y[c] += A[r * n + c] * y[0];
}

/* Refused: the updated range depends on r (a triangle). */
void ar_triangle(int m, const double *restrict A, double *restrict y)
{
    for (int r = 0; r < m; r++)
        for (int c = 0; c < r; c++)
            y[c] += A[r * m + c];
}

/* Refused: the subscript is not a loop index. */
void ar_shifted(int m, int n, const double *restrict A, double *restrict y)
{
    for (int r = 0; r < m; r++)
        for (int c = 0; c < n; c++)
            y[c + 1] += A[r * n + c];
}

/* Array reduction only with noalias: without it A might be y. */
void ar_alias(int m, int n, const double *A, double *y)
{
    for (int r = 0; r < m; r++)
        for (int c = 0; c < n; c++)
            y[c] += A[r * n + c];
}

/* Idempotent store: one sweep of a level-synchronous search (every store writes depth + 1
 * into an element still holding -1); returns whether it reached anything. */
int is_sweep(int n, const int *restrict rowptr, const int *restrict cols, int depth, int *restrict level)
{
    int found = 0;
    for (int v = 0; v < n; v++)
        if (level[v] == depth)
            for (int e = rowptr[v]; e < rowptr[v + 1]; e++) {
                int u = cols[e];
                if (level[u] == -1) {
                    level[u] = depth + 1;
                    found = 1;
                }
            }
    return found;
}

/* Idempotent store of bytes, guard written value-first, a flag with another value. */
long is_marks(int n, int m, const int *restrict targets, unsigned char *restrict mark, long hit)
{
    for (int i = 0; i < n; i++) {
        int t = targets[i % m];
        if (0 == mark[t]) {
            mark[t] = 2;
            hit = 7;
        }
    }
    return hit;
}

/* Refused: the guard has an else branch. */
void is_else(int n, const int *restrict cols, int *restrict level)
{
    for (int v = 0; v < n; v++) {
        if (level[cols[v]] == -1)
            level[cols[v]] = 1;
        else
            level[v] = 0;
    }
}

/* Refused: the guarded block counts (it may run more than once per element in parallel). */
int is_count(int n, const int *restrict cols, int *restrict level)
{
    int count = 0;
    for (int v = 0; v < n; v++)
        if (level[cols[v]] == -1) {
            level[cols[v]] = 1;
            count++;
        }
    return count;
}

/* Refused: the stored value changes with the iteration. */
void is_values(int n, const int *restrict cols, int *restrict level)
{
    for (int v = 0; v < n; v++)
        if (level[cols[v]] == -1)
            level[cols[v]] = v;
}

/* Refused: an element is read other than in a comparison. */
long is_sum(int n, const int *restrict cols, int *restrict level)
{
    long s = 0;
    for (int v = 0; v < n; v++) {
        s += level[v];
        if (level[cols[v]] == -1)
            level[cols[v]] = 1;
    }
    return s;
}

/* Refused: a test for the guarded value outside a guard (its outcome depends on the order). */
void is_seen(int n, const int *restrict cols, int *restrict level, int *restrict out)
{
    for (int v = 0; v < n; v++) {
        out[v] = level[v] == -1;
        if (level[cols[v]] == -1)
            level[cols[v]] = 1;
    }
}

/* Precomputed term: rank[u] / deg[u] per edge of a pull loop, inside a time loop. */
void pt_pull(int n, int steps, const int *restrict rowptr, const int *restrict cols, double *restrict rank, const int *restrict deg, double *restrict out)
{
    for (int s = 0; s < steps; s++) {
        for (int v = 0; v < n; v++) {
            double sum = 0.0;
            for (int e = rowptr[v]; e < rowptr[v + 1]; e++) {
                int u = cols[e];
                sum += 0.5 * rank[u] / deg[u];
            }
            out[v] = sum;
        }
        for (int v = 0; v < n; v++)
            rank[v] = out[v] + 1.0;
    }
}

/* Refused: integer arithmetic (could overflow where the loop never looks). */
void pt_int(int n, const int *restrict rowptr, const int *restrict cols, const int *restrict a, const int *restrict b, long *restrict out)
{
    for (int v = 0; v < n; v++) {
        long sum = 0;
        for (int e = rowptr[v]; e < rowptr[v + 1]; e++)
            sum += a[cols[e]] * b[cols[e]];
        out[v] = sum;
    }
}

/* Refused: the loop writes an array of the term. */
void pt_written(int n, const int *restrict rowptr, const int *restrict cols, double *restrict x, const double *restrict w)
{
    for (int v = 0; v < n; v++) {
        double sum = 0.0;
        for (int e = rowptr[v]; e < rowptr[v + 1]; e++) {
            int u = cols[e];
            sum += x[u] * w[u];
        }
        x[v] = sum;
    }
}

/* Refused: the nest returns from inside (the table would not be freed). */
int pt_return(int n, int steps, const int *restrict rowptr, const int *restrict cols, const double *restrict x, const double *restrict w, double *restrict out)
{
    for (int s = 0; s < steps; s++) {
        if (out[0] < 0.0)
            return -1;
        for (int v = 0; v < n; v++) {
            double sum = 0.0;
            for (int e = rowptr[v]; e < rowptr[v + 1]; e++) {
                int u = cols[e];
                sum += x[u] * w[u];
            }
            out[v] = sum;
        }
    }
    return 0;
}

/* Precomputed term of a loop that is the body of an if (the table needs a block of its own). */
void pt_if(int n, const int *restrict rowptr, const int *restrict cols, const float *restrict x, const float *restrict w, float *restrict out)
{
    if (n > 1)
        for (int v = 0; v < n; v++) {
            float sum = 0.0f;
            for (int e = rowptr[v]; e < rowptr[v + 1]; e++) {
                int u = cols[e];
                sum += x[u] * w[u] + 1.5f;
            }
            out[v] = sum;
        }
}

/* Invariant load: s[i] is the same for every j. */
void li_scale(int m, int n, const double *s, double *y)
{
    for (int i = 0; i < m; i++)
        for (int j = 0; j < n; j++)
            y[i * n + j] *= s[i];
}

static int mirror(int i, int m)
{
    return m - 1 - i;
}

/* Checked blocks: each batch row reversed in place through a row pointer (offsets from a helper). */
void cb_batch(int m, int batch, double *restrict x)
{
    for (int b = 0; b < batch; b++) {
        double *row = x + (size_t)b * m;
        for (int i = 0; i < m / 2; i++) {
            int j = mirror(i, m);
            double t = row[i];
            row[i] = row[j];
            row[j] = t;
        }
    }
}

/* Checked blocks whose offsets leave the block when shift > 0 (then the loop runs in order). */
void cb_shift(int m, int batch, int shift, double *restrict x)
{
    for (int b = 0; b < batch; b++)
        for (int i = 0; i < m; i++)
            x[b * m + i + shift] += 0.5 * x[b * m + i];
}

/* Refused: an offset read from memory. */
void cb_gather(int m, int batch, const int *restrict idx, double *restrict x)
{
    for (int b = 0; b < batch; b++) {
        double *row = x + (size_t)b * m;
        for (int i = 0; i < m; i++)
            row[idx[i]] += 1.0;
    }
}

/* Refused: a condition on data decides which offsets are touched. */
void cb_cond(int m, int batch, double *restrict x)
{
    for (int b = 0; b < batch; b++) {
        double *row = x + (size_t)b * m;
        for (int i = 1; i < m; i++)
            if (row[i] < 0.0)
                row[i - 1] = 0.0;
    }
}

/* Refused: a data statement advances the offset the accesses use. */
void cb_sidefx(int m, int batch, const double *restrict w, double *restrict x)
{
    for (int b = 0; b < batch; b++) {
        double *row = x + (size_t)b * m;
        int k = 0;
        for (int i = 0; i < m; i++) {
            double v = w[k++];
            row[k] = v;
        }
    }
}

/* Dijkstra rounds over CSR out-edges with any weights (self loops, negative weights):
 * owner-computes keeps dist[best] in a per-thread shadow, so a self loop that lowers it
 * is seen by the rest of the round on every thread. */
void sssp_rounds(int n, const int *rowptr, const int *cols, const double *wt, double *dist, int *done)
{
    for (int v = 0; v < n; v++) {
        dist[v] = INFINITY;
        done[v] = 0;
    }
    if (n > 0)
        dist[0] = 0.0;
    for (int r = 0; r < n; r++) {
        int best = -1;
        double bd = INFINITY;
        for (int v = 0; v < n; v++) {
            if (!done[v] && dist[v] < bd) {
                bd = dist[v];
                best = v;
            }
        }
        if (best < 0)
            break;
        done[best] = 1;
        for (int e = rowptr[best]; e < rowptr[best + 1]; e++) {
            int u = cols[e];
            double nd = dist[best] + wt[e];
            if (nd < dist[u])
                dist[u] = nd;
        }
    }
}

/* Not owner-computes: the relaxation reads a neighbour of its target (another thread's element). */
void rounds_neighbour(int n, const int *rowptr, const int *cols, const double *wt, double *dist, int *done)
{
    for (int r = 0; r < n; r++) {
        int best = -1;
        double bd = INFINITY;
        for (int v = 0; v < n; v++) {
            if (!done[v] && dist[v] < bd) {
                bd = dist[v];
                best = v;
            }
        }
        if (best < 0)
            break;
        done[best] = 1;
        for (int e = rowptr[best]; e < rowptr[best + 1]; e++) {
            int u = cols[e];
            double nd = dist[best] + wt[e] + (u + 1 < n ? dist[u + 1] : 0.0);
            if (nd < dist[u])
                dist[u] = nd;
        }
    }
}

/* Not owner-computes: the round stores at its own index, not the selected one. */
void rounds_order(int n, const double *d0, double *d, int *done, int *order)
{
    for (int k = 0; k < n; k++) {
        int best = -1;
        double bd = INFINITY;
        for (int v = 0; v < n; v++) {
            if (!done[v] && d[v] < bd) {
                bd = d[v];
                best = v;
            }
        }
        if (best < 0)
            break;
        done[best] = 1;
        order[k] = best;
        for (int v = 0; v < n; v++)
            if (!done[v])
                d[v] = d[v] * 0.5 + d0[v];
    }
}

/* Owner-computes: the exit tests the value (nothing selected leaves bd at its initial value). */
void rounds_value_exit(int n, const int *rowptr, const int *cols, const double *wt, double *dist, int *done)
{
    for (int r = 0; r < n; r++) {
        int best = 0;
        double bd = INFINITY;
        for (int v = 0; v < n; v++) {
            if (!done[v] && dist[v] < bd) {
                bd = dist[v];
                best = v;
            }
        }
        if (bd == INFINITY)
            break;
        done[best] = 1;
        for (int e = rowptr[best]; e < rowptr[best + 1]; e++) {
            int u = cols[e];
            double nd = dist[best] + wt[e];
            if (nd < dist[u])
                dist[u] = nd;
        }
    }
}

/* Not owner-computes: no exit before the relaxation when nothing was selected (the shadow would not be dist[best]). */
void rounds_no_exit(int n, const int *rowptr, const int *cols, const double *wt, double *dist, int *done)
{
    for (int r = 0; r < n; r++) {
        int best = 0;
        double bd = INFINITY;
        for (int v = 0; v < n; v++) {
            if (!done[v] && dist[v] < bd) {
                bd = dist[v];
                best = v;
            }
        }
        done[best] = 1;
        for (int e = rowptr[best]; e < rowptr[best + 1]; e++) {
            int u = cols[e];
            double nd = dist[best] + wt[e];
            if (nd < dist[u])
                dist[u] = nd;
        }
    }
}

/* Not owner-computes: a loop over the range stores dist[] (dist[best] too) before the relaxation reads dist[best]. */
void rounds_decay_first(int n, const int *rowptr, const int *cols, const double *wt, double *dist, int *done)
{
    for (int r = 0; r < n; r++) {
        int best = -1;
        double bd = INFINITY;
        for (int v = 0; v < n; v++) {
            if (!done[v] && dist[v] < bd) {
                bd = dist[v];
                best = v;
            }
        }
        if (best < 0)
            break;
        done[best] = 1;
        for (int v = 0; v < n; v++)
            dist[v] = dist[v] * 0.5;
        for (int e = rowptr[best]; e < rowptr[best + 1]; e++) {
            int u = cols[e];
            double nd = dist[best] + wt[e];
            if (nd < dist[u])
                dist[u] = nd;
        }
    }
}
