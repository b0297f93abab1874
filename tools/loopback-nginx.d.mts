// Types for loopback-nginx.mjs (a real nginx with WebDAV PUT on loopback, for tests and bench).

export interface Nginx {
  /** Base URL of the store, e.g. http://127.0.0.1:41234/store/ */
  url: string;
  port: number;
  /** Folder the server keeps ac/ and cas/ in (tests damage entries here). */
  dataDir: string;
  /** The server's access log (one line per request). */
  accessLog: string;
  /** Stops the server; start() brings it back on the same port and data. */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops it and removes its config, logs and (unless dataDir was given) data. */
  close(): Promise<void>;
}

export interface NginxOptions {
  /** Accept only requests whose Authorization header is exactly this. */
  authorization?: string;
  /** Serve https with this certificate and key (PEM files). */
  tls?: { cert: string; key: string };
  /** Serve this folder's store/ (a second server over the same data). */
  dataDir?: string;
  /** Extra directives inside `location /store/`. */
  locationExtra?: string;
  /** false: no access log (benchmarks). */
  accessLog?: boolean;
}

export function nginxMissing(): string | null;
export function freePort(): Promise<number>;
export function startNginx(options?: NginxOptions): Promise<Nginx>;
