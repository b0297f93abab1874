// HTTP remote store in the layout bazel-remote, ccache's http storage (layout=bazel) and a
// plain WebDAV server (nginx `dav_methods PUT`) all understand:
//
//   GET / PUT / HEAD  <base>/ac/<key>        manifest, in the same checked envelope as on disk
//   GET / PUT / HEAD  <base>/cas/<sha256>    blob whose name is the sha256 of its bytes
//
// Rules this file keeps (the remote is someone else's server; trust nothing it says):
// - Every download is checked: a blob must hash to its name, a manifest must pass its own
//   checksum, name the key asked for and record the same key inputs. Anything else is a miss.
// - Any failure (refused, timed out, 5xx, garbage) is a miss, never an error. After the
//   first failure that is not a plain "not found" the remote is switched off for the rest
//   of this process (one build), with one warning: a dead server must cost one time-out, not
//   one per kernel.
// - Bounded retries, only where a retry can help (connection errors, 5xx, 429), with a
//   short backoff; a time-out is not retried (the next request would likely wait as long).
import { promises as fsp } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { encodeManifest, manifestBlobs, matchManifest, sha256Hex } from './manifest-file.js';
import type { Manifest } from './types.js';

export interface HttpRemoteOptions {
  /** Base URL, e.g. `http://cache.internal:8080/autopar` (ac/ and cas/ go below it). */
  url: string;
  /** `Authorization` header value (`Bearer …` or `Basic …`); see remoteAuthFromEnv. */
  authorization?: string;
  /** PEM file of the CA that signed the server's certificate (https only). */
  caFile?: string;
  /** Per-request time limit in ms (connect + whole response). Default 10 000. */
  timeoutMs?: number;
  /** Extra attempts after a failure that a retry can fix. Default 2. */
  retries?: number;
  /** Never PUT (PR builds, developer machines). */
  readOnly?: boolean;
  /** Called once, on the failure that switches the remote off. */
  onWarning?: (message: string) => void;
}

export interface RemoteCounters {
  hits: number;
  misses: number;
  /** Requests that failed (network, status, time-out) or answered garbage. */
  errors: number;
  /** Downloads that did not check out (digest, envelope, key or key inputs). */
  corrupt: number;
  uploads: number;
  bytesDown: number;
  bytesUp: number;
}

const HEX64 = /^[0-9a-f]{64}$/;
/** Manifests are small; a bigger answer is garbage and is not read to the end. */
const MAX_MANIFEST_BYTES = 16 * 1024 * 1024;
const MAX_BLOB_BYTES = 256 * 1024 * 1024;

/** The Authorization header from the environment: a bearer token, or user + password (basic). */
export function remoteAuthFromEnv(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.AUTOPAR_REMOTE_CACHE_TOKEN) return `Bearer ${env.AUTOPAR_REMOTE_CACHE_TOKEN}`;
  if (env.AUTOPAR_REMOTE_CACHE_USER !== undefined) {
    const pair = `${env.AUTOPAR_REMOTE_CACHE_USER}:${env.AUTOPAR_REMOTE_CACHE_PASSWORD ?? ''}`;
    return `Basic ${Buffer.from(pair, 'utf8').toString('base64')}`;
  }
  return undefined;
}

/** Thrown for a request that failed in a way that says the remote is unusable right now. */
class RemoteFailure extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
  }
}

interface Answer {
  status: number;
  body: Buffer;
}

export class HttpRemote {
  readonly url: string;
  readonly readOnly: boolean;
  private readonly base: URL;
  private readonly authorization: string | undefined;
  private readonly caFile: string | undefined;
  private ca: Buffer | undefined;
  private readonly timeoutMs: number;
  private readonly retries: number;
  private readonly warn: (message: string) => void;
  private readonly agent: http.Agent;
  /** Set on the first real failure: the remote is not asked again in this process. */
  private disabledBecause: string | null = null;
  readonly counters: RemoteCounters = { hits: 0, misses: 0, errors: 0, corrupt: 0, uploads: 0, bytesDown: 0, bytesUp: 0 };

