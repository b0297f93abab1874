// The HTML report of a build: one self-contained page (charts, tables, plans, diffs) that
// opens from disk with no server and no network. Rendered from the JSON reports of one or
// more builds (autopar-report.json), and, for the baselines beside them, from `npm run
// bench`'s bench.json. `autopar report` and every build (next to autopar-report.json) write it.
//
// Charts are Vega-Lite specs compiled and drawn in the page by Vega's SVG renderer; both
// libraries' browser builds are read from node_modules at render time and inlined, so the
// page needs nothing else. Every chart sits in a <figure class="chart" id="chart-…"> and
// names its layers (e.g. `speedup_bars`): Vega puts the name on the SVG group of the layer's
// marks (<g class="mark-rect role-mark speedup_bars_marks">), one element per datum.
//
// Everything from a report (kernel code, model answers, reasons, labels) is escaped: as HTML
// text in the tables, as JSON with `<` written \u003c inside the <script> blocks.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { createTwoFilesPatch } from 'diff';
import type { BuildReport, CandidateReport, KernelReport } from '../pipeline/build.js';
import type { ProposerIdentity } from '../propose/types.js';
import type { StageName, StageResult, Verdict } from '../verify/types.js';
import { AUTOPAR_VERSION } from '../version.js';
import { describeGuard } from '../kernel/size-guard-text.js';
import { isBenchReport, type BenchReport, type ReportFile } from './inputs.js';

export interface HtmlReportOptions {
  /** Where each input came from (same order as the inputs), shown in the page's header. */
  sources?: string[];
  title?: string;
  /** Shown as "rendered at"; default now. */
  renderedAt?: Date;
}

/** One chart of the page: its container id, the Vega-Lite spec, and how many marks each named layer draws. */
export interface ChartDef {
  id: string;
  title: string;
  note: string;
  spec: Record<string, unknown>;
  /** Named layer → number of marks it draws (one per datum). */
  marks: Record<string, number>;
}

export const STAGE_ORDER: StageName[] = ['static-gate', 'plan-legality', 'compile', 'differential', 'sanitize-memory', 'sanitize-race', 'benchmark'];
export const BASELINE_COLUMNS = ['gcc-autopar', 'polly', 'autopar', 'expert-ref'];

const OUTCOMES = ['cache-hit', 'generated', 'original'] as const;
const OUTCOME_COLORS = ['#4c78a8', '#2ca02c', '#9a9a9a'];
const CANDIDATE_STATUSES = ['linked', 'verified, not linked', 'screened only', 'rejected'] as const;
const CANDIDATE_COLORS = ['#2ca02c', '#4c78a8', '#e8a33d', '#d62728'];
type CandidateStatus = (typeof CANDIDATE_STATUSES)[number];
const STAGE_STATUSES = ['passed', 'failed', 'skipped'] as const;
const STAGE_COLORS = ['#54a24b', '#e45756', '#b8b0ac'];
type StageStatus = (typeof STAGE_STATUSES)[number];

interface KernelEntry {
  report: BuildReport;
  kernel: KernelReport;
  /** Unique over the page: the kernel, with its project when several builds are shown. */
  label: string;
  anchor: string;
}

// ---------------------------------------------------------------------------------------------
// The page

export function renderHtmlReport(inputs: ReportFile[], opts: HtmlReportOptions = {}): string {
  const [before, after] = pageAround(inputs, opts);
  return before + librariesText() + after;
}

/** The same page as bytes, for the build: the inlined libraries' bytes are made once per process. */
export function renderHtmlReportBytes(inputs: ReportFile[], opts: HtmlReportOptions = {}): Buffer {
  const [before, after] = pageAround(inputs, opts);
  librariesBytes ??= Buffer.from(librariesText(), 'utf8');
  return Buffer.concat([Buffer.from(before, 'utf8'), librariesBytes, Buffer.from(after, 'utf8')]);
}

let librariesBytes: Buffer | undefined;

function librariesText(): string {
  return `<script>${libraryScript('vega', 'vega.min.js')}</script>
<script>${libraryScript('vega-lite', 'vega-lite.min.js')}</script>
`;
}

/** The page before and after the inlined libraries. */
function pageAround(inputs: ReportFile[], opts: HtmlReportOptions): [string, string] {
  const builds = inputs.filter((r): r is BuildReport => !isBenchReport(r));
  const benches = inputs.filter(isBenchReport);
  const entries = kernelEntries(builds);
  const charts = reportCharts(inputs);
  const title = opts.title ?? (builds.length === 1 ? `autopar report: ${builds[0]!.project}` : 'autopar report');
  const rendered = (opts.renderedAt ?? new Date()).toISOString();

  const body = [
    `<header><h1>${esc(title)}</h1>`,
    `<p class="sub">${esc(describeInputs(inputs, opts.sources))} · rendered ${esc(rendered)} by autopar ${esc(AUTOPAR_VERSION)}</p></header>`,
    summaryCards(builds, entries),
    buildsTable(builds, opts.sources ? opts.sources.filter((_, i) => !isBenchReport(inputs[i]!)) : undefined),
    '<section class="charts">',
    chartFigure(charts, 'chart-speedup', 'wide'),
    charts.some((c) => c.id === 'chart-strategies') ? chartFigure(charts, 'chart-strategies', 'wide') : '',
    chartFigure(charts, 'chart-stages', 'wide'),
    stageTable(entries),
    '<div class="row">',
    chartFigure(charts, 'chart-outcomes', 'half'),
    chartFigure(charts, 'chart-model', 'half'),
    '</div>',
    modelTable(builds),
    benches.length ? chartFigure(charts, 'chart-baselines', 'wide') : '',
    '</section>',
    kernelsTable(entries, benches),
    entries.map((e) => kernelSection(e)).join('\n'),
    `<footer>Charts: Vega ${esc(libraryVersion('vega'))} and Vega-Lite ${esc(libraryVersion('vega-lite'))} (SVG renderer), inlined; this page needs no server and no network.</footer>`,
  ].join('\n');

  const chartJson = charts.map((c) => ({ id: c.id, spec: c.spec }));
  return [
    `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="autopar ${esc(AUTOPAR_VERSION)}">
<title>${esc(title)}</title>
<style>${CSS}</style>
</head>
<body>
<noscript><p class="warn">The charts need JavaScript; the tables below are complete without it.</p></noscript>
<main>
${body}
</main>
<script type="application/json" id="autopar-charts">${scriptJson(chartJson)}</script>
`,
    `<script>${PAGE_SCRIPT}</script>
</body>
</html>
`,
  ];
}

// ---------------------------------------------------------------------------------------------
// Charts (plain data: the unit tests render them with vega in Node)

