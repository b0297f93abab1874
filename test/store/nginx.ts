// A real nginx for the remote-store tests: WebDAV PUT (Debian's nginx has the dav module
// built in; tools/install-system-deps.sh installs it), its own nginx.conf in a temp dir,
// a loopback port, run as a non-daemon child and stopped by the test.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Nginx {
  /** Base URL of the store, e.g. http://127.0.0.1:41234/store/ */
  url: string;
  port: number;
  /** Folder the server stores ac/ and cas/ in (tests damage entries here). */
  dataDir: string;
  /** Stops the server; start() brings it back on the same port and data. */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops it and removes its files. */
  close(): Promise<void>;
}

export interface NginxOptions {
  /** Accept only requests whose Authorization header is exactly this. */
  authorization?: string;
  /** Serve https with this certificate and key (PEM files). */
  tls?: { cert: string; key: string };
  /** Reuse this data folder (two servers or a restart over one store). */
  dataDir?: string;
  /** Extra directives inside `location /store/`. */
  locationExtra?: string;
}

/** Why nginx cannot run here, or null when it can. */
export function nginxMissing(): string | null {
  const r = spawnSync('nginx', ['-v'], { encoding: 'utf8' });
  if (r.error) return `nginx is not installed (${r.error.message}); run tools/install-system-deps.sh`;
  return null;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

export async function startNginx(options: NginxOptions = {}): Promise<Nginx> {
  const dir = mkdtempSync(join(tmpdir(), 'autopar-nginx-'));
  const dataDir = options.dataDir ?? join(dir, 'data');
  mkdirSync(join(dataDir, 'store'), { recursive: true });
  mkdirSync(join(dir, 'tmp'), { recursive: true });
  const port = await freePort();
  const scheme = options.tls ? 'https' : 'http';
  const auth = options.authorization
    ? // `if` with return is safe here: nothing else in the location depends on it.
      `if ($http_authorization != "${options.authorization}") { return 401; }`
    : '';
  const conf = `
${process.getuid?.() === 0 ? 'user root root;' : ''}
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 256; }
http {
  access_log ${dir}/access.log;
  client_body_temp_path ${dir}/tmp/body;
  proxy_temp_path ${dir}/tmp/proxy;
  fastcgi_temp_path ${dir}/tmp/fastcgi;
  uwsgi_temp_path ${dir}/tmp/uwsgi;
  scgi_temp_path ${dir}/tmp/scgi;
  client_max_body_size 64m;
  server {
    listen 127.0.0.1:${port}${options.tls ? ' ssl' : ''};
    ${options.tls ? `ssl_certificate ${options.tls.cert}; ssl_certificate_key ${options.tls.key};` : ''}
    root ${dataDir};
    location /store/ {
      ${auth}
      dav_methods PUT DELETE;
      create_full_put_path on;
      dav_access user:rw group:r all:r;
      ${options.locationExtra ?? ''}
    }
  }
}
`;
  writeFileSync(join(dir, 'nginx.conf'), conf);
  let child: ChildProcess | null = null;
  const url = `${scheme}://127.0.0.1:${port}/store/`;

  const start = async () => {
    // -e: the error log before the config is read (the default path is not writable for tests).
    child = spawn('nginx', ['-p', dir, '-c', join(dir, 'nginx.conf'), '-e', join(dir, 'error.log'), '-g', 'daemon off;'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((r) => child!.once('exit', (code) => r(code)));
    const deadline = Date.now() + 15_000;
    for (;;) {
      const up = await new Promise<boolean>((resolve) => {
        const s = connect(port, '127.0.0.1');
        s.once('connect', () => (s.destroy(), resolve(true)));
        s.once('error', () => resolve(false));
      });
      if (up) return;
      const code = await Promise.race([exited, new Promise((r) => setTimeout(() => r('running'), 50))]);
      if (code !== 'running') {
        const log = existsSync(join(dir, 'error.log')) ? readFileSync(join(dir, 'error.log'), 'utf8') : '';
        throw new Error(`nginx exited (${String(code)}): ${stderr}\n${log}`);
      }
      if (Date.now() > deadline) throw new Error(`nginx did not listen on ${port} within 15 s: ${stderr}`);
    }
  };

  const stop = async () => {
    const c = child;
    child = null;
    if (!c || c.exitCode !== null) return;
    const exited = new Promise((r) => c.once('exit', r));
    c.kill('SIGQUIT'); // graceful: workers finish their requests
    const timer = setTimeout(() => c.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  };

  await start();
  return {
    url,
    port,
    dataDir: join(dataDir, 'store'),
    start,
    stop,
    async close() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
