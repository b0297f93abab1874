// A real nginx serving an autopar remote store on loopback, for the store tests and
// `npm run bench`: WebDAV PUT (Debian's nginx has the dav module built in;
// tools/install-system-deps.sh installs it), its own nginx.conf in a temp dir, a free
// loopback port, run as a non-daemon child and stopped by the caller. Types: loopback-nginx.d.mts.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Debian installs it in /usr/sbin, which is not on every user's PATH.
const NGINX = process.env.AUTOPAR_NGINX ?? (existsSync('/usr/sbin/nginx') ? '/usr/sbin/nginx' : 'nginx');

/** Why nginx cannot run here, or null when it can. */
export function nginxMissing() {
  const r = spawnSync(NGINX, ['-v'], { encoding: 'utf8' });
  if (r.error) return `nginx is not installed (${r.error.message}); run tools/install-system-deps.sh`;
  return null;
}

export async function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = srv.address().port;
      srv.close(() => resolve(port));
    });
  });
}

const canConnect = (port) =>
  new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });

export async function startNginx(options = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'autopar-nginx-'));
  const dataRoot = options.dataDir ?? join(dir, 'data');
  mkdirSync(join(dataRoot, 'store'), { recursive: true });
  mkdirSync(join(dir, 'tmp'), { recursive: true });
  const port = await freePort();
  const scheme = options.tls ? 'https' : 'http';
  // `if` + `return` is safe here: nothing else in the location depends on it.
  const auth = options.authorization ? `if ($http_authorization != "${options.authorization}") { return 401; }` : '';
  const conf = `
${process.getuid?.() === 0 ? 'user root root;' : ''}
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 512; }
http {
  access_log ${options.accessLog === false ? 'off' : `${dir}/access.log`};
  client_body_temp_path ${dir}/tmp/body;
  proxy_temp_path ${dir}/tmp/proxy;
  fastcgi_temp_path ${dir}/tmp/fastcgi;
  uwsgi_temp_path ${dir}/tmp/uwsgi;
  scgi_temp_path ${dir}/tmp/scgi;
  client_max_body_size 64m;
  server {
    listen 127.0.0.1:${port}${options.tls ? ' ssl' : ''};
    ${options.tls ? `ssl_certificate ${options.tls.cert}; ssl_certificate_key ${options.tls.key};` : ''}
    root ${dataRoot};
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
  let child = null;

  const start = async () => {
    // -e: the error log before the config is read (the default path may not be writable).
    child = spawn(NGINX, ['-p', dir, '-c', join(dir, 'nginx.conf'), '-e', join(dir, 'error.log'), '-g', 'daemon off;'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const c = child;
    const exited = new Promise((r) => c.once('exit', (code) => r(code)));
    const deadline = Date.now() + 15_000;
    for (;;) {
      if (await canConnect(port)) return;
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
    url: `${scheme}://127.0.0.1:${port}/store/`,
    port,
    dataDir: join(dataRoot, 'store'),
    accessLog: join(dir, 'access.log'),
    start,
    stop,
    async close() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
