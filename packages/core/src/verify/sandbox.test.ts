// Behaviour of the candidate sandbox, one hostile (or normal) C program per test.
// Programs are compiled inside the sandbox too, as the verifier does.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { detectSandbox, runCandidateStep, type SandboxOptions } from './sandbox.js';

const caps = await detectSandbox();
const hasBwrap = caps.bubblewrap.ok && process.env.AUTOPAR_SANDBOX !== 'off';
const hasCgroup = caps.cgroup.ok && process.env.AUTOPAR_CGROUP !== 'off';
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
const rand = () => randomBytes(6).toString('hex');

let workDir: string;
beforeAll(() => {
  workDir = mkdtempSync(join(tmpdir(), 'autopar-sandbox-test-'));
});
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

function run(argv: string[], extra: Partial<SandboxOptions> = {}, timeoutMs = 20_000, env?: Record<string, string>) {
  return runCandidateStep(argv, { cwd: workDir, timeoutMs, env, sandbox: { workDir, ...extra } });
}

/** Writes `src` to the work dir and compiles it with gcc inside the sandbox; returns the binary path. */
async function build(name: string, src: string): Promise<string> {
  writeFileSync(join(workDir, `${name}.c`), src);
  const bin = join(workDir, name);
  const r = await run(['gcc', '-O1', '-o', bin, `${name}.c`]);
  expect(r.exitCode, r.stderr).toBe(0);
  return bin;
}

/** Host processes whose command line mentions the path (leftovers of a killed step). */
function processesMentioning(path: string): string[] {
  const ps = execFileSync('ps', ['-eo', 'pid,args'], { encoding: 'utf8' });
  return ps.split('\n').filter((line) => line.includes(path) && !line.includes(' ps '));
}

