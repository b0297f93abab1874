// The HTML report in a real browser: a tiny project built through the real pipeline (a
// scripted Ollama-protocol server answers — canned text, not a model — then a rebuild that
// is a cache hit), `autopar report` on both builds' JSON and a bench result through the CLI,
// then Debian's chromium, headless, on the file: the DOM it dumps must hold every chart as
// SVG with as many marks as the reports have data (bars per benchmarked candidate, per
// outcome, per model-spend figure, per baseline), and its screenshot must not be blank.
//
// Needs Debian's chromium (tools/install-system-deps.sh installs it) and the CLI built
// (`npm test` builds it first; alone: npx tsc -b packages/core). Without chromium the browser
// tests fail, naming the install command. AUTOPAR_REPORT_SCREENSHOT=<file.png> keeps a copy
// of the screenshot and of the page (<file>.html) to look at; the test's own copies go with its
// temp folder.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { PNG } from 'pngjs';
import { buildProject, type BuildReport } from '../../packages/core/src/pipeline/build.js';
import { startScriptedOllama } from '../../tools/scripted-ollama/server.mjs';
import { buildOptions, cli, CLI, fenced, makeProject, modelScript, type TempProject } from '../failure/project.js';

/** The scripted answer: correct, parallel, and carrying markup that must stay text in the page. */
const VARIANT = `#include <math.h>
void scale(int n, const double *x, double *y)
{
    /* </script><script>document.body.setAttribute('data-injected', 'yes')</script> */
    #pragma omp parallel for schedule(static)
    for (int i = 0; i < n; i++)
        y[i] = sqrt(x[i] * x[i] + 1.0) * 2.0;
}`;

/** A bench section B for the same kernel: the baselines beside the builds. */
const BENCH = {
  schema: 'autopar-bench-v1',
  createdAt: '2026-01-01T00:00:00.000Z',
  B: {
    rows: [
      {
        kernel: 'scale',
        serialCallMs: 1.2,
        cells: {
          'gcc-autopar': { ok: true, speedup: 0.99, spread: [0.95, 1.03], parallel: false },
          polly: { ok: true, speedup: 1.42, spread: [1.3, 1.5], parallel: true },
          autopar: { ok: true, speedup: 1.61, spread: [1.5, 1.7], variant: 'zero-shot#1' },
          'expert-ref': { ok: false, reason: 'no reference/<k>_omp.c' },
        },
      },
    ],
  },
};

let p: TempProject;
let server: Awaited<ReturnType<typeof startScriptedOllama>>;
let generated: BuildReport;
let cached: BuildReport;

function chromium(): string {
  const r = which('chromium');
  if (!r) {
    throw new Error(
      "Debian's chromium is not installed, and this test renders the HTML report in it: apt-get install chromium (tools/install-system-deps.sh installs it with the rest of the system toolchain)",
    );
  }
  return r;
}

function which(cmd: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(':')) {
    const f = join(dir, cmd);
    if (dir && existsSync(f)) return f;
  }
  return null;
}

async function headless(args: string[]): Promise<{ stdout: string; stderr: string }> {
  const r = await execa(chromium(), ['--headless', '--no-sandbox', '--disable-gpu', '--hide-scrollbars', `--user-data-dir=${join(p.root, 'chromium-profile')}`, '--virtual-time-budget=15000', ...args], {
    reject: false,
    timeout: 90_000,
  });
  if (r.exitCode !== 0) throw new Error(`chromium exited ${r.exitCode}: ${r.stderr.slice(-2000)}`);
  return { stdout: r.stdout, stderr: r.stderr };
}

/** The HTML of one chart's <figure>. */
function figure(dom: string, id: string): string {
  const start = dom.indexOf(`id="${id}"`);
  expect(start, `chart ${id} in the page`).toBeGreaterThan(0);
  return dom.slice(dom.lastIndexOf('<figure', start), dom.indexOf('</figure>', start));
}

/** Marks drawn by one named layer: the items of its SVG group (<g class="mark-… role-mark NAME_marks">). */
function marks(fig: string, layer: string): number {
  const open = fig.indexOf(`role-mark ${layer}_marks"`);
  if (open < 0) return 0;
  const start = fig.indexOf('>', open) + 1;
  const group = fig.slice(start, fig.indexOf('</g>', start));
  return (group.match(/<(path|line|text)\b/g) ?? []).length;
}

const reportPath = (r: 'a' | 'b') => join(p.out(r), 'autopar-report.json');
const htmlPath = () => join(p.root, 'page', 'report.html');

