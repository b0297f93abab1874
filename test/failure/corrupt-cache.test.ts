// A damaged store entry costs time, never correctness: it is a miss, it is quarantined
// with one warning, the kernel is proposed and verified again, and corrupt text is never linked.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { buildProject, type BuildReport } from '../../packages/core/src/pipeline/build.js';
import { decodeManifest } from '../../packages/core/src/store/fs-store.js';
import { startScriptedOllama, type ScriptedOllama } from '../../tools/scripted-ollama/server.mjs';
import { buildOptions, fenced, GOOD_VARIANT, listFiles, makeProject, manifests, modelScript, type TempProject } from './project.js';

let p: TempProject;
let srv: ScriptedOllama;
let round = 0;
const chats = () => srv.requests.filter((r) => r.path === '/api/chat' || r.path === '/api/generate').length;

async function build(): Promise<{ report: BuildReport; lines: string[]; calls: number; out: string }> {
  const before = chats();
  const out = p.out(`b${round++}`);
  const o = buildOptions(p, { proposer: 'ollama', ollamaHost: srv.url, outputPath: out });
  const report = await buildProject(o);
  return { report, lines: o.lines, calls: chats() - before, out };
}

function theManifest(): string {
  const all = manifests(p.cacheDir);
  expect(all).toHaveLength(1);
  return all[0]!;
}

function quarantined(): string[] {
  return listFiles(join(p.cacheDir, 'quarantine'));
}

async function expectLinkedGoodVariant(out: string): Promise<void> {
  const spliced = readFileSync(join(out, 'autopar-src/kern.c'), 'utf8');
  expect(spliced).toContain('#pragma omp parallel for');
  expect(spliced).toContain('* 2.0');
  expect(spliced).not.toContain('* 3.0');
  // And the program computes what the original computes.
  const plain = join(p.root, 'plain');
  await execa('gcc', ['-O2', join(p.projectRoot, 'src/kern.c'), join(p.projectRoot, 'src/main.c'), '-o', plain, '-lm']);
  expect((await execa(join(out, 'demo'), ['1000'])).stdout).toBe((await execa(plain, ['1000'])).stdout);
}

beforeAll(async () => {
  p = makeProject();
  srv = await startScriptedOllama({ script: modelScript(fenced(GOOD_VARIANT)) as never, port: 0 });
  const warm = await build();
  const k = warm.report.kernels[0]!;
  expect(k.outcome, `${k.reason} | ${k.candidates.map((c) => c.verdict.reason).join(' | ')}`).toBe('generated');
  expect(warm.calls).toBe(1);
});

afterAll(async () => {
  await srv?.close();
  p?.dispose();
});

describe('corrupt cache entry', () => {
  it('a flipped byte in the ac/ manifest: miss, one warning, quarantined, re-proposed, verified variant linked', async () => {
    const file = theManifest();
    const bytes = readFileSync(file);
    const at = bytes.indexOf(0x0a) + 40; // inside the body, past the integrity header
    bytes[at] = bytes[at]! ^ 0x01;
    writeFileSync(file, bytes);

    const { report, lines, calls, out } = await build();
    expect(calls).toBe(1);
    expect(report.kernels[0]!.outcome).toBe('generated');
    const warnings = lines.filter((l) => l.includes('autopar cache:'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^warning: autopar cache: manifest [0-9a-f]{64}: checksum mismatch; treated as a miss and moved to /);
    expect(quarantined()).toHaveLength(1);
    expect(quarantined()[0]).toMatch(/^ac_/);
    // The store holds a good manifest again.
    expect('manifest' in decodeManifest(readFileSync(theManifest()))).toBe(true);
    await expectLinkedGoodVariant(out);
  });

  it('a corrupt cas/ blob of the chosen variant: miss, the corrupt text is never linked', async () => {
    const m = decodeManifest(readFileSync(theManifest()));
    if (!('manifest' in m)) throw new Error(m.error);
    const digest = m.manifest.chosen!;
    const blob = join(p.cacheDir, 'cas', digest.slice(0, 2), digest);
    const text = readFileSync(blob, 'utf8');
    expect(text).toContain('* 2.0');
    // Same size, still valid C, wrong result: only the digest check can catch it.
    writeFileSync(blob, text.replace('* 2.0', '* 3.0'));

    const { report, lines, calls, out } = await build();
    expect(calls).toBe(1);
    expect(report.kernels[0]!.outcome).toBe('generated');
    const warnings = lines.filter((l) => l.includes('autopar cache:'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/blob [0-9a-f]{64}: content does not match its digest/);
    expect(quarantined().filter((f) => f.startsWith('cas_'))).toHaveLength(1);
    expect(readFileSync(blob, 'utf8')).toContain('* 2.0');
    await expectLinkedGoodVariant(out);
  });

  it('a truncated manifest: miss, one warning, re-proposed', async () => {
    const file = theManifest();
    truncateSync(file, Math.floor(readFileSync(file).length / 2));

    const { report, lines, calls, out } = await build();
    expect(calls).toBe(1);
    expect(report.kernels[0]!.outcome).toBe('generated');
    const warnings = lines.filter((l) => l.includes('autopar cache:'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/truncated\?/);
    await expectLinkedGoodVariant(out);
  });

  it('after the repairs, the next build is a plain cache hit with no warning', async () => {
    const { report, lines, calls } = await build();
    expect(calls).toBe(0);
    expect(report.kernels[0]!.outcome).toBe('cache-hit');
    expect(lines.filter((l) => l.startsWith('warning:'))).toEqual([]);
  });
});