export function reportCharts(inputs: ReportFile[]): ChartDef[] {
  const builds = inputs.filter((r): r is BuildReport => !isBenchReport(r));
  const benches = inputs.filter(isBenchReport);
  const entries = kernelEntries(builds);
  const charts = [speedupChart(entries, builds), strategyChart(builds), stagesChart(entries), outcomesChart(entries), modelChart(builds)];
  if (benches.length) charts.push(baselinesChart(benches));
  return charts.filter((c): c is ChartDef => c !== null);
}

function speedupChart(entries: KernelEntry[], builds: BuildReport[]): ChartDef | null {
  const rows: Array<Record<string, unknown>> = [];
  const seen = new Set<string>();
  for (const e of entries) {
    for (const c of list(e.kernel.candidates)) {
      const s = c.verdict?.speedup;
      if (!s || !Number.isFinite(s.median)) continue;
      let row = `${e.label} · ${c.label}`;
      for (let n = 2; seen.has(row); n++) row = `${e.label} · ${c.label} (${n})`;
      seen.add(row);
      const low = s.ci?.low;
      const high = s.ci?.high;
      rows.push({
        row,
        kernel: e.label,
        candidate: c.label,
        proposer: proposerName(c.proposer),
        status: candidateStatus(e.kernel, c),
        median: s.median,
        low: Number.isFinite(low) ? low : null,
        high: Number.isFinite(high) ? high : null,
        interval: s.ci ? describeInterval(s.ci) : 'none in the report',
        pairs: s.pairs,
        labelAt: Math.max(s.median, Number.isFinite(high) ? high! : s.median),
        text: `${fmt(s.median)}×`,
        decision: c.verdict.speed?.decision ?? '',
      });
    }
  }
  if (rows.length === 0) return null;
  const thresholds = [...new Set(builds.map((b) => b.threshold).filter((t) => Number.isFinite(t)))].map((threshold) => ({ threshold }));
  const withInterval = rows.filter((r) => r.low !== null && r.high !== null).length;
  const xTitle = 'speedup (median of original time / candidate time)';
  const x = (field: string) => ({ field, type: 'quantitative', title: xTitle });
  const y = { field: 'row', type: 'nominal', sort: null, title: null, axis: { labelLimit: 380 } };
  return {
    id: 'chart-speedup',
    title: 'Speedup per kernel and candidate',
    note:
      'Bars: the median speedup the verifier measured (cache hits: as stored). Black lines: the confidence interval, where the report has one. ' +
      `Dashed line: the threshold${thresholds.length > 1 ? 's' : ''} (${thresholds.map((t) => `${fmtThreshold(t.threshold)}×`).join(', ')}) a variant's interval must clear to be linked. Candidates rejected before the benchmark have no bar.`,
    spec: {
      width: 720,
      height: { step: 24 },
      data: { values: rows },
      layer: [
        {
          name: 'speedup_bars',
          mark: { type: 'bar' },
          encoding: {
            y,
            x: x('median'),
            color: { field: 'status', type: 'nominal', scale: { domain: [...CANDIDATE_STATUSES], range: CANDIDATE_COLORS }, legend: { title: null, orient: 'bottom' } },
            tooltip: [
              { field: 'kernel', title: 'kernel' },
              { field: 'candidate', title: 'candidate' },
              { field: 'proposer', title: 'proposer' },
              { field: 'median', title: 'median speedup', format: '.3f' },
              { field: 'interval', title: 'interval' },
              { field: 'pairs', title: 'pairs' },
              { field: 'status', title: 'status' },
              { field: 'decision', title: 'speed decision' },
            ],
          },
        },
        {
          name: 'speedup_interval',
          transform: [{ filter: 'isValid(datum.low) && isValid(datum.high)' }],
          mark: { type: 'rule', color: '#222', strokeWidth: 1.5 },
          encoding: { y, x: x('low'), x2: { field: 'high' } },
        },
        {
          name: 'speedup_labels',
          mark: { type: 'text', align: 'left', baseline: 'middle', dx: 4, fontSize: 11, color: '#333' },
          encoding: { y, x: x('labelAt'), text: { field: 'text' } },
        },
        {
          name: 'threshold_rule',
          data: { values: thresholds },
          mark: { type: 'rule', color: '#7b3fa0', strokeDash: [6, 4], strokeWidth: 2 },
          encoding: { x: x('threshold'), tooltip: [{ field: 'threshold', title: 'threshold' }] },
        },
      ],
    },
    marks: { speedup_bars: rows.length, speedup_interval: withInterval, speedup_labels: rows.length, threshold_rule: thresholds.length },
  };
}

/** Per candidate, per stage: passed, failed, or skipped (a stage that ran twice counts once). */
export function stageCounts(entries: Array<{ kernel: KernelReport }>): Array<{ stage: string; passed: number; failed: number; skipped: number }> {
  const counts = new Map<string, Record<StageStatus, number>>();
  const bump = (stage: string, st: StageStatus) => {
    const c = counts.get(stage) ?? { passed: 0, failed: 0, skipped: 0 };
    c[st]++;
    counts.set(stage, c);
  };
  for (const e of entries) {
    for (const c of list(e.kernel.candidates)) {
      const per = new Map<string, StageStatus>();
      for (const s of list(c.verdict?.stages)) {
        const st = stageStatus(s);
        const prev = per.get(s.stage);
        per.set(s.stage, prev === 'failed' || st === 'failed' ? 'failed' : prev === 'passed' || st === 'passed' ? 'passed' : 'skipped');
      }
      for (const s of list(c.verdict?.skipped)) if (!per.has(s.stage)) per.set(s.stage, 'skipped');
      for (const [stage, st] of per) bump(stage, st);
    }
  }
  const order = [...STAGE_ORDER, ...[...counts.keys()].filter((s) => !STAGE_ORDER.includes(s as StageName))];
  return order.filter((s) => counts.has(s)).map((stage) => ({ stage, ...counts.get(stage)! }));
}