  constructor(options: HttpRemoteOptions) {
    let base: URL;
    try {
      base = new URL(options.url);
    } catch {
      throw new TypeError(`remoteCache: "${options.url}" is not a URL; use e.g. http://cache.example:8080/autopar`);
    }
    if (base.protocol !== 'http:' && base.protocol !== 'https:') {
      throw new TypeError(`remoteCache: "${options.url}" must start with http:// or https://`);
    }
    // user:password in the URL is basic auth; it is moved to the header and never logged.
    let authorization = options.authorization;
    if (!authorization && (base.username || base.password)) {
      const pair = `${decodeURIComponent(base.username)}:${decodeURIComponent(base.password)}`;
      authorization = `Basic ${Buffer.from(pair, 'utf8').toString('base64')}`;
    }
    base.username = '';
    base.password = '';
    if (!base.pathname.endsWith('/')) base.pathname += '/';
    this.base = base;
    this.url = base.toString();
    this.authorization = authorization;
    this.caFile = options.caFile;
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.retries = options.retries ?? 2;
    this.readOnly = options.readOnly ?? false;
    this.warn = options.onWarning ?? (() => {});
    this.agent = base.protocol === 'https:' ? new https.Agent({ keepAlive: true, maxSockets: 8 }) : new http.Agent({ keepAlive: true, maxSockets: 8 });
  }

  /** Why the remote was switched off in this process, or null while it is in use. */
  get disabled(): string | null {
    return this.disabledBecause;
  }

  /** Closes kept-alive connections (so a CLI process can exit at once). */
  close(): void {
    this.agent.destroy();
  }

  // ---- reads -------------------------------------------------------------------

  /**
   * The manifest for `key` when the remote has it, it checks out, it was recorded for
   * `expectedKeyInputs`, and every blob it names downloads intact (returned with it, so a
   * caller can copy the whole entry). Null otherwise.
   */
  async getEntry(key: string, expectedKeyInputs: unknown): Promise<{ manifest: Manifest; blobs: Map<string, Buffer> } | null> {
    checkHex('key', key);
    const bytes = await this.download(`ac/${key}`, MAX_MANIFEST_BYTES);
    if (bytes === null) return null;
    const match = matchManifest(bytes, key, expectedKeyInputs);
    if ('error' in match) return this.corrupt(`ac/${key}: ${match.error}`);
    if ('otherInputs' in match) {
      // Not corruption: the same key computed from other inputs (a bug in key computation,
      // or a collision). It does not answer this request.
      this.counters.misses++;
      return null;
    }
    const m = match.manifest;
    const blobs = new Map<string, Buffer>();
    for (const digest of manifestBlobs(m)) {
      if (!HEX64.test(digest)) return this.corrupt(`ac/${key}: names a blob "${digest}" that is not a sha256`);
      const blob = await this.getBlob(digest);
      if (blob === null) return null;
      blobs.set(digest, blob);
    }
    this.counters.hits++;
    return { manifest: m, blobs };
  }

  /** The blob named `digest`, checked against it; null when absent, unreachable or wrong. */
  async getBlob(digest: string): Promise<Buffer | null> {
    checkHex('digest', digest);
    const bytes = await this.download(`cas/${digest}`, MAX_BLOB_BYTES);
    if (bytes === null) return null;
    if (sha256Hex(bytes) !== digest) return this.corrupt(`cas/${digest}: content does not match its digest`);
    return bytes;
  }

  /** True when the remote holds `path` (HEAD); false when not or when unreachable. */
  async has(kind: 'ac' | 'cas', digest: string): Promise<boolean> {
    checkHex(kind === 'ac' ? 'key' : 'digest', digest);
    const r = await this.request('HEAD', `${kind}/${digest}`);
    return r !== null && r.status === 200;
  }

  private async download(path: string, maxBytes: number): Promise<Buffer | null> {
    const r = await this.request('GET', path, undefined, maxBytes);
    if (r === null) return null;
    if (r.status === 404) {
      this.counters.misses++;
      return null;
    }
    if (r.status !== 200) {
      this.fail(`GET ${path} answered HTTP ${r.status}`);
      return null;
    }
    this.counters.bytesDown += r.body.length;
    return r.body;
  }

  private corrupt(what: string): null {
    this.counters.corrupt++;
    // A server that serves wrong bytes once is not trusted for the rest of the build.
    this.fail(`${what} (a wrong or damaged answer)`);
    return null;
  }

  // ---- writes ------------------------------------------------------------------

  /** Uploads a blob unless the remote has it. Errors are counted and switch the remote off. */
  async putBlob(bytes: Buffer): Promise<void> {
    if (this.readOnly) return;
    const digest = sha256Hex(bytes);
    if (await this.has('cas', digest)) return;
    await this.upload(`cas/${digest}`, bytes);
  }

