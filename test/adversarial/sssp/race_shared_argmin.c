/* expect: reject
 * stage: plan-legality|differential|sanitize-race
 * reason: race|expected .* got|\bdiffers?\b|mismatch|carries a dependence
 * category: race: missing atomic/reduction
 * why: the argmin scan is a parallel for that updates the shared best/bestd pair without any synchronisation
 */
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
        #pragma omp parallel for
        for (int v = 0; v < n; v++) {
            if (!visited[v] && dist[v] < bestd) {
                bestd = dist[v];
                best = v;
            }
        }
        if (best < 0)
            break;
        visited[best] = 1;
        for (int e = rowptr[best]; e < rowptr[best + 1]; e++) {
            int u = cols[e];
            double nd = dist[best] + weights[e];
            if (nd < dist[u])
                dist[u] = nd;
        }
    }
}