function stagesChart(entries: KernelEntry[]): ChartDef | null {
  const counts = stageCounts(entries);
  const rows = counts.flatMap((c) =>
    STAGE_STATUSES.filter((st) => c[st] > 0).map((status) => ({
      stage: c.stage,
      status,
      order: STAGE_STATUSES.indexOf(status),
      count: c[status],
      rate: `${c.passed} of ${c.passed + c.failed + c.skipped} passed`,
    })),
  );
  if (rows.length === 0) return null;
  return {
    id: 'chart-stages',
    title: 'Verification: candidates per stage',
    note: 'Each candidate counts once per stage it reached: passed, failed, or skipped (a check that did not run is never a pass). A candidate stops at its first failing stage.',
    spec: {
      width: { step: 92 },
      height: 170,
      data: { values: rows },
      mark: { type: 'bar' },
      name: 'stage_bars',
      encoding: {
        x: { field: 'stage', type: 'nominal', sort: counts.map((c) => c.stage), title: null, axis: { labelAngle: 0, labelLimit: 90 } },
        y: { field: 'count', type: 'quantitative', title: 'candidates', axis: { tickMinStep: 1, format: 'd' } },
        color: { field: 'status', type: 'nominal', scale: { domain: [...STAGE_STATUSES], range: STAGE_COLORS }, legend: { title: null, orient: 'right' } },
        order: { field: 'order' },
        tooltip: [
          { field: 'stage', title: 'stage' },
          { field: 'status', title: 'status' },
          { field: 'count', title: 'candidates' },
          { field: 'rate', title: 'pass rate' },
        ],
      },
    },
    marks: { stage_bars: rows.length },
  };
}

function outcomesChart(entries: KernelEntry[]): ChartDef | null {
  if (entries.length === 0) return null;
  const rows = OUTCOMES.map((outcome) => ({ outcome, count: entries.filter((e) => e.kernel.outcome === outcome).length }));
  const y = { field: 'outcome', type: 'nominal', sort: [...OUTCOMES], title: null };
  return {
    id: 'chart-outcomes',
    title: 'Kernel outcomes',
    note: 'cache-hit: a verified variant (or verdict) from the store; generated: proposed and verified in this build; original: the original code is linked.',
    spec: {
      width: 300,
      height: { step: 30 },
      data: { values: rows },
      layer: [
        {
          name: 'outcome_bars',
          mark: { type: 'bar' },
          encoding: {
            y,
            x: { field: 'count', type: 'quantitative', title: 'kernels', axis: { tickMinStep: 1, format: 'd' } },
            color: { field: 'outcome', type: 'nominal', scale: { domain: [...OUTCOMES], range: OUTCOME_COLORS }, legend: null },
            tooltip: [{ field: 'outcome' }, { field: 'count', title: 'kernels' }],
          },
        },
        {
          name: 'outcome_labels',
          mark: { type: 'text', align: 'left', baseline: 'middle', dx: 4, fontSize: 12 },
          encoding: { y, x: { field: 'count', type: 'quantitative', title: 'kernels' }, text: { field: 'count' } },
        },
      ],
    },
    marks: { outcome_bars: rows.length, outcome_labels: rows.length },
  };
}

function modelChart(builds: BuildReport[]): ChartDef | null {
  const spent = builds.map((b, i) => ({ b, i })).filter(({ b }) => b.modelSpend);
  if (spent.length === 0) return null;
  const names = buildNames(builds);
  const seconds: Array<Record<string, unknown>> = [];
  const tokens: Array<Record<string, unknown>> = [];
  for (const { b, i } of spent) {
    const m = b.modelSpend!;
    seconds.push({ build: names[i], part: 'answering', seconds: num(m.seconds), calls: num(m.calls) });
    if (m.loadSeconds !== undefined) seconds.push({ build: names[i], part: 'loading the model', seconds: num(m.loadSeconds), calls: num(m.calls) });
    tokens.push({ build: names[i], part: 'input (prompt)', tokens: num(m.inputTokens) });
    tokens.push({ build: names[i], part: 'output (answer)', tokens: num(m.outputTokens) });
  }
  const y = { field: 'build', type: 'nominal', title: null, axis: { labelLimit: 140 } };
  // Loading appears only where an embedded model was loaded.
  const secondsParts = ['answering', 'loading the model'].filter((part) => seconds.some((r) => r.part === part));
  return {
    id: 'chart-model',
    title: 'Model spend',
    note: 'Seconds the model spent answering (and loading, for the embedded engine) and the tokens it read and wrote, per build.',
    spec: {
      hconcat: [
        {
          width: 170,
          height: { step: 26 },
          data: { values: seconds },
          name: 'model_seconds_bars',
          mark: { type: 'bar' },
          encoding: {
            y,
            x: { field: 'seconds', type: 'quantitative', title: 'model seconds' },
            color: { field: 'part', type: 'nominal', scale: { domain: secondsParts, range: ['#72b7b2', '#b279a2'] }, legend: { title: null, orient: 'bottom', columns: 1 } },
            tooltip: [{ field: 'build' }, { field: 'part' }, { field: 'seconds', format: '.2f' }, { field: 'calls', title: 'model calls' }],
          },
        },
        {
          width: 170,
          height: { step: 26 },
          data: { values: tokens },
          name: 'model_tokens_bars',
          mark: { type: 'bar' },
          encoding: {
            y,
            x: { field: 'tokens', type: 'quantitative', title: 'tokens' },
            color: { field: 'part', type: 'nominal', scale: { domain: ['input (prompt)', 'output (answer)'], range: ['#9ecae9', '#f58518'] }, legend: { title: null, orient: 'bottom', columns: 1 } },
            tooltip: [{ field: 'build' }, { field: 'part' }, { field: 'tokens', format: ',d' }],
          },
        },
      ],
      resolve: { scale: { color: 'independent' } },
    },
    marks: { model_seconds_bars: seconds.length, model_tokens_bars: tokens.length },
  };
}

/** The baseline cells of bench section B that measured something, in column order. */
export function baselineRows(benches: BenchReport[]): Array<{ kernel: string; contender: string; speedup: number; low: number | null; high: number | null; note: string }> {
  const rows = [];
  for (const b of benches) {
    for (const r of list(b.B?.rows)) {
      const cols = [...BASELINE_COLUMNS, ...Object.keys(r.cells ?? {}).filter((c) => !BASELINE_COLUMNS.includes(c))];
      for (const contender of cols) {
        const c = r.cells?.[contender];
        if (!c?.ok || typeof c.speedup !== 'number' || !Number.isFinite(c.speedup)) continue;
        const notes = [c.outputsMatch === false ? 'OUTPUTS DIFFER' : '', c.parallel === false ? 'no parallel region' : '', c.variant ?? ''].filter(Boolean);
        rows.push({ kernel: r.kernel, contender, speedup: c.speedup, low: c.spread?.[0] ?? null, high: c.spread?.[1] ?? null, note: notes.join('; ') });
      }
    }
  }
  return rows;
}

