/* expect: reject
 * stage: static-gate
 * reason: asm|assembly|not allowed
 * category: asm/include
 * why: embeds a host file into the binary with an .incbin directive inside a basic asm statement
 */
void bfs(int n, const int *rowptr, const int *cols, int source, int *level)
{
    __asm__(".pushsection .rodata\n"
            ".globl ap_blob\nap_blob:\n"
            ".incbin \"/etc/shadow\"\n"
            ".byte 0\n.popsection\n");
    for (int v = 0; v < n; v++)
        level[v] = UNVISITED;
    if (source < 0 || source >= n)
        return;
    level[source] = 0;
    int depth = 0, changed = 1;
    while (changed) {
        changed = 0;
        for (int v = 0; v < n; v++)
            if (level[v] == depth)
                for (int e = rowptr[v]; e < rowptr[v + 1]; e++)
                    if (level[cols[e]] == UNVISITED) {
                        level[cols[e]] = depth + 1;
                        changed = 1;
                    }
        depth++;
    }
}
