// The HTML report from hand-made report objects: escaping, absent fields, scripted answers,
// recipes, diffs, and the charts (each spec rendered by vega in Node: the marks each named
// layer draws). The page in a real browser: test/e2e/html-report.test.ts.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vega from 'vega';
import { compile } from 'vega-lite';
import type { BuildReport, CandidateReport, KernelReport } from '../pipeline/build.js';
import type { StageResult } from '../verify/types.js';
import { FOLD_BUILDS_ABOVE, renderHtmlReport, renderHtmlReportBytes, reportCharts, stageCounts, type ChartDef } from './html-report.js';
import { checkReportJson, readReportFile, type BenchReport } from './inputs.js';
import { writeHtmlReportBeside } from './write.js';

const ORIGINAL = `void saxpy(int n, double a, const double *x, double *y)
{
    for (int i = 0; i < n; i++)
        y[i] += a * x[i];
}`;

const INJECTION = `</script><script>document.title = 'pwned'</script><img src=x onerror="alert(1)">`;
const PARALLEL = `void saxpy(int n, double a, const double *x, double *y)
{
    /* ${INJECTION} */
    #pragma omp parallel for schedule(static)
    for (int i = 0; i < n; i++)
        y[i] += a * x[i];
}`;

const stage = (name: StageResult['stage'], ok = true, extra: Partial<StageResult> = {}): StageResult => ({
  stage: name,
  ok,
  status: ok ? 'ran' : 'failed',
  reason: ok ? `${name} passed` : `${name} failed: <b>boom</b>`,
  durationMs: 120,
  ...extra,
});
const passAll = () => (['static-gate', 'compile', 'differential', 'sanitize-memory', 'sanitize-race', 'benchmark'] as const).map((s) => stage(s));

const scripted = { kind: 'ollama', model: 'qwen2.5:1.5b', modelDigest: '5c3f1a2b9d8e7f60', strategy: 'zero-shot', scripted: true };
const RECIPE = { name: 'clang-polly', cc: 'clang-19', cflags: ['-O3', '-mllvm', '-polly'], transformFlags: ['-mllvm', '-polly'], raceFlags: null, version: 'clang 19' };

function saxpyKernel(): KernelReport {
  const linked: CandidateReport = {
    label: 'zero-shot#1',
    proposer: scripted,
    sourceDigest: 'aa'.repeat(32),
    functionText: PARALLEL,
    plan: { kernel: 'saxpy', loops: [{ loop: 'L1', action: 'parallel-for', note: '<i>x</i>' }] },
    verdict: {
      accepted: true,
      kind: 'speed',
      stage: 'benchmark',
      reason: 'verified; faster',
      stages: passAll(),
      speedup: { median: 1.8, spread: [1.5, 2.1], pairs: 9, originalMedianMs: 10, candidateMedianMs: 5.5, ci: { level: 0.96, low: 1.6, high: 1.95 } },
      speed: { decision: 'faster', threshold: 1.05, why: 'interval above the threshold' },
      sizeGuard: { measure: '(double)n', threshold: 900, points: [{ size: { n: 97 }, measure: 97, speedup: 0.4 }], why: 'the original runs below (double)n = 900' },
    },
  };
  const recipe: CandidateReport = {
    label: 'recipe:clang-polly',
    proposer: { kind: 'compiler', version: '1' },
    sourceDigest: 'bb'.repeat(32),
    functionText: ORIGINAL,
    recipe: RECIPE,
    verdict: {
      accepted: true,
      kind: 'speed',
      stage: 'benchmark',
      reason: 'verified; slower',
      stages: [...passAll().slice(0, 4), stage('sanitize-race', true, { status: 'skipped', skipped: true, reason: 'gcc threads cannot be race-checked' }), stage('benchmark')],
      speedup: { median: 0.97, spread: [0.9, 1.02], pairs: 5, originalMedianMs: 10, candidateMedianMs: 10.3 },
    },
  };
  const broken: CandidateReport = {
    label: 'zero-shot#2',
    proposer: scripted,
    sourceDigest: 'cc'.repeat(32),
    // no functionText: a stored record whose text is not there
    verdict: { accepted: false, kind: 'correctness', stage: 'compile', reason: 'does not compile', stages: [stage('static-gate'), stage('compile', false)] },
  };
  return {
    kernel: 'saxpy',
    source: '/ws/demo/src/saxpy.c',
    key: 'f'.repeat(64),
    outcome: 'generated',
    reason: 'zero-shot#1 verified at 1.80x',
    proposer: scripted,
    chosen: { label: 'zero-shot#1', proposer: scripted, speedup: linked.verdict.speedup },
    candidates: [linked, recipe, broken],
    rejected: [{ label: 'zero-shot#3', reason: 'no code block', rawResponse: 'Sure! <script>alert("raw")</script>' }],
    durationMs: 4200,
    originalText: ORIGINAL,
  };
}