/** The evaluation grid's rows: per kernel, model, strategy and form, the speedup linked (1 when the original was kept). */
export function strategyRows(builds: BuildReport[]): Array<{ kernel: string; cell: string; strategy: string; model: string; form: string; speedup: number; outcome: string; linked: boolean }> {
  const rows = [];
  for (const b of builds) {
    if (!b.evalCell) continue;
    const c = b.evalCell;
    for (const k of b.kernels) {
      const linked = k.chosen !== null && Number.isFinite(k.chosen.speedup?.median);
      rows.push({
        kernel: k.kernel,
        cell: `${c.model}${c.scripted ? ' (scripted)' : ''} · ${c.strategy} · ${c.form}`,
        strategy: c.strategy,
        model: `${c.model}${c.scripted ? ' (scripted)' : ''}`,
        form: c.form,
        speedup: linked ? k.chosen!.speedup!.median : 1,
        outcome: k.outcome,
        linked,
      });
    }
  }
  return rows;
}

function strategyChart(builds: BuildReport[]): ChartDef | null {
  const rows = strategyRows(builds);
  if (rows.length === 0) return null;
  const cells = [...new Set(rows.map((r) => r.cell))];
  const x = (field: string) => ({ field, type: 'quantitative', title: 'speedup linked (1 = original kept)' });
  const y = { field: 'kernel', type: 'nominal', title: null };
  const yOffset = { field: 'cell', type: 'nominal', sort: cells };
  return {
    id: 'chart-strategies',
    title: 'Speedup per kernel and strategy (evaluation grid)',
    note: 'One bar per kernel and grid cell (model · strategy · output form): the median speedup of the variant the build linked, measured by the verifier against the original; 1 where the original was kept. Dashed line: 1.0.',
    spec: {
      width: 620,
      height: { step: 12, for: 'offset' },
      data: { values: rows },
      layer: [
        {
          name: 'strategy_bars',
          mark: { type: 'bar' },
          encoding: {
            y,
            yOffset,
            x: x('speedup'),
            color: { field: 'cell', type: 'nominal', sort: cells, scale: { scheme: 'tableau20' }, legend: { title: null, orient: 'bottom', columns: 2, labelLimit: 360 } },
            opacity: { condition: { test: 'datum.linked', value: 1 }, value: 0.35 },
            tooltip: [{ field: 'kernel' }, { field: 'model' }, { field: 'strategy' }, { field: 'form' }, { field: 'speedup', format: '.3f' }, { field: 'outcome' }],
          },
        },
        {
          name: 'strategy_one',
          data: { values: [{ one: 1 }] },
          mark: { type: 'rule', color: '#555', strokeDash: [4, 4] },
          encoding: { x: x('one') },
        },
      ],
    },
    marks: { strategy_bars: rows.length, strategy_one: 1 },
  };
}

function baselinesChart(benches: BenchReport[]): ChartDef | null {
  const rows = baselineRows(benches);
  if (rows.length === 0) return null;
  const contenders = [...new Set(rows.map((r) => r.contender))];
  const x = (field: string) => ({ field, type: 'quantitative', title: 'speedup over gcc -O3 serial (median)' });
  const y = { field: 'kernel', type: 'nominal', title: null };
  const yOffset = { field: 'contender', type: 'nominal', sort: contenders };
  const withSpread = rows.filter((r) => r.low !== null && r.high !== null).length;
  return {
    id: 'chart-baselines',
    title: 'Baselines: the compilers and the hand-written references beside what autopar links',
    note: 'From bench section B (npm run bench): every contender timed against the same serial gcc -O3 binary, OMP_NUM_THREADS=2. Lines: min–max of the per-pair ratios. Dashed line: 1.0 (the serial baseline).',
    spec: {
      width: 620,
      height: { step: 13, for: 'offset' },
      data: { values: rows },
      layer: [
        {
          name: 'baseline_bars',
          mark: { type: 'bar' },
          encoding: {
            y,
            yOffset,
            x: x('speedup'),
            color: { field: 'contender', type: 'nominal', sort: contenders, scale: { scheme: 'tableau10' }, legend: { title: null, orient: 'bottom' } },
            tooltip: [{ field: 'kernel' }, { field: 'contender' }, { field: 'speedup', format: '.3f' }, { field: 'low', title: 'min pair', format: '.3f' }, { field: 'high', title: 'max pair', format: '.3f' }, { field: 'note' }],
          },
        },
        {
          name: 'baseline_spread',
          transform: [{ filter: 'isValid(datum.low) && isValid(datum.high)' }],
          mark: { type: 'rule', color: '#222', strokeWidth: 1 },
          encoding: { y, yOffset, x: x('low'), x2: { field: 'high' } },
        },
        {
          name: 'baseline_one',
          data: { values: [{ one: 1 }] },
          mark: { type: 'rule', color: '#555', strokeDash: [4, 4] },
          encoding: { x: x('one') },
        },
      ],
    },
    marks: { baseline_bars: rows.length, baseline_spread: withSpread, baseline_one: 1 },
  };
}

// ---------------------------------------------------------------------------------------------
// Tables and sections

function summaryCards(builds: BuildReport[], entries: KernelEntry[]): string {
  const candidates = entries.flatMap((e) => list(e.kernel.candidates));
  const count = (o: string) => entries.filter((e) => e.kernel.outcome === o).length;
  const linked = entries.filter((e) => e.kernel.chosen).length;
  const verified = candidates.filter((c) => c.verdict?.accepted && c.verdict.kind !== 'screening').length;
  const spend = builds.filter((b) => b.modelSpend).map((b) => b.modelSpend!);
  const cards: Array<[string, string]> = [
    ['kernels', String(entries.length)],
    ['variants linked', String(linked)],
    ['cache hits', String(count('cache-hit'))],
    ['generated', String(count('generated'))],
    ['original kept', String(count('original'))],
    ['candidates verified', `${verified} of ${candidates.length}`],
  ];
  if (spend.length) {
    cards.push(['model calls', String(spend.reduce((a, m) => a + num(m.calls), 0))]);
    cards.push(['model seconds', fmt(spend.reduce((a, m) => a + num(m.seconds), 0), 1)]);
  }
  return `<section class="cards">${cards.map(([k, v]) => `<div class="card"><div class="v">${esc(v)}</div><div class="k">${esc(k)}</div></div>`).join('')}</section>`;
}

