// tools/eval.mjs (npm run eval) on one kernel against the scripted Ollama server — canned
// answers, not a model: the grid runs a real build per cell into one store, flags the
// scripted server in every row, and a second run is all cache hits with no model call.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startScriptedOllama } from './scripted-ollama/server.mjs';

const ROOT = resolve(import.meta.dirname, '..');
const run = promisify(execFile);

// matmul with a call the static gate forbids: the candidate is rejected before anything
// compiles, so the cell costs a second, and the verdict is stored like any other.
const ANSWER = [
  '```c',
  'void matmul(int n, const double *A, const double *B, double *C)',
  '{',
  '    system("true");',
  '    #pragma omp parallel for',
  '    for (int i = 0; i < n; i++)',
  '        for (int j = 0; j < n; j++) {',
  '            C[IDX(i, j, n)] = 0.0;',
  '            for (int k = 0; k < n; k++)',
  '                C[IDX(i, j, n)] += A[IDX(i, k, n)] * B[IDX(k, j, n)];',
  '        }',
  '}',
  '```',
].join('\n');

const tmp = mkdtempSync(join(tmpdir(), 'autopar-eval-test-'));
const out = join(tmp, 'eval');
let server: Awaited<ReturnType<typeof startScriptedOllama>>;

const chats = () => server.requests.filter((r) => r.path === '/api/chat' || r.path === '/api/generate').length;
const evalRun = (extra: string[] = []) =>
  run(
    process.execPath,
    ['tools/eval.mjs', '--models', 'ollama:scripted-coder', '--strategies', 'zero-shot', '--forms', 'function', '--kernel', 'matmul', '--no-baselines', '--out', out, ...extra],
    { cwd: ROOT, env: { ...process.env, OLLAMA_HOST: server.url, CI: '1' }, timeout: 240_000, maxBuffer: 16 * 2 ** 20 },
  );
const readJson = () => JSON.parse(readFileSync(join(out, 'eval.json'), 'utf8'));

beforeAll(async () => {
  server = await startScriptedOllama({ script: { models: [{ name: 'scripted-coder' }], rules: [], default: ANSWER }, port: 0 });
});

afterAll(async () => {
  await server?.close();
  rmSync(tmp, { recursive: true, force: true });
});

describe('npm run eval', () => {
  it('runs the grid on one kernel, then a rerun is all cache hits with no model call', async () => {
    const first = await evalRun();
    const one = readJson();
    expect(one.cells).toHaveLength(1);
    const c = one.cells[0];
    expect(c).toMatchObject({ kernel: 'matmul', model: 'ollama:scripted-coder', engine: 'ollama', scripted: true, strategy: 'zero-shot', form: 'function' });
    expect(c).toMatchObject({ outcome: 'original', verified: false, linked: false, speedup: 1, candidates: 1, cacheHit: false, modelCalls: 1, error: null });
    expect(c.stages['static-gate']).toEqual({ passed: 0, failed: 1, skipped: 0 });
    expect(chats()).toBe(1);
    expect(first.stderr).toMatch(/\[eval\] 1\/1 ollama:scripted-coder \(scripted\) zero-shot function matmul: original/);
    expect(first.stdout).toMatch(/\| ollama:scripted-coder \(SCRIPTED, not a model\) \| zero-shot \| function \| 1 \| 0% \| 0% \| 1\.00 \|/);

    const second = await evalRun();
    const two = readJson();
    expect(chats()).toBe(1); // the server was not asked again
    expect(two.cells).toHaveLength(1);
    for (const cell of two.cells) expect(cell).toMatchObject({ cacheHit: true, outcome: 'cache-hit', modelCalls: 0, scripted: true, candidates: 1 });
    // What the first run spent making the entry is still reported (<out>/ledger.json).
    expect(two.cells[0].generated).toMatchObject({ modelCalls: 1, strategy: 'zero-shot', form: 'function' });
    expect(two.totals).toMatchObject({ cells: 1, cacheHits: 1, modelCalls: 0, scripted: true });
    expect(two.summary).toEqual([expect.objectContaining({ model: 'ollama:scripted-coder', scripted: true, cacheHits: 1, modelCalls: 0, verifiedPct: 0, linkedPct: 0, geomeanSpeedup: 1 })]);
    expect(second.stdout).toContain('1/1 cell(s) were cache hits; 0 model call(s)');

    const rows = parse(readFileSync(join(out, 'eval.csv'), 'utf8'), { columns: true }) as Array<Record<string, string>>;
    expect(rows).toHaveLength(two.cells.length);
    for (const r of rows) expect(r).toMatchObject({ kernel: 'matmul', scripted: 'true', cacheHit: 'true', modelCalls: '0', 'static-gate_failed': '1' });

    const html = join(out, 'eval-report.html');
    expect(existsSync(html)).toBe(true);
    expect(statSync(html).size).toBeGreaterThan(10_000);
    expect(readFileSync(html, 'utf8')).toContain('scripted test server, not a model');
  });

  it('--store-only reports what the store has and generates nothing: a cell it lacks is marked not run and left out of the summary', async () => {
    const before = chats();
    await evalRun(['--store-only', '--strategies', 'zero-shot,chain-of-thought']);
    const r = readJson();
    expect(chats()).toBe(before);
    const [hit, missing] = [r.cells.find((c: { strategy: string }) => c.strategy === 'zero-shot'), r.cells.find((c: { strategy: string }) => c.strategy === 'chain-of-thought')];
    expect(hit).toMatchObject({ cacheHit: true });
    expect(missing).toMatchObject({ notRun: true, error: 'not in the store (--store-only: not generated)' });
    expect(r.summary.map((s: { strategy: string }) => s.strategy)).toEqual(['zero-shot']);
  });

  it('refuses an unknown strategy or form, naming the choices', async () => {
    await expect(evalRun(['--strategies', 'zero-shot,guessing'])).rejects.toMatchObject({ stderr: expect.stringMatching(/unknown strategy "guessing"; use zero-shot, few-shot/) });
    await expect(evalRun(['--forms', 'essay'])).rejects.toMatchObject({ stderr: expect.stringMatching(/unknown output form "essay"; use function, plan, menu/) });
  });
});