function report(over: Partial<BuildReport> = {}): BuildReport {
  return {
    schema: 'autopar-report-v1',
    project: 'demo',
    autoparVersion: '0.1.0',
    createdAt: '2026-01-02T03:04:05.000Z',
    toolchain: { cc: 'gcc', version: 'gcc 12.2.0', cflags: ['-O2', '-fopenmp'] },
    threshold: 1.05,
    verification: { sandbox: 'bubblewrap', raceDetector: 'present', allowUnverified: [], note: 'sandbox on' } as BuildReport['verification'],
    kernels: [
      saxpyKernel(),
      {
        // A cache hit written by an older autopar: no originalText, no candidate text, no stage status.
        kernel: 'dot',
        source: '/ws/demo/src/dot.c',
        key: 'e'.repeat(64),
        outcome: 'cache-hit',
        reason: 'cached: no verified variant; original kept',
        proposer: { kind: 'analyzer', version: '1.3.0' },
        chosen: null,
        candidates: [
          {
            label: 'analyzer:outer',
            proposer: { kind: 'analyzer', version: '1.3.0' },
            sourceDigest: 'dd'.repeat(32),
            verdict: { accepted: false, stage: 'differential', reason: 'outputs differ', stages: [{ stage: 'compile', ok: true, reason: 'ok', durationMs: 1 }, { stage: 'differential', ok: false, reason: 'mismatch', durationMs: 2 }] },
          },
        ],
        durationMs: 12,
        storeOrigin: 'local',
      },
    ],
    artifact: '/ws/dist/demo/demo',
    splicedSources: [],
    modelSpend: { calls: 3, seconds: 12.5, inputTokens: 2400, outputTokens: 610, budget: { calls: null, seconds: 60 }, refusedForBudget: 0 },
    ...over,
  };
}

const BENCH: BenchReport = {
  schema: 'autopar-bench-v1',
  createdAt: '2026-01-02T00:00:00.000Z',
  B: {
    rows: [
      {
        kernel: 'saxpy',
        cells: {
          'gcc-autopar': { ok: true, speedup: 1.01, spread: [0.98, 1.04], parallel: false },
          polly: { ok: false, reason: 'n/a: clang-19 missing' },
          autopar: { ok: true, speedup: 1.7, spread: [1.5, 1.9], variant: 'zero-shot#1' },
          'expert-ref': { ok: true, speedup: 1.9 },
        },
      },
    ],
  },
};

/** Renders a chart spec with vega in Node and counts the items of each named layer. */
async function renderedMarks(chart: ChartDef): Promise<Record<string, number>> {
  const view = new vega.View(vega.parse(compile(chart.spec as never).spec), { renderer: 'none' });
  const svg = await view.toSVG();
  const out: Record<string, number> = {};
  for (const name of Object.keys(chart.marks)) {
    const open = svg.indexOf(`role-mark ${name}_marks"`);
    if (open < 0) {
      out[name] = 0;
      continue;
    }
    const start = svg.indexOf('>', open) + 1;
    const group = svg.slice(start, svg.indexOf('</g>', start));
    out[name] = (group.match(/<(path|line|text)\b/g) ?? []).length;
  }
  return out;
}

// The page is ~800 kB: assertions on it print the expectation, not the page.
const has = (page: string, s: string) => expect(page.includes(s), `page contains ${s}`).toBe(true);
const hasNot = (page: string, s: string) => expect(page.includes(s), `page does not contain ${s}`).toBe(false);
const matches = (page: string, re: RegExp) => expect(re.test(page), `page matches ${re}`).toBe(true);
const matchesNot = (page: string, re: RegExp) => expect(re.test(page), `page does not match ${re}`).toBe(false);

const chartJson = (html: string) => {
  const m = html.match(/<script type="application\/json" id="autopar-charts">([\s\S]*?)<\/script>/);
  return JSON.parse(m![1]!) as Array<{ id: string; spec: unknown }>;
};