function buildsTable(builds: BuildReport[], sources?: string[]): string {
  if (builds.length === 0) return '';
  const rows = builds.map((b, i) => {
    const tc = (b.toolchain ?? {}) as { version?: string; cc?: string; cflags?: string[] };
    const compiler = [tc.version ?? tc.cc ?? '', list(tc.cflags).join(' ')].filter(Boolean).join(' · ');
    const gate = b.regressionGate ? (b.regressionGate.failed ? 'FAILED' : 'passed') + (b.regressionGate.lost.length ? ` (${b.regressionGate.lost.length} lost)` : '') : '';
    return `<tr><td>${esc(b.project ?? '')}${sources?.[i] ? `<div class="small">${esc(sources[i]!)}</div>` : ''}</td><td>${esc(b.createdAt ?? '')}</td><td>${esc(b.autoparVersion ?? '')}</td><td>${esc(fmtThreshold(b.threshold))}×</td><td>${esc(compiler)}</td><td>${esc(b.verification?.note ?? '')}${b.proposerNote ? `<div class="small">${esc(b.proposerNote)}</div>` : ''}</td><td>${esc(gate)}${b.missed?.length ? `<div class="small">not in the store: ${esc(b.missed.join(', '))}</div>` : ''}</td></tr>`;
  });
  const table = `<table class="grid"><thead><tr><th>project</th><th>built</th><th>autopar</th><th>threshold</th><th>compiler</th><th>verification</th><th>regression gate</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
  // An evaluation grid renders a hundred builds or more: folded, so the charts come first.
  if (builds.length > FOLD_BUILDS_ABOVE) return `<section><h2>Builds</h2><details class="builds-table"><summary>${builds.length} builds (table)</summary>${table}</details></section>`;
  return `<section><h2>Builds</h2>${table}</section>`;
}

/** More builds than this and the builds table starts folded. */
export const FOLD_BUILDS_ABOVE = 12;

function stageTable(entries: KernelEntry[]): string {
  const counts = stageCounts(entries);
  if (counts.length === 0) return '';
  const rows = counts.map((c) => {
    const reached = c.passed + c.failed + c.skipped;
    return `<tr><td>${esc(c.stage)}</td><td class="num">${c.passed}</td><td class="num">${c.failed}</td><td class="num">${c.skipped}</td><td class="num">${reached ? Math.round((100 * c.passed) / reached) : 0}%</td></tr>`;
  });
  return `<details class="stage-table"><summary>Pass rate per stage (table)</summary><table class="grid narrow"><thead><tr><th>stage</th><th>passed</th><th>failed</th><th>skipped</th><th>pass rate</th></tr></thead><tbody>${rows.join('')}</tbody></table></details>`;
}

function modelTable(builds: BuildReport[]): string {
  const names = buildNames(builds);
  const rows = builds
    .map((b, i) => ({ b, name: names[i]! }))
    .filter(({ b }) => b.modelSpend)
    .map(({ b, name }) => {
      const m = b.modelSpend!;
      const budget = [m.budget?.calls != null ? `${m.budget.calls} calls` : '', m.budget?.seconds != null ? `${m.budget.seconds} s` : ''].filter(Boolean).join(', ') || 'none';
      return `<tr><td>${esc(name)}</td><td class="num">${num(m.calls)}</td><td class="num">${fmt(num(m.seconds), 2)}</td><td class="num">${m.loadSeconds !== undefined ? fmt(m.loadSeconds, 2) : '—'}</td><td class="num">${num(m.inputTokens)}</td><td class="num">${num(m.outputTokens)}</td><td>${esc(budget)}</td><td class="num">${num(m.refusedForBudget)}</td></tr>`;
    });
  if (rows.length === 0) return '';
  return `<table class="grid narrow model-table"><thead><tr><th>build</th><th>calls</th><th>seconds</th><th>load s</th><th>input tokens</th><th>output tokens</th><th>budget</th><th>refused (budget)</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function kernelsTable(entries: KernelEntry[], benches: BenchReport[]): string {
  if (entries.length === 0) return '<section><h2>Kernels</h2><p class="note">These inputs hold no build report: only the baselines are shown.</p></section>';
  const baselines = baselineRows(benches);
  const hasBaselines = baselines.length > 0;
  const rows = entries.map((e) => {
    const k = e.kernel;
    const guard = k.chosen ? describeGuard(list(k.candidates).find((c) => c.label === k.chosen!.label)?.verdict?.sizeGuard) : undefined;
    const chosen = k.chosen
      ? `<a href="#${esc(candidateAnchor(e, k.chosen.label))}">${esc(k.chosen.label)}</a><div class="small">${proposerHtml(k.chosen.proposer)}</div>${guard ? `<div class="small">${esc(guard)}</div>` : ''}`
      : '<span class="muted">original</span>';
    const speed = k.chosen?.speedup ? `${fmt(k.chosen.speedup.median)}×` : '';
    const flags = [
      k.storeOrigin ? `store: ${k.storeOrigin}` : '',
      k.speedPending ? 'speed pending' : '',
      k.remeasured ? 're-measured' : '',
      k.notVerifiedHere ? 'not verified here' : '',
    ].filter(Boolean);
    const base = hasBaselines
      ? `<td class="small">${baselines
          .filter((b) => b.kernel === k.kernel)
          .map((b) => `${esc(b.contender)} ${fmt(b.speedup)}×`)
          .join('<br>') || '—'}</td>`
      : '';
    return `<tr><td><a href="#${esc(e.anchor)}">${esc(e.label)}</a></td><td>${outcomeBadge(k.outcome)}${flags.map((f) => ` <span class="tag">${esc(f)}</span>`).join('')}</td><td>${esc(k.reason ?? '')}</td><td>${chosen}</td><td class="num">${esc(speed)}</td><td class="num">${list(k.candidates).length}</td><td class="num">${fmt(num(k.durationMs) / 1000, 1)} s</td>${base}</tr>`;
  });
  return `<section><h2>Kernels</h2><table class="grid kernels"><thead><tr><th>kernel</th><th>outcome</th><th>reason</th><th>linked</th><th>speedup</th><th>candidates</th><th>time</th>${hasBaselines ? '<th>baselines (bench B, vs gcc -O3 serial)</th>' : ''}</tr></thead><tbody>${rows.join('')}</tbody></table></section>`;
}

function kernelSection(e: KernelEntry): string {
  const k = e.kernel;
  const facts: Array<[string, string]> = [
    ['source', esc(k.source ?? '')],
    ['key', `<code>${esc(k.key ?? '')}</code>`],
    ['proposer on a miss', k.proposer ? proposerHtml(k.proposer) : '—'],
  ];
  if (k.storeOrigin) facts.push(['store', esc(k.storeOrigin)]);
  if (k.skippedChecks?.length) facts.push(['checks not run', esc(k.skippedChecks.join('; '))]);
  if (k.recheck) facts.push(['re-check of the remote hit', `${k.recheck.accepted ? 'accepted' : 'rejected'}: ${esc(k.recheck.reason ?? '')}`]);
  const cands = list(k.candidates);
  const candTable = cands.length
    ? `<table class="grid candidates"><thead><tr><th>candidate</th><th>proposer</th><th>recipe</th><th>verdict</th><th>stage</th><th>speedup</th><th>reason</th></tr></thead><tbody>${cands
        .map((c) => {
          const st = candidateStatus(k, c);
          const s = c.verdict?.speedup;
          return `<tr><td><a href="#${esc(candidateAnchor(e, c.label))}">${esc(c.label)}</a></td><td>${proposerHtml(c.proposer)}</td><td>${c.recipe ? `<code>${esc(c.recipe.name)}</code>` : '—'}</td><td><span class="badge st-${slug(st)}">${esc(st)}</span><div class="small">${esc(c.verdict?.kind ?? '')}</div></td><td>${esc(c.verdict?.stage ?? '')}</td><td class="num">${s ? `${fmt(s.median)}×` : '—'}</td><td>${esc(c.verdict?.reason ?? '')}</td></tr>`;
        })
        .join('')}</tbody></table>`
    : '<p class="note">No candidate was verified for this kernel in this build.</p>';
  const rejected = list(k.rejected).length
    ? `<details><summary>${list(k.rejected).length} model answer(s) gave no candidate</summary>${list(k.rejected)
        .map((r) => `<div class="rejected"><p><b>${esc(r.label)}</b>: ${esc(r.reason)}</p><pre class="code">${esc(r.rawResponse ?? '')}</pre></div>`)
        .join('')}</details>`
    : '';
  return `<section class="kernel" id="${esc(e.anchor)}">
<h2>${esc(e.label)} ${outcomeBadge(k.outcome)}</h2>
<p class="reason">${esc(k.reason ?? '')}</p>
<dl class="facts">${facts.map(([a, b]) => `<dt>${esc(a)}</dt><dd>${b}</dd>`).join('')}</dl>
${candTable}
${rejected}
${cands.map((c) => candidateDetails(e, c)).join('\n')}
</section>`;
}

function candidateDetails(e: KernelEntry, c: CandidateReport): string {
  const v: Partial<Verdict> = c.verdict ?? {};
  const st = candidateStatus(e.kernel, c);
  const lines: string[] = [];
  lines.push(`<p><b>verdict</b>: ${esc(v.kind ?? 'unknown kind')}, ${v.accepted ? 'accepted' : 'not accepted'}, stage ${esc(v.stage ?? '?')} — ${esc(v.reason ?? '')}</p>`);
  if (v.speed) lines.push(`<p><b>speed</b>: ${esc(v.speed.decision)} against ${esc(fmtThreshold(v.speed.threshold))}× — ${esc(v.speed.why ?? '')}</p>`);
  if (v.speedup) {
    const s = v.speedup;
    const parts = [`median ${fmt(s.median, 3)}×`];
    if (s.ci) parts.push(describeInterval(s.ci));
    if (s.spread) parts.push(`pairs range ${fmt(s.spread[0])}–${fmt(s.spread[1])}×`);
    parts.push(`${s.pairs} pairs`);
    if (s.noise) parts.push(`machine noise ${fmt(s.noise.low)}–${fmt(s.noise.high)}×`);
    if (s.load) parts.push(`${s.load.busy ? 'busy' : 'quiet'} machine (${s.load.othersRunnable} other runnable on ${s.load.cores} cores)`);
    lines.push(`<p><b>speedup</b>: ${esc(parts.join(', '))}</p>`);
  }
  lines.push(`<p><b>proposer</b>: ${proposerHtml(c.proposer)}${c.recipe ? ` · <b>recipe</b> <code>${esc(c.recipe.name)}</code>: <code>${esc([c.recipe.cc, ...list(c.recipe.cflags)].join(' '))}</code>` : ''}</p>`);
  const stages = list(v.stages);
  if (stages.length) {
    lines.push(
      `<table class="grid stages"><thead><tr><th>stage</th><th>status</th><th>reason</th><th>time</th></tr></thead><tbody>${stages
        .map((s) => {
          const ss = stageStatus(s);
          const log = s.log ? `<details><summary>log</summary><pre class="code">${esc(s.log)}</pre></details>` : '';
          return `<tr><td>${esc(s.stage)}</td><td><span class="badge ss-${ss}">${ss}</span></td><td>${esc(s.reason ?? '')}${log}</td><td class="num">${fmt(num(s.durationMs) / 1000, 2)} s</td></tr>`;
        })
        .join('')}</tbody></table>`,
    );
  }
  if (list(v.skipped).length) lines.push(`<p><b>not run</b>: ${esc(list(v.skipped).map((s) => `${s.stage} (${s.reason}${s.allowed ? ', allowed' : ''})`).join('; '))}</p>`);
  if (c.plan !== undefined) lines.push(`<details open><summary>plan</summary><pre class="code">${esc(JSON.stringify(c.plan, null, 2))}</pre></details>`);
  if (c.legality) {
    const l = c.legality;
    lines.push(`<p><b>plan legality</b>: ${l.ok ? 'legal' : 'illegal'}${list(l.errors).length ? ` — ${esc(l.errors.join('; '))}` : ''}${list(l.warnings).length ? ` (warnings: ${esc(l.warnings.join('; '))})` : ''}</p>`);
  }
  lines.push(diffHtml(e, c));
  return `<details class="candidate" id="${esc(candidateAnchor(e, c.label))}"${st === 'linked' ? ' open' : ''}><summary><b>${esc(c.label)}</b> <span class="badge st-${slug(st)}">${esc(st)}</span>${v.speedup ? ` ${esc(fmt(v.speedup.median))}×` : ''}</summary>
${lines.join('\n')}
</details>`;
}

function diffHtml(e: KernelEntry, c: CandidateReport): string {
  const original = e.kernel.originalText;
  const text = c.functionText;
  if (text === undefined) {
    return `<p class="missing">The candidate's text is not in the report (the store answered with its verdict, and its text, sha256 ${esc(String(c.sourceDigest ?? '?').slice(0, 12))}…, was not there): no diff.</p>`;
  }
  if (text === '') return '<p class="missing">No code was generated for this candidate (its plan was not applied): no diff.</p>';
  const full = `<details><summary>candidate text</summary><pre class="code">${esc(text)}</pre></details>`;
  if (original === undefined) {
    return `<p class="missing">The original function's text is not in the report (written by an autopar that did not record it): no diff.</p>${full}`;
  }
  if (original.trim() === text.trim()) {
    return `<p class="note">Same text as the original${c.recipe ? `: the variant is the original compiled with the recipe ${esc(c.recipe.name)}, in a translation unit of its own` : ''}.</p>`;
  }
  const patch = createTwoFilesPatch(`original/${e.kernel.kernel}`, `candidate/${c.label}`, withNewline(original), withNewline(text), '', '', { context: 3 });
  const rows = patch
    .split('\n')
    .filter((l) => !/^=+$/.test(l) && l !== '')
    .map((l) => {
      const cls = l.startsWith('+++') || l.startsWith('---') ? 'file' : l.startsWith('@@') ? 'hunk' : l.startsWith('+') ? 'add' : l.startsWith('-') ? 'del' : 'ctx';
      return `<span class="${cls}">${esc(l)}</span>`;
    });
  // One block <span> per line: no newline between them (it would be a second, empty line).
  return `<div class="diff-title">diff against the original</div><pre class="code diff">${rows.join('')}</pre>${full}`;
}

// ---------------------------------------------------------------------------------------------
// Helpers

function kernelEntries(builds: BuildReport[]): KernelEntry[] {
  const names = buildNames(builds);
  const out: KernelEntry[] = [];
  const anchors = new Set<string>();
  builds.forEach((b, i) => {
    for (const k of list(b.kernels)) {
      const label = builds.length > 1 ? `${names[i]}/${k.kernel}` : String(k.kernel);
      let anchor = `kernel-${slug(label)}`;
      for (let n = 2; anchors.has(anchor); n++) anchor = `kernel-${slug(label)}-${n}`;
      anchors.add(anchor);
      out.push({ report: b, kernel: k, label, anchor });
    }
  });
  return out;
}

/** Each build's name: its project, numbered when the same project appears twice. */
function buildNames(builds: BuildReport[]): string[] {
  const total = new Map<string, number>();
  for (const b of builds) total.set(b.project, (total.get(b.project) ?? 0) + 1);
  const seen = new Map<string, number>();
  return builds.map((b) => {
    const n = (seen.get(b.project) ?? 0) + 1;
    seen.set(b.project, n);
    return (total.get(b.project) ?? 0) > 1 ? `${b.project}#${n}` : String(b.project);
  });
}

function candidateAnchor(e: KernelEntry, label: string): string {
  return `${e.anchor}--${slug(label)}`;
}

function candidateStatus(k: KernelReport, c: CandidateReport): CandidateStatus {
  if (k.chosen && k.chosen.label === c.label) return 'linked';
  if (c.verdict?.kind === 'screening') return 'screened only';
  if (c.verdict?.accepted) return 'verified, not linked';
  return 'rejected';
}

function stageStatus(s: StageResult): StageStatus {
  if (s.status === 'skipped' || s.skipped) return 'skipped';
  if (s.status === 'failed' || !s.ok) return 'failed';
  return 'passed';
}

function isScripted(id: ProposerIdentity): boolean {
  return Boolean(id.scripted || id.members?.some(isScripted));
}

/** "ollama qwen2.5:1.5b", "portfolio (embedded smollm2-135m + analyzer)"; scripted answers are never called a model's. */
function proposerName(id: ProposerIdentity | undefined): string {
  if (!id) return 'unknown';
  if (id.members?.length) return `${id.kind} (${id.members.map(proposerName).join(' + ')})`;
  const name = id.model ? `${id.kind} ${id.model}` : String(id.kind);
  return id.scripted ? `${name} (scripted test server, not a model)` : name;
}

function proposerHtml(id: ProposerIdentity | undefined): string {
  if (!id) return '<span class="muted">unknown</span>';
  const extra = [id.version ? `v${id.version}` : '', id.strategy ?? '', id.modelDigest ? `digest ${id.modelDigest.slice(0, 12)}` : ''].filter(Boolean).join(', ');
  return `${esc(proposerName(id))}${isScripted(id) ? ' <span class="badge scripted">scripted</span>' : ''}${extra ? ` <span class="small">${esc(extra)}</span>` : ''}`;
}

function outcomeBadge(outcome: string): string {
  return `<span class="badge oc-${slug(outcome)}">${esc(outcome)}</span>`;
}

function describeInputs(inputs: ReportFile[], sources?: string[]): string {
  const builds = inputs.filter((r) => !isBenchReport(r)).length;
  const benches = inputs.length - builds;
  const what = [`${builds} build report${builds === 1 ? '' : 's'}`, benches ? `${benches} bench result${benches === 1 ? '' : 's'} (baselines)` : ''].filter(Boolean).join(' and ');
  return sources?.length ? `${what}: ${sources.map((s) => basename(dirname(s)) + '/' + basename(s)).join(', ')}` : what;
}

function chartFigure(charts: ChartDef[], id: string, size: 'wide' | 'half'): string {
  const c = charts.find((x) => x.id === id);
  if (!c) {
    const empty: Record<string, [string, string]> = {
      'chart-speedup': ['Speedup per kernel and candidate', 'No candidate was benchmarked in these builds (cache hits without candidates, or every candidate was rejected before the benchmark).'],
      'chart-stages': ['Verification: candidates per stage', 'No candidate was verified in these builds.'],
      'chart-outcomes': ['Kernel outcomes', 'These inputs hold no kernel.'],
      'chart-model': ['Model spend', 'No model was configured for these builds: nothing was spent.'],
      'chart-baselines': ['Baselines', 'The bench result measured no contender.'],
    };
    const [title, why] = empty[id] ?? [id, 'nothing to show'];
    return `<figure class="chart ${size} chart-empty" id="${esc(id)}" data-empty="true"><figcaption><h3>${esc(title)}</h3></figcaption><p class="note">${esc(why)}</p></figure>`;
  }
  return `<figure class="chart ${size}" id="${esc(c.id)}" data-marks="${esc(JSON.stringify(c.marks))}"><figcaption><h3>${esc(c.title)}</h3><p class="note">${esc(c.note)}</p></figcaption><div class="chart-canvas"></div></figure>`;
}

const require = createRequire(import.meta.url);
const libraries = new Map<string, string>();

/**
 * A library's browser build, read from node_modules (the package's entry sits in its build/
 * folder), made safe to inline; read once per process.
 */
function libraryScript(pkg: 'vega' | 'vega-lite', file: string): string {
  const key = `${pkg}/${file}`;
  let text = libraries.get(key);
  if (text === undefined) {
    text = inlineScript(readFileSync(join(dirname(require.resolve(pkg)), file), 'utf8'));
    libraries.set(key, text);
  }
  return text;
}

function libraryVersion(pkg: 'vega' | 'vega-lite'): string {
  const key = `${pkg}/version`;
  let version = libraries.get(key);
  if (version === undefined) {
    try {
      version = (JSON.parse(readFileSync(join(dirname(require.resolve(pkg)), '..', 'package.json'), 'utf8')) as { version: string }).version;
    } catch {
      version = '?';
    }
    libraries.set(key, version);
  }
  return version;
}

/** Script text that cannot end its <script> element early. */
function inlineScript(js: string): string {
  return js.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');
}

/** JSON for a <script type="application/json"> block: no `<` (so no `</script>`), no line separators. */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

export function esc(s: string): string {
  return String(s).replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]!);
}

