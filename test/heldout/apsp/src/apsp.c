/* All-pairs shortest paths on a dense directed graph (Floyd-Warshall).
 * dist is n x n, row-major: on entry the edge weights (non-negative), on exit the
 * shortest path lengths. via[i*n+j] receives the highest intermediate vertex of the
 * path found from i to j, or -1 when the direct edge is shortest (for path
 * reconstruction). */

void apsp(int n, int *dist, int *via)
{
    int i, j, k;

    for (i = 0; i < n * n; i++)
        via[i] = -1;

    for (k = 0; k < n; k++) {
        for (i = 0; i < n; i++) {
            int dik = dist[i * n + k];
            for (j = 0; j < n; j++) {
                int through = dik + dist[k * n + j];
                if (through < dist[i * n + j]) {
                    dist[i * n + j] = through;
                    via[i * n + j] = k;
                }
            }
        }
    }
}