describe('runCandidateStep sandbox', () => {
  it('reports what protected the step', async () => {
    const r = await run(['true']);
    expect(r.sandbox.active).toContain('process-group');
    if (hasBwrap) expect(r.sandbox.active.some((a) => a.startsWith('bubblewrap'))).toBe(true);
    else expect(r.sandbox.missing.some((m) => m.startsWith('bubblewrap'))).toBe(true);
    if (hasCgroup) expect(r.sandbox.active.some((a) => a.startsWith('cgroup'))).toBe(true);
    else expect(r.sandbox.missing.some((m) => m.startsWith('cgroup'))).toBe(true);
    // Plain `sh` ulimits work everywhere: a failing probe is a bug, not a missing feature.
    expect(caps.rlimits.ok, caps.rlimits.reason).toBe(true);
    expect(r.sandbox.active.some((a) => a.startsWith('rlimits'))).toBe(true);
  });

  it('compiles with gcc inside the sandbox (toolchain visible read-only)', async () => {
    const bin = await build('hello', '#include <stdio.h>\nint main(void){puts("hello");return 0;}\n');
    const r = await run([bin]);
    expect(r.exitCode).toBe(0);
    expect(r.stdout.trim()).toBe('hello');
  });

  it('lets a normal program write its output in the work dir', async () => {
    const bin = await build(
      'writer',
      `#include <stdio.h>
int main(int c, char **v){ FILE *f = fopen(v[1], "w"); if (!f) return 1; fprintf(f, "42\\n"); return fclose(f) != 0; }`,
    );
    const out = join(workDir, 'result.txt');
    const r = await run([bin, out]);
    expect(r.exitCode).toBe(0);
    expect(existsSync(out)).toBe(true);
  });

  it.skipIf(!hasBwrap)('cannot write outside the work dir (host /tmp, $HOME, the repo)', async () => {
    const bin = await build(
      'escape',
      `#include <stdio.h>
/* exit status = number of opens that succeeded on a real (non-tmpfs) path */
int main(int c, char **v){ int ok = 0; for (int i = 1; i < c; i++) { FILE *f = fopen(v[i], "w");
  if (f) { fputs("pwned", f); fclose(f); printf("wrote %s\\n", v[i]); ok++; } } return 0; }`,
    );
    const targets = [
      join('/tmp', `autopar-escape-${rand()}`),
      join(homedir(), `autopar-escape-${rand()}`),
      join(repoRoot, `autopar-escape-${rand()}`),
      join(dirname(workDir), `autopar-escape-${rand()}`),
    ];
    const r = await run([bin, ...targets]);
    expect(r.exitCode).toBe(0);
    for (const t of targets) expect(existsSync(t), t).toBe(false);
    // /tmp inside is a private tmpfs, so that one write "succeeds" there and vanishes; the others fail outright.
    expect(r.stdout).not.toContain(homedir());
    expect(r.stdout).not.toContain(repoRoot);
  });

  it.skipIf(!hasBwrap)('cannot read files under $HOME or root-only host files', async () => {
    const canary = join(homedir(), `.autopar-canary-${rand()}`);
    const secret = `secret-${rand()}`;
    writeFileSync(canary, secret);
    try {
      const bin = await build(
        'reader',
        `#include <stdio.h>
int main(int c, char **v){ int read_any = 0; char buf[256]; for (int i = 1; i < c; i++) { FILE *f = fopen(v[i], "r");
  if (f) { size_t n = fread(buf, 1, sizeof buf - 1, f); buf[n] = 0; printf("%s: %s\\n", v[i], buf); fclose(f); read_any = 1; } }
  return read_any ? 3 : 0; }`,
      );
      // /etc/shadow: inside the user namespace the step is still host root to
      // permission checks, so it must simply not be mounted.
      const r = await run([bin, canary, join(homedir(), '.bashrc'), '/etc/shadow']);
      expect(r.stdout).not.toContain(secret);
      expect(r.exitCode).toBe(0);
    } finally {
      rmSync(canary, { force: true });
    }
  });

  it.skipIf(!hasBwrap)('cannot connect to a server on the host loopback', async () => {
    let connections = 0;
    const server: Server = createServer((s) => {
      connections++;
      s.destroy();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    try {
      const bin = await build(
        'connect',
        `#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
int main(int c, char **v){ int s = socket(AF_INET, SOCK_STREAM, 0); if (s < 0) { perror("socket"); return 2; }
  struct sockaddr_in a = {0}; a.sin_family = AF_INET; a.sin_port = htons(atoi(v[1])); a.sin_addr.s_addr = htonl(0x7f000001);
  if (connect(s, (struct sockaddr *)&a, sizeof a) != 0) { perror("connect"); return 2; } puts("connected"); return 0; }`,
      );
      const r = await run([bin, String(port)]);
      expect(r.exitCode).toBe(2);
      expect(r.stdout).not.toContain('connected');
      expect(connections).toBe(0);
    } finally {
      server.close();
    }
  });

  it('does not pass the parent environment in', async () => {
    const name = `AUTOPAR_TEST_PARENT_SECRET_${rand()}`;
    process.env[name] = 'hunter2';
    try {
      const bin = await build(
        'printenv',
        `#include <stdio.h>
extern char **environ;
int main(void){ for (char **e = environ; *e; e++) puts(*e); return 0; }`,
      );
      const r = await run([bin], {}, 20_000, { OMP_NUM_THREADS: '3', API_TOKEN: 'also-secret' });
      expect(r.exitCode).toBe(0);
      expect(r.stdout).not.toContain('hunter2');
      expect(r.stdout).not.toContain('also-secret');
      expect(r.stdout).toContain('OMP_NUM_THREADS=3');
      expect(r.stdout).toContain('LANG=C');
      expect(r.sandbox.active.join(' ')).toContain('dropped API_TOKEN');
    } finally {
      delete process.env[name];
    }
  });

  it('stops a fork loop (pids.max, or the wall limit without cgroups) and leaves no process behind', async () => {
    const bin = await build(
      'forker',
      `#include <stdio.h>
#include <unistd.h>
int main(void){ for (int i = 0; i < 2000; i++) { pid_t p = fork();
  if (p == 0) { sleep(30); _exit(0); }
  if (p < 0) { printf("fork failed after %d\\n", i); fflush(stdout); sleep(30); return 3; } }
  puts("forked 2000"); sleep(30); return 0; }`,
    );
    const r = await run([bin], { maxPids: 64 }, 3000);
    expect(r.stdout).not.toContain('forked 2000');
    if (hasCgroup) {
      expect(r.stdout).toMatch(/fork failed after \d+/);
      expect(Number(/after (\d+)/.exec(r.stdout)?.[1])).toBeLessThan(64);
    } else {
      expect(r.sandbox.missing.some((m) => m.startsWith('cgroup'))).toBe(true);
    }
    expect(r.timedOut).toBe(true);
    expect(processesMentioning(bin)).toEqual([]);
  });

  it('stops a memory bomb (memory limit, or the wall limit without cgroups)', async () => {
    const bin = await build(
      'membomb',
      `#include <stdlib.h>
#include <string.h>
#include <unistd.h>
int main(void){ for (int i = 0; i < 16384; i++) { char *p = malloc(1 << 20); if (!p) return 4; memset(p, 1, 1 << 20); usleep(2000); }
  return 0; }`,
    );
    const r = await run([bin], { memoryBytes: 128 * 1024 ** 2 }, 4000);
    expect(r.exitCode).not.toBe(0);
    if (hasCgroup) {
      expect(r.sandbox.limitHit).toBe('memory');
      expect(r.timedOut).toBe(false);
    } else {
      expect(r.sandbox.limitHit).toBe('wall-time');
      expect(r.sandbox.missing.some((m) => m.startsWith('cgroup'))).toBe(true);
    }
  });

  it('stops a 1 GiB output file at the file-size limit', async () => {
    const bin = await build(
      'bigfile',
      `#include <stdio.h>
#include <string.h>
int main(void){ static char block[1 << 20]; memset(block, 'x', sizeof block); FILE *f = fopen("big.out", "w");
  for (int i = 0; i < 1024; i++) if (fwrite(block, 1, sizeof block, f) != sizeof block) return 5; return fclose(f) != 0; }`,
    );
    const r = await run([bin], { fileSizeBytes: 16 * 1024 ** 2 });
    expect(r.exitCode).not.toBe(0);
    expect(r.sandbox.limitHit).toBe('file-size');
    expect(statSync(join(workDir, 'big.out')).size).toBeLessThanOrEqual(16 * 1024 ** 2);
  });

  it('stops an infinite loop at the CPU limit', async () => {
    const bin = await build('spin', 'int main(void){ volatile unsigned long n = 0; for (;;) n++; }\n');
    const r = await run([bin], { cpuSeconds: 1 }, 15_000);
    expect(r.sandbox.limitHit).toBe('cpu-time');
    expect(r.durationMs).toBeLessThan(5000);
  });

  // With neither bwrap's pid namespace nor a cgroup, a child that calls setsid()
  // escapes the process-group kill: a known limit, reported as missing protections.
  it.skipIf(!hasBwrap && !hasCgroup)('stops a sleeping program at the wall limit, children included', async () => {
    const bin = await build(
      'sleeper',
      `#include <unistd.h>
int main(void){ if (fork() == 0) { setsid(); sleep(60); _exit(0); } sleep(60); return 0; }`,
    );
    const r = await run([bin], {}, 500);
    expect(r.timedOut).toBe(true);
    expect(r.sandbox.limitHit).toBe('wall-time');
    expect(r.durationMs).toBeLessThan(5000);
    expect(processesMentioning(bin)).toEqual([]);
  });

  it.skipIf(!hasBwrap)('changes nothing outside the work dir', async () => {
    // Other work may change the repo and /tmp while this runs, so entries are compared
    // by this run's unique name; system dirs nobody else touches are compared by mtime too.
    const tag = `autopar-vandal-${rand()}`;
    const watched = [repoRoot, join(repoRoot, 'packages/core/src/verify'), tmpdir(), homedir(), dirname(workDir), '/', '/usr', '/etc'];
    const bin = await build(
      'vandal',
      `#include <stdio.h>
#include <sys/stat.h>
int main(int c, char **v){ char p[4096]; for (int i = 2; i < c; i++) {
  snprintf(p, sizeof p, "%s/%s-file", v[i], v[1]); FILE *f = fopen(p, "w"); if (f) fclose(f);
  snprintf(p, sizeof p, "%s/%s-dir", v[i], v[1]); mkdir(p, 0777); } return 0; }`,
    );
    const systemMtimes = () => ['/', '/usr', '/etc'].map((d) => statSync(d).mtimeMs);
    const before = systemMtimes();
    const r = await run([bin, tag, ...watched]);
    expect(r.exitCode).toBe(0);
    const planted = watched.flatMap((d) => readdirSync(d).filter((n) => n.startsWith(tag)).map((n) => join(d, n)));
    expect(planted).toEqual([]);
    expect(systemMtimes()).toEqual(before);
  });

  it('AUTOPAR_SANDBOX=off runs without bubblewrap and says so', async () => {
    process.env.AUTOPAR_SANDBOX = 'off';
    try {
      const r = await run(['sh', '-c', 'echo ran']);
      expect(r.exitCode).toBe(0);
      expect(r.stdout.trim()).toBe('ran');
      expect(r.sandbox.missing).toContain('bubblewrap: disabled by AUTOPAR_SANDBOX=off');
    } finally {
      delete process.env.AUTOPAR_SANDBOX;
    }
  });
});
