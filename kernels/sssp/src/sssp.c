/* Single-source shortest paths, Dijkstra's algorithm in its O(n^2) array form (no heap):
 * each round selects the unvisited vertex with the smallest tentative distance by a
 * linear scan (ties: lowest index), marks it visited and relaxes its out-edges.
 * Graph: CSR out-edges (rowptr, cols) with positive weights.
 * dist[v] = shortest distance from source, INFINITY if unreachable.
 * visited[n]: scratch (1 for every vertex settled, i.e. reachable, on return). */
#include <math.h>
#include <stddef.h>

void sssp(int n, const int *rowptr, const int *cols, const double *weights, int source,
          double *dist, int *visited)
{
    for (int v = 0; v < n; v++) {
        dist[v] = INFINITY;
        visited[v] = 0;
    }
    if (source < 0 || source >= n)
        return;
    dist[source] = 0.0;

    for (int round = 0; round < n; round++) {
        int best = -1;
        double bestd = INFINITY;
        for (int v = 0; v < n; v++) {
            if (!visited[v] && dist[v] < bestd) {
                bestd = dist[v];
                best = v;
            }
        }
        if (best < 0)
            break; /* the rest is unreachable */
        visited[best] = 1;
        for (int e = rowptr[best]; e < rowptr[best + 1]; e++) {
            int u = cols[e];
            double nd = dist[best] + weights[e];
            if (nd < dist[u])
                dist[u] = nd;
        }
    }
}