function slug(s: string): string {
  return String(s).toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'x';
}

function fmt(x: number | undefined, digits = 2): string {
  return typeof x === 'number' && Number.isFinite(x) ? x.toFixed(digits) : '?';
}

/** Thresholds below 0.01 (tests link whatever is verified) are not rounded to 0.00. */
function fmtThreshold(x: number | undefined): string {
  return typeof x === 'number' && x > 0 && x < 0.01 ? x.toPrecision(1) : fmt(x);
}

function describeInterval(ci: { level: number; low: number; high: number }): string {
  const range = `${fmt(ci.low)}–${fmt(ci.high)}×`;
  // Too few pairs for any confidence: the order statistics give a range with level 0.
  return ci.level > 0 ? `${Math.round(ci.level * 100)}% interval ${range}` : `interval ${range} (too few pairs for a confidence level)`;
}

function num(x: unknown): number {
  return typeof x === 'number' && Number.isFinite(x) ? x : 0;
}

function list<T>(x: T[] | undefined | null): T[] {
  return Array.isArray(x) ? x : [];
}

function withNewline(s: string): string {
  return s.endsWith('\n') ? s : `${s}\n`;
}

// ---------------------------------------------------------------------------------------------
// The page's own script and style

const PAGE_SCRIPT = `
(function () {
  var charts = JSON.parse(document.getElementById('autopar-charts').textContent);
  var pending = charts.length;
  function done(el, state, message) {
    el.setAttribute('data-rendered', state);
    if (message) {
      var p = document.createElement('p');
      p.className = 'warn';
      p.textContent = 'This chart could not be drawn: ' + message;
      el.appendChild(p);
    }
    pending -= 1;
    if (pending === 0) document.body.setAttribute('data-charts-rendered', 'true');
  }
  if (pending === 0) document.body.setAttribute('data-charts-rendered', 'true');
  charts.forEach(function (c) {
    var el = document.getElementById(c.id);
    if (!el) { pending -= 1; return; }
    try {
      var compiled = vegaLite.compile(Object.assign({ config: { font: 'system-ui, -apple-system, Segoe UI, Roboto, sans-serif', view: { stroke: null } } }, c.spec)).spec;
      var view = new vega.View(vega.parse(compiled), { renderer: 'svg', container: el.querySelector('.chart-canvas'), hover: true });
      view.runAsync().then(function () { done(el, 'true'); }, function (err) { done(el, 'error', String(err && err.message || err)); });
    } catch (err) {
      done(el, 'error', String(err && err.message || err));
    }
  });
})();
`;

