#!/usr/bin/env node
// Scripted Ollama-protocol server, for tests and demos ONLY.
//
// It speaks the Ollama HTTP API (tags, show, chat, generate, version) but its answers
// are canned text from a script file: no model runs here. Every response carries
// `X-Autopar-Scripted: 1`, /api/version reports "0.0.0-scripted" and the listed
// models' family is "scripted", so nothing it says can pass for a model's output.
//
//   node tools/scripted-ollama/server.mjs --script s.json [--port 0] [--host 127.0.0.1]
//        [--exit-on-stdin-close] [--max-seconds 3600]
//
// See README.md in this folder for the script format.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { pathToFileURL } from 'node:url';

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Normalizes a reply from the script: a string is a plain text answer. */
function normalizeReply(reply) {
  if (typeof reply === 'string') return { text: reply };
  // `json`: an answer that is this value as JSON text (a structured-output reply, e.g. a plan).
  if (reply && typeof reply === 'object' && 'json' in reply) {
    const { json, ...rest } = reply;
    return { ...rest, text: JSON.stringify(json) };
  }
  if (reply && typeof reply === 'object') return { text: '', ...reply };
  throw new Error(`scripted-ollama: bad reply ${JSON.stringify(reply)}`);
}

function loadScript(script) {
  const s = typeof script === 'string' ? JSON.parse(readFileSync(script, 'utf8')) : script;
  if (!s || !Array.isArray(s.models)) throw new Error('scripted-ollama: script needs a "models" array');
  return { models: s.models, rules: s.rules ?? [], default: s.default };
}

/** Ollama lists `ollama pull gemma3` as "gemma3:latest"; requests may use either. */
function sameModel(a, b) {
  const full = (n) => (n.includes(':') ? n : `${n}:latest`);
  return typeof a === 'string' && typeof b === 'string' && full(a) === full(b);
}

function digestOf(model) {
  return model.digest ?? createHash('sha256').update(`scripted:${model.name}`).digest('hex');
}

function tagEntry(model) {
  return {
    name: model.name,
    model: model.name,
    modified_at: model.modified_at ?? '2025-01-01T00:00:00Z',
    size: model.size ?? 1_000_000,
    digest: digestOf(model),
    details: {
      parent_model: '',
      format: 'gguf',
      family: 'scripted',
      families: ['scripted'],
      parameter_size: model.parameter_size ?? '1B',
      quantization_level: model.quantization_level ?? 'Q4_K_M',
    },
  };
}

/** The text a rule's `contains` is matched against: the last user message, or the prompt. */
function lastUserText(path, body) {
  if (path === '/api/generate') return String(body.prompt ?? '');
  const msgs = Array.isArray(body.messages) ? body.messages : [];
  for (let i = msgs.length - 1; i >= 0; i--) if (msgs[i]?.role === 'user') return String(msgs[i].content ?? '');
  return '';
}

/** Splits text into small pieces the way a model streams tokens (words with their spacing). */
function pieces(text) {
  const out = text.match(/\s*\S+|\s+$/g) ?? [];
  return out.length ? out : [''];
}