beforeAll(async () => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: build the CLI first (npx tsc -b packages/core; npm test does it)`);
  server = await startScriptedOllama({ script: modelScript(fenced(VARIANT)) as never, port: 0 });
  p = makeProject();
  // 'auto' finds the (scripted) Ollama server and counts what its "model" spends.
  generated = await buildProject(buildOptions(p, { proposer: 'auto', ollamaHost: server.url, outputPath: p.out('a') }));
  cached = await buildProject(buildOptions(p, { proposer: 'auto', ollamaHost: server.url, outputPath: p.out('b') }));
  writeFileSync(join(p.root, 'bench.json'), JSON.stringify(BENCH, null, 2));
});

afterAll(async () => {
  await server?.close();
  p?.dispose();
});

describe('the HTML report of a real build', () => {
  it('is written by the build next to autopar-report.json', () => {
    expect(generated.kernels[0]).toMatchObject({ outcome: 'generated', chosen: { label: 'zero-shot#1' } });
    expect(cached.kernels[0]).toMatchObject({ outcome: 'cache-hit' });
    for (const r of ['a', 'b'] as const) {
      const page = readFileSync(join(p.out(r), 'autopar-report.html'), 'utf8');
      expect(page.startsWith('<!DOCTYPE html>')).toBe(true);
      expect(page.includes('id="chart-speedup"')).toBe(true);
    }
    // The original function is in the report: the page can diff against it.
    expect(generated.kernels[0]!.originalText).toContain('void scale(int n, const double *x, double *y)');
  });

  it('`autopar report` renders the builds and the baselines into one file; bad input exits 2 naming the file', async () => {
    const r = await cli(['report', reportPath('a'), reportPath('b'), join(p.root, 'bench.json'), '-o', htmlPath()]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`autopar: wrote ${htmlPath()}`);
    const page = readFileSync(htmlPath(), 'utf8');
    expect(page.includes('<span class="add">+    #pragma omp parallel for schedule(static)</span>')).toBe(true);
    expect(page.includes('ollama qwen2.5:1.5b (scripted test server, not a model)')).toBe(true);

    // Default output: next to the first report.
    const d = await cli(['report', reportPath('a')]);
    expect(d.code, d.stderr).toBe(0);
    expect(d.stdout).toContain(join(p.out('a'), 'autopar-report.html'));

    const missing = join(p.root, 'nope/autopar-report.json');
    const m = await cli(['report', missing]);
    expect(m.code).toBe(2);
    expect(m.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(m.stderr).toContain(`cannot read the report ${missing} (no such file); pass the autopar-report.json a build wrote`);

    const notReport = join(p.root, 'demo/autopar.spec.json');
    const n = await cli(['report', reportPath('a'), notReport]);
    expect(n.code).toBe(2);
    expect(n.stderr).toContain(`${notReport} is not an autopar report (it has no field "schema", expected "autopar-report-v1" or "autopar-bench-v1")`);
  });

  it('draws every chart in headless chromium, with as many marks as the reports have data', async () => {
    const { stdout: dom } = await headless(['--dump-dom', `file://${htmlPath()}`]);
    expect(dom).toMatch(/<body[^>]*data-charts-rendered="true"/);
    // The model's answer stayed text: its markup did not run.
    expect(dom).not.toMatch(/data-injected="yes"/);

    const builds = [generated, cached];
    const candidates = builds.flatMap((b) => b.kernels.flatMap((k) => k.candidates));
    const timed = candidates.filter((c) => c.verdict.speedup);
    expect(timed.length).toBeGreaterThanOrEqual(2); // the generated variant, and the same one from the store

    const speedup = figure(dom, 'chart-speedup');
    expect(speedup).toContain('data-rendered="true"');
    expect(speedup).toMatch(/<svg[^>]*class="marks"/);
    expect(marks(speedup, 'speedup_bars')).toBe(timed.length);
    expect(marks(speedup, 'speedup_labels')).toBe(timed.length);
    expect(marks(speedup, 'speedup_interval')).toBe(timed.filter((c) => c.verdict.speedup!.ci).length);
    expect(marks(speedup, 'threshold_rule')).toBe(new Set(builds.map((b) => b.threshold)).size);

    const stages = figure(dom, 'chart-stages');
    expect(stages).toContain('data-rendered="true"');
    const stageStatus = new Set<string>();
    for (const c of candidates) {
      const per = new Map<string, string>();
      for (const s of c.verdict.stages) {
        const st = s.status === 'skipped' || s.skipped ? 'skipped' : s.ok ? 'passed' : 'failed';
        const prev = per.get(s.stage);
        per.set(s.stage, prev === 'failed' || st === 'failed' ? 'failed' : prev === 'passed' || st === 'passed' ? 'passed' : 'skipped');
      }
      for (const s of c.verdict.skipped ?? []) if (!per.has(s.stage)) per.set(s.stage, 'skipped');
      for (const [s, st] of per) stageStatus.add(`${s}/${st}`);
    }
    expect(marks(stages, 'stage_bars')).toBe(stageStatus.size);
    expect(stageStatus.has('compile/passed')).toBe(true);

    const outcomes = figure(dom, 'chart-outcomes');
    expect(outcomes).toContain('data-rendered="true"');
    expect(marks(outcomes, 'outcome_bars')).toBe(3);
    const labels = outcomes.slice(outcomes.indexOf('role-mark outcome_labels_marks'));
    expect([...labels.slice(0, labels.indexOf('</g>')).matchAll(/>(\d+)<\/text>/g)].map((m) => m[1])).toEqual(['1', '1', '0']);

    // A model was configured in both builds (the second spent nothing): seconds and tokens per build.
    expect(builds.every((b) => b.modelSpend)).toBe(true);
    const model = figure(dom, 'chart-model');
    expect(model).toContain('data-rendered="true"');
    expect(marks(model, 'model_seconds_bars')).toBe(builds.length);
    expect(marks(model, 'model_tokens_bars')).toBe(2 * builds.length);

    const baselines = figure(dom, 'chart-baselines');
    expect(baselines).toContain('data-rendered="true"');
    expect(marks(baselines, 'baseline_bars')).toBe(3); // expert-ref did not run
    expect(marks(baselines, 'baseline_spread')).toBe(3);
    expect(marks(baselines, 'baseline_one')).toBe(1);

    // Every chart promised its mark counts in the page; what was drawn matches them.
    for (const m of dom.matchAll(/<figure class="chart[^"]*" id="([^"]+)" data-marks="([^"]+)"/g)) {
      const promised = JSON.parse(m[2]!.replace(/&quot;/g, '"')) as Record<string, number>;
      const fig = figure(dom, m[1]!);
      for (const [layer, n] of Object.entries(promised)) expect(marks(fig, layer), `${m[1]} ${layer}`).toBe(n);
    }
  });

  it('draws speedup per kernel and strategy for the evaluation grid\'s builds in chromium', async () => {
    // Two grid cells as tools/eval.mjs writes them: the build reports with their cell.
    const cells = (['zero-shot', 'tree-of-thoughts'] as const).map((strategy, i) => {
      const file = join(p.root, `cell-${i}.json`);
      writeFileSync(file, JSON.stringify({ ...generated, evalCell: { model: 'qwen2.5:1.5b', scripted: true, strategy, form: 'function', project: 'demo' } }));
      return file;
    });
    const page = join(p.root, 'page', 'grid.html');
    const r = await cli(['report', ...cells, '-o', page]);
    expect(r.code, r.stderr).toBe(0);
    const { stdout: dom } = await headless(['--dump-dom', `file://${page}`]);
    const fig = figure(dom, 'chart-strategies');
    expect(fig).toContain('data-rendered="true"');
    expect(marks(fig, 'strategy_bars')).toBe(2 * generated.kernels.length);
    expect(marks(fig, 'strategy_one')).toBe(1);
    expect(fig).toContain('qwen2.5:1.5b (scripted) · tree-of-thoughts · function');
  });

  it('takes a screenshot that is not blank', async () => {
    const png = join(p.root, 'page', 'report.png');
    await headless([`--screenshot=${png}`, '--window-size=1400,2400', `file://${htmlPath()}`]);
    const img = PNG.sync.read(readFileSync(png));
    expect([img.width, img.height]).toEqual([1400, 2400]);
    const colours = new Map<number, number>();
    for (let i = 0; i < img.data.length; i += 4) {
      const rgb = (img.data[i]! << 16) | (img.data[i + 1]! << 8) | img.data[i + 2]!;
      colours.set(rgb, (colours.get(rgb) ?? 0) + 1);
    }
    // Text, tables and charts: many colours, no single one covering nearly everything.
    expect(colours.size).toBeGreaterThan(200);
    expect(Math.max(...colours.values()) / (img.width * img.height)).toBeLessThan(0.9);
    // The bars of the linked variant (#2ca02c) and of the outcomes (#4c78a8 cache-hit) were painted.
    expect(colours.get(0x2ca02c) ?? 0).toBeGreaterThan(2000);
    expect(colours.get(0x4c78a8) ?? 0).toBeGreaterThan(500);
    if (process.env.AUTOPAR_REPORT_SCREENSHOT) {
      copyFileSync(png, process.env.AUTOPAR_REPORT_SCREENSHOT);
      copyFileSync(htmlPath(), process.env.AUTOPAR_REPORT_SCREENSHOT.replace(/\.png$/, '') + '.html');
    }
  });
});