const CSS = `
:root { --fg: #1d2330; --muted: #667085; --line: #e4e7ec; --bg: #f5f6f8; --card: #fff; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--fg); font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
main { max-width: 1240px; margin: 0 auto; padding: 24px 28px 48px; }
header h1 { margin: 0 0 4px; font-size: 24px; }
h2 { font-size: 18px; margin: 28px 0 10px; }
h3 { font-size: 15px; margin: 0 0 2px; }
.sub, .small, .note, .muted { color: var(--muted); }
.small { font-size: 12px; }
.note { font-size: 12.5px; margin: 2px 0 8px; }
.warn { color: #b42318; }
section { margin-top: 18px; }
.cards { display: flex; flex-wrap: wrap; gap: 10px; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 10px 16px; min-width: 120px; }
.card .v { font-size: 22px; font-weight: 600; }
.card .k { color: var(--muted); font-size: 12px; }
.charts .row { display: flex; flex-wrap: wrap; gap: 16px; }
figure.chart { background: var(--card); border: 1px solid var(--line); border-radius: 8px; margin: 16px 0 0; padding: 14px 16px; overflow-x: auto; }
figure.chart.half { flex: 1 1 480px; }
.chart-canvas svg { display: block; max-width: 100%; height: auto; }
table.grid { border-collapse: collapse; width: 100%; background: var(--card); border: 1px solid var(--line); font-size: 13px; }
table.grid.narrow { width: auto; margin-top: 8px; }
table.grid th, table.grid td { border-bottom: 1px solid var(--line); padding: 6px 8px; text-align: left; vertical-align: top; }
table.grid th { background: #f0f2f5; font-weight: 600; }
td.num { text-align: right; white-space: nowrap; }
.badge { display: inline-block; padding: 1px 7px; border-radius: 10px; font-size: 11.5px; font-weight: 600; color: #fff; background: #888; white-space: nowrap; }
.oc-cache-hit { background: #4c78a8; } .oc-generated { background: #2ca02c; } .oc-original { background: #8a8a8a; }
.st-linked { background: #2ca02c; } .st-verified-not-linked { background: #4c78a8; } .st-screened-only { background: #c98a26; } .st-rejected { background: #d62728; }
.ss-passed { background: #54a24b; } .ss-failed { background: #e45756; } .ss-skipped { background: #9e9692; }
.badge.scripted { background: #fff3cd; color: #7a5300; border: 1px solid #e0c36a; }
.tag { display: inline-block; font-size: 11px; color: var(--muted); border: 1px solid var(--line); border-radius: 4px; padding: 0 5px; margin-top: 2px; }
section.kernel { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 4px 18px 14px; margin-top: 22px; }
section.kernel h2 { margin-top: 14px; }
.reason { margin: 0 0 8px; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 2px 14px; font-size: 12.5px; margin: 0 0 10px; }
dl.facts dt { color: var(--muted); } dl.facts dd { margin: 0; word-break: break-all; }
details.candidate { border-top: 1px solid var(--line); padding: 8px 0; }
details.candidate > summary { cursor: pointer; font-size: 14px; }
details > summary { cursor: pointer; }
pre.code { background: #0f1720; color: #e6edf3; padding: 10px 12px; border-radius: 6px; overflow: auto; max-height: 460px; font: 12px/1.45 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
pre.diff { background: #fbfbfc; color: #1d2330; border: 1px solid var(--line); }
pre.diff span { display: block; min-height: 1.45em; white-space: pre; }
pre.diff .add { background: #e6ffec; color: #116329; } pre.diff .del { background: #ffebe9; color: #82071e; }
pre.diff .hunk { color: #6639ba; } pre.diff .file { color: var(--muted); font-weight: 600; }
.diff-title { font-weight: 600; margin-top: 8px; }
.missing { color: #8a5a00; background: #fff8e6; border: 1px solid #f1dfae; border-radius: 6px; padding: 6px 10px; }
code { font: 12px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
footer { margin-top: 30px; color: var(--muted); font-size: 12px; }
`;
