// A cache folder that cannot be written: the build still verifies, links and succeeds,
// with a warning that results are not being cached.
import { afterEach, expect, it } from 'vitest';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildProject } from '../../packages/core/src/pipeline/build.js';
import { startScriptedOllama } from '../../tools/scripted-ollama/server.mjs';
import { buildOptions, fenced, GOOD_VARIANT, makeProject, modelScript, type TempProject } from './project.js';

let p: TempProject | undefined;
afterEach(() => {
  p?.dispose();
  p = undefined;
});

async function buildWith(cacheDir: string) {
  const srv = await startScriptedOllama({ script: modelScript(fenced(GOOD_VARIANT)) as never, port: 0 });
  try {
    const o = buildOptions(p!, { proposer: 'ollama', ollamaHost: srv.url, cacheDir });
    const report = await buildProject(o);
    return { report, lines: o.lines };
  } finally {
    await srv.close();
  }
}

it('cache dir below a regular file (ENOTDIR, unwritable even for root): build succeeds, warns, links the verified variant', async () => {
  p = makeProject();
  writeFileSync(join(p.root, 'not-a-dir'), 'x');
  const { report, lines } = await buildWith(join(p.root, 'not-a-dir', 'cache'));
  const k = report.kernels[0]!;
  expect(k.outcome).toBe('generated');
  expect(existsSync(report.artifact)).toBe(true);
  expect(readFileSync(join(p.out(), 'autopar-src/kern.c'), 'utf8')).toContain('#pragma omp parallel for');
  const warnings = lines.filter((l) => l.startsWith('warning:'));
  expect(warnings.length).toBeGreaterThanOrEqual(1);
  expect(warnings.some((w) => /cannot write .*ENOTDIR.*without caching/.test(w))).toBe(true);
});

it.skipIf(process.getuid?.() === 0)('read-only cache dir (chmod 555): build succeeds, warns, links the verified variant', async () => {
  p = makeProject();
  mkdirSync(p.cacheDir, { recursive: true });
  chmodSync(p.cacheDir, 0o555);
  const { report, lines } = await buildWith(p.cacheDir);
  expect(report.kernels[0]!.outcome).toBe('generated');
  expect(existsSync(report.artifact)).toBe(true);
  expect(lines.some((w) => /^warning: .*cannot write .*EACCES/.test(w))).toBe(true);
});