export async function startScriptedOllama({ script, port = 0, host = '127.0.0.1' } = {}) {
  if (!LOOPBACK.has(host)) throw new Error(`scripted-ollama binds loopback only, not ${host}`);
  const s = loadScript(script);
  const requests = [];
  // How many times each rule (or the default) has answered: a reply list is played in order.
  const uses = new Map();
  const timers = new Set();

  const wait = (ms) =>
    new Promise((resolve) => {
      const t = setTimeout(() => {
        timers.delete(t);
        resolve();
      }, ms);
      timers.add(t);
    });

  const pick = (path, body) => {
    const text = lastUserText(path, body);
    let index = s.rules.findIndex((r) => {
      const m = r.match ?? {};
      if (m.model !== undefined && !sameModel(m.model, body.model)) return false;
      if (m.contains !== undefined && !text.includes(m.contains)) return false;
      return true;
    });
    let reply = index >= 0 ? s.rules[index].reply : s.default;
    if (reply === undefined) {
      return { status: 500, text: 'scripted-ollama: no rule matched this request and the script has no default' };
    }
    if (Array.isArray(reply)) {
      const n = uses.get(index) ?? 0;
      uses.set(index, n + 1);
      reply = reply[Math.min(n, reply.length - 1)];
    }
    return normalizeReply(reply);
  };

  const sendJson = (res, status, obj) => {
    const body = JSON.stringify(obj);
    res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(body) });
    res.end(body);
  };

  const findModel = (name) => s.models.find((m) => sameModel(m.name, name));

  async function generation(path, body, res) {
    const model = findModel(body.model);
    if (!model) return sendJson(res, 404, { error: `model '${body.model}' not found` });
    const reply = pick(path, body);
    if (reply.delayMs) await wait(reply.delayMs);
    if (res.destroyed) return;
    if (reply.status && reply.status >= 400) return sendJson(res, reply.status, { error: reply.text || `scripted error ${reply.status}` });

    const isChat = path === '/api/chat';
    const created_at = new Date().toISOString();
    const chunk = (content) =>
      isChat
        ? { model: body.model, created_at, message: { role: 'assistant', content }, done: false }
        : { model: body.model, created_at, response: content, done: false };
    const parts = pieces(reply.text);
    const final = {
      ...chunk(''),
      done: true,
      done_reason: 'stop',
      total_duration: 1_000_000,
      load_duration: 100_000,
      prompt_eval_count: lastUserText(path, body).length >> 2,
      prompt_eval_duration: 200_000,
      eval_count: parts.length,
      eval_duration: 700_000,
      ...(isChat ? {} : { context: [] }),
    };

    if (body.stream === false) {
      const whole = JSON.stringify({ ...final, ...(isChat ? { message: { role: 'assistant', content: reply.text } } : { response: reply.text }) });
      if (reply.hangup) {
        // Promise the whole body, send half, drop the connection.
        res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(whole) });
        res.write(whole.slice(0, whole.length >> 1));
        return res.socket?.destroy();
      }
      return sendJson(res, 200, JSON.parse(whole));
    }

    res.writeHead(200, { 'Content-Type': 'application/x-ndjson' });
    const stopAt = reply.hangup ? Math.max(1, parts.length >> 1) : parts.length;
    for (let i = 0; i < stopAt; i++) {
      if (res.destroyed) return;
      res.write(JSON.stringify(chunk(parts[i])) + '\n');
      if (reply.chunkDelayMs) await wait(reply.chunkDelayMs);
    }
    if (reply.hangup) return res.socket?.destroy();
    res.end(JSON.stringify(final) + '\n');
  }

  async function handle(req, res) {
    res.setHeader('X-Autopar-Scripted', '1');
    const url = new URL(req.url ?? '/', 'http://x');
    const path = url.pathname;
    const chunks = [];
    for await (const c of req) chunks.push(c);
    const raw = Buffer.concat(chunks).toString('utf8');
    let body = null;
    if (raw) {
      try {
        body = JSON.parse(raw);
      } catch {
        return sendJson(res, 400, { error: 'invalid JSON body' });
      }
    }

    if (path === '/_autopar/requests' && req.method === 'GET') return sendJson(res, 200, requests);
    if (path === '/_autopar/reset' && req.method === 'POST') {
      requests.length = 0;
      uses.clear();
      return sendJson(res, 200, { ok: true });
    }
    requests.push({ method: req.method, path, body });

    if (req.method === 'GET' && (path === '/api/version')) return sendJson(res, 200, { version: '0.0.0-scripted' });
    if (req.method === 'GET' && path === '/api/tags') return sendJson(res, 200, { models: s.models.map(tagEntry) });
    if (req.method === 'GET' && path === '/api/ps') return sendJson(res, 200, { models: [] });
    if (req.method === 'GET' && path === '/') return res.end('Ollama is running (scripted)');
    if (req.method === 'POST' && path === '/api/show') {
      const name = body?.model ?? body?.name;
      const model = findModel(name);
      if (!model) return sendJson(res, 404, { error: `model '${name}' not found` });
      const t = tagEntry(model);
      return sendJson(res, 200, {
        license: '',
        modelfile: `# scripted model ${model.name}\nFROM scripted\n`,
        parameters: '',
        template: '{{ .Prompt }}',
        details: t.details,
        model_info: { 'general.architecture': 'scripted' },
        capabilities: ['completion'],
        modified_at: t.modified_at,
      });
    }
    if (req.method === 'POST' && (path === '/api/chat' || path === '/api/generate')) return generation(path, body ?? {}, res);
    return sendJson(res, 404, { error: `scripted-ollama: no endpoint ${req.method} ${path}` });
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch((err) => {
      if (!res.headersSent) sendJson(res, 500, { error: String(err?.message ?? err) });
      else res.destroy();
    });
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  const addr = server.address();
  const shownHost = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  const url = `http://${shownHost}:${addr.port}`;

  let closed = null;
  const close = () => {
    if (!closed) {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      closed = new Promise((resolve) => server.close(() => resolve()));
      // Delayed and streaming answers hold connections open; do not wait for them.
      server.closeAllConnections();
    }
    return closed;
  };
  return {
    url,
    port: addr.port,
    requests,
    reset: () => {
      requests.length = 0;
      uses.clear();
    },
    close,
  };
}

function parseArgs(argv) {
  const args = { port: 0, host: '127.0.0.1', maxSeconds: 3600, exitOnStdinClose: false, script: undefined };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--script') args.script = next();
    else if (a === '--port') args.port = Number(next());
    else if (a === '--host') args.host = next();
    else if (a === '--max-seconds') args.maxSeconds = Number(next());
    else if (a === '--exit-on-stdin-close') args.exitOnStdinClose = true;
    else throw new Error(`unknown argument ${a}`);
  }
  if (!args.script) throw new Error('--script <file.json> is required');
  return args;
}

async function main() {
  let args;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`scripted-ollama: ${err.message}\nusage: server.mjs --script <file.json> [--port 0] [--host 127.0.0.1] [--exit-on-stdin-close] [--max-seconds 3600]\n`);
    process.exit(2);
  }
  const srv = await startScriptedOllama({ script: args.script, port: args.port, host: args.host });
  process.stdout.write(`listening ${srv.url}\n`);
  const stop = async () => {
    await srv.close();
    process.exit(0);
  };
  // Always bounded: a forgotten demo server must not outlive its purpose.
  setTimeout(stop, args.maxSeconds * 1000).unref();
  if (args.exitOnStdinClose) {
    process.stdin.on('end', stop);
    process.stdin.on('close', stop);
    process.stdin.resume();
  }
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((err) => {
    process.stderr.write(`scripted-ollama: ${err?.stack ?? err}\n`);
    process.exit(1);
  });
}