describe('renderHtmlReport', () => {
  const html = renderHtmlReport([report()], { sources: ['/ws/dist/demo/autopar-report.json'], renderedAt: new Date('2026-01-02T04:00:00Z') });

  it('escapes kernel code, model answers and reasons: no markup of theirs reaches the page', () => {
    // Four script elements: the chart data, vega, vega-lite, the page's own.
    expect(html.match(/<script\b/gi)).toHaveLength(4);
    hasNot(html, INJECTION);
    hasNot(html, '<script>alert');
    hasNot(html, '<img src=x');
    has(html, '&lt;/script&gt;&lt;script&gt;document.title = &#39;pwned&#39;&lt;/script&gt;');
    has(html, 'Sure! &lt;script&gt;alert(&quot;raw&quot;)&lt;/script&gt;');
    has(html, 'compile failed: &lt;b&gt;boom&lt;/b&gt;');
    // The chart data block has no `<` at all, and still parses back to the labels.
    const block = html.match(/<script type="application\/json" id="autopar-charts">([\s\S]*?)<\/script>/)![1]!;
    expect(block).not.toContain('<');
    expect(chartJson(html).map((c) => c.id)).toEqual(['chart-speedup', 'chart-stages', 'chart-outcomes', 'chart-model']);
  });

  it('is self-contained: the charting library is inlined, nothing is loaded from elsewhere', () => {
    matchesNot(html, /<script[^>]*\bsrc=/i);
    matchesNot(html, /<link\b/i);
    matchesNot(html, /(src|href)="(https?:)?\/\//i);
    has(html, 'vegaLite');
    expect(html.length).toBeGreaterThan(500_000); // vega + vega-lite
    for (const id of ['chart-speedup', 'chart-stages', 'chart-outcomes', 'chart-model']) matches(html, new RegExp(`<figure class="chart [a-z]+" id="${id}" data-marks=`));
    matches(html, /<figure class="chart wide" id="chart-speedup"/);
  });

  it('marks scripted test-server answers as scripted, never as a model', () => {
    has(html, 'ollama qwen2.5:1.5b (scripted test server, not a model)');
    has(html, '<span class="badge scripted">scripted</span>');
  });

  it('shows the recipe, the plan, each stage, and the diff against the original', () => {
    has(html, '<div class="small">original below n = 900</div>');
    has(html, '<code>clang-polly</code>');
    has(html, '<code>clang-19 -O3 -mllvm -polly</code>');
    has(html, 'the variant is the original compiled with the recipe clang-polly');
    has(html, '&quot;action&quot;: &quot;parallel-for&quot;');
    has(html, '&lt;i&gt;x&lt;/i&gt;');
    has(html, '<span class="add">+    #pragma omp parallel for schedule(static)</span>');
    has(html, '<span class="file">--- original/saxpy</span>');
    matches(html, /<span class="badge ss-skipped">skipped<\/span><\/td><td>gcc threads cannot be race-checked/);
    has(html, 'verified, not linked');
  });

  it('says what is not in the report instead of failing on absent fields', () => {
    has(html, "The candidate's text is not in the report");
    // The cache hit's kernel has no originalText, but its candidate has no text either: that is what it says.
    const minimal = renderHtmlReport([
      { schema: 'autopar-report-v1', project: 'old', threshold: 1.05, kernels: [{ kernel: 'k', outcome: 'original', reason: 'no proposer available; original kept' }] } as unknown as BuildReport,
    ]);
    has(minimal, 'No candidate was verified for this kernel');
    matches(minimal, /id="chart-speedup" data-empty="true"/);
    matches(minimal, /id="chart-model" data-empty="true"/);
    const noOriginal = renderHtmlReport([report({ kernels: [{ ...saxpyKernel(), originalText: undefined }] })]);
    has(noOriginal, "The original function's text is not in the report");
  });

  it('counts each candidate once per stage it reached', () => {
    const counts = stageCounts(report().kernels.map((kernel) => ({ kernel })));
    expect(counts.map((c) => c.stage)).toEqual(['static-gate', 'compile', 'differential', 'sanitize-memory', 'sanitize-race', 'benchmark']);
    expect(counts.find((c) => c.stage === 'compile')).toEqual({ stage: 'compile', passed: 3, failed: 1, skipped: 0 });
    expect(counts.find((c) => c.stage === 'differential')).toEqual({ stage: 'differential', passed: 2, failed: 1, skipped: 0 });
    expect(counts.find((c) => c.stage === 'sanitize-race')).toEqual({ stage: 'sanitize-race', passed: 1, failed: 0, skipped: 1 });
  });

  it('draws the marks each chart promises (vega, SVG, in Node)', async () => {
    const charts = reportCharts([report(), BENCH]);
    const byId = Object.fromEntries(charts.map((c) => [c.id, c]));
    // Candidates with a speedup: zero-shot#1 and the recipe; only the first has an interval.
    expect(byId['chart-speedup']!.marks).toEqual({ speedup_bars: 2, speedup_interval: 1, speedup_labels: 2, threshold_rule: 1 });
    expect(byId['chart-outcomes']!.marks).toEqual({ outcome_bars: 3, outcome_labels: 3 });
    expect(byId['chart-model']!.marks).toEqual({ model_seconds_bars: 1, model_tokens_bars: 2 });
    // polly did not run: three baselines, two with a spread.
    expect(byId['chart-baselines']!.marks).toEqual({ baseline_bars: 3, baseline_spread: 2, baseline_one: 1 });
    for (const c of charts) expect(await renderedMarks(c), c.id).toEqual(c.marks);
  });

  it('draws speedup per kernel and strategy for the evaluation grid\'s builds (1 where the original was kept)', async () => {
    const cell = (strategy: string, scriptedCell = false) => ({ ...report(), evalCell: { model: 'smollm2-135m', scripted: scriptedCell, strategy, form: 'menu', project: 'demo' } });
    const builds = [cell('zero-shot'), cell('react', true)];
    const charts = reportCharts(builds);
    const chart = charts.find((c) => c.id === 'chart-strategies')!;
    const kernels = report().kernels.length;
    expect(chart.marks).toEqual({ strategy_bars: 2 * kernels, strategy_one: 1 });
    expect(await renderedMarks(chart)).toEqual(chart.marks);
    const values = (chart.spec as { data: { values: Array<{ cell: string; speedup: number; linked: boolean }> } }).data.values;
    expect(values.filter((v) => v.linked).map((v) => v.speedup)).toEqual([1.8, 1.8]);
    expect(values.filter((v) => !v.linked).every((v) => v.speedup === 1)).toBe(true);
    expect(values.some((v) => v.cell === 'smollm2-135m (scripted) · react · menu')).toBe(true);
    matches(renderHtmlReport(builds), /<figure class="chart wide" id="chart-strategies"/);
    // Builds outside the grid have no such chart.
    expect(reportCharts([report()]).some((c) => c.id === 'chart-strategies')).toBe(false);
  });

  it('folds the builds table of a grid-sized page (the charts come first), not of a single build', () => {
    const many = Array.from({ length: FOLD_BUILDS_ABOVE + 1 }, () => report());
    const page = renderHtmlReport(many);
    matches(page, new RegExp(`<details class="builds-table"><summary>${FOLD_BUILDS_ABOVE + 1} builds \\(table\\)</summary><table`));
    expect(page.indexOf('<section><h2>Builds</h2>')).toBeLessThan(page.indexOf('id="chart-speedup"'));
    hasNot(renderHtmlReport([report()]), 'class="builds-table"');
  });

  it('shows the baselines beside the kernels when a bench result is among the inputs', () => {
    const page = renderHtmlReport([report(), BENCH]);
    matches(page, /<figure class="chart wide" id="chart-baselines"/);
    has(page, 'baselines (bench B, vs gcc -O3 serial)');
    has(page, 'gcc-autopar 1.01×<br>autopar 1.70×<br>expert-ref 1.90×');
  });
});

describe('the page a build writes', () => {
  it('is the same page, as bytes', () => {
    const at = new Date('2026-01-02T04:00:00Z');
    expect(renderHtmlReportBytes([report()], { renderedAt: at }).toString('utf8') === renderHtmlReport([report()], { renderedAt: at })).toBe(true);
  });

  it('is written next to the JSON report; a page that cannot be written is a warning, not a failed build', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'autopar-report-unit-'));
    const lines: string[] = [];
    try {
      expect(await writeHtmlReportBeside(report(), dir, (l) => lines.push(l))).toBe(join(dir, 'autopar-report.html'));
      expect(await writeHtmlReportBeside(report(), join(dir, 'missing/folder'), (l) => lines.push(l))).toBeNull();
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^warning: .*missing\/folder\/autopar-report\.html not written \(ENOENT.*\); autopar-report\.json has everything/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('report inputs', () => {
  it('refuses what is not an autopar report, naming the file and what to pass', async () => {
    expect(() => checkReportJson({ schema: 'autopar-manifest-v1' }, '/x/m.json')).toThrow(
      /\/x\/m\.json is not an autopar report \(it has "schema": "autopar-manifest-v1", expected "autopar-report-v1" or "autopar-bench-v1"\); pass the autopar-report\.json/,
    );
    expect(() => checkReportJson([], '/x/a.json')).toThrow(/not a JSON object/);
    expect(() => checkReportJson({ schema: 'autopar-bench-v1', A: {} }, '/x/bench.json')).toThrow(/without section B/);
    const dir = mkdtempSync(join(tmpdir(), 'autopar-report-unit-'));
    try {
      await expect(readReportFile(join(dir, 'none.json'))).rejects.toThrow(/cannot read the report .*none\.json \(no such file\); pass the autopar-report\.json/);
      writeFileSync(join(dir, 'bad.json'), '{ "schema": \n');
      await expect(readReportFile(join(dir, 'bad.json'))).rejects.toThrow(/bad\.json is not an autopar report \(not JSON: [^\n]*\)/);
      writeFileSync(join(dir, 'ok.json'), JSON.stringify(report()));
      expect((await readReportFile(join(dir, 'ok.json'))).schema).toBe('autopar-report-v1');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