  /** Uploads a manifest (after its blobs: a reader never finds a manifest whose blobs are missing for long). */
  async putManifest(m: Manifest): Promise<void> {
    if (this.readOnly) return;
    checkHex('key', m.key);
    await this.upload(`ac/${m.key}`, encodeManifest(m));
  }

  private async upload(path: string, body: Buffer): Promise<void> {
    const r = await this.request('PUT', path, body);
    if (r === null) return;
    // 200 replaced, 201 created, 204 no content: all mean stored.
    if (r.status === 200 || r.status === 201 || r.status === 204) {
      this.counters.uploads++;
      this.counters.bytesUp += body.length;
      return;
    }
    this.fail(`PUT ${path} answered HTTP ${r.status}${r.status === 401 || r.status === 403 ? ' (check AUTOPAR_REMOTE_CACHE_TOKEN or _USER/_PASSWORD)' : r.status === 405 ? ' (the server does not accept PUT: enable WebDAV PUT, or mark the remote read-only)' : ''}`);
  }

  // ---- transport ---------------------------------------------------------------

  /** One request with bounded retries; null when the remote is off or failed (already counted and warned). */
  private async request(method: 'GET' | 'PUT' | 'HEAD', path: string, body?: Buffer, maxBytes = MAX_BLOB_BYTES): Promise<Answer | null> {
    if (this.disabledBecause !== null) return null;
    let last = '';
    for (let attempt = 0; attempt <= this.retries; attempt++) {
      if (attempt > 0) await new Promise((r) => setTimeout(r, 100 * 2 ** (attempt - 1)));
      try {
        const r = await this.once(method, path, body, maxBytes);
        if ((r.status >= 500 || r.status === 429) && attempt < this.retries) {
          last = `HTTP ${r.status}`;
          continue;
        }
        return r;
      } catch (err) {
        last = (err as Error).message;
        if (!(err instanceof RemoteFailure) || !err.retryable) break;
      }
    }
    this.fail(`${method} ${path}: ${last}`);
    return null;
  }

  private async once(method: string, path: string, body: Buffer | undefined, maxBytes: number): Promise<Answer> {
    if (this.caFile !== undefined && this.ca === undefined) {
      try {
        this.ca = await fsp.readFile(this.caFile);
      } catch (err) {
        throw new RemoteFailure(`cannot read the CA file ${this.caFile} (remoteCacheCaFile / AUTOPAR_REMOTE_CACHE_CA): ${(err as Error).message}`, false);
      }
    }
    const target = new URL(path, this.base);
    const headers: Record<string, string> = { 'user-agent': 'autopar-store' };
    if (this.authorization) headers.authorization = this.authorization;
    if (body) {
      headers['content-length'] = String(body.length);
      headers['content-type'] = 'application/octet-stream';
    }
    const lib = target.protocol === 'https:' ? https : http;
    return new Promise<Answer>((resolve, reject) => {
      const req = lib.request(target, { method, headers, agent: this.agent, ...(this.ca ? { ca: this.ca } : {}) }, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > maxBytes) {
            req.destroy(new RemoteFailure(`answer larger than ${maxBytes} bytes`, false));
            return;
          }
          chunks.push(c);
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
        res.on('error', (e) => reject(new RemoteFailure(e.message, true)));
      });
      // One limit for the whole exchange: a server that trickles bytes is as bad as a silent one.
      const timer = setTimeout(() => req.destroy(new RemoteFailure(`no complete answer within ${this.timeoutMs} ms`, false)), this.timeoutMs);
      req.on('close', () => clearTimeout(timer));
      req.on('error', (e) => reject(e instanceof RemoteFailure ? e : new RemoteFailure(e.message, isRetryableNetworkError(e))));
      req.end(body);
    });
  }

  private fail(why: string): void {
    this.counters.errors++;
    if (this.disabledBecause !== null) return;
    this.disabledBecause = why;
    this.warn(`autopar cache: remote ${this.url} is unusable (${why}); this build goes on with the local store only`);
  }
}

function isRetryableNetworkError(e: Error): boolean {
  const code = (e as NodeJS.ErrnoException).code;
  // A reset or a refused connection may be a server restarting; a TLS or DNS error will not fix itself.
  return code === 'ECONNRESET' || code === 'ECONNREFUSED' || code === 'EPIPE' || code === 'ETIMEDOUT';
}

function checkHex(kind: string, value: string): void {
  if (!HEX64.test(value)) throw new TypeError(`${kind} must be 64 lowercase hex characters, got ${JSON.stringify(value)}`);
}
