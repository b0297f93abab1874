// What `autopar report` reads: the autopar-report.json of builds (schema autopar-report-v1) and,
// for the baselines beside them, `npm run bench`'s dist/bench/bench.json (schema
// autopar-bench-v1: section B times gcc's autoparallelizer, Polly and the hand-written
// references against the same serial baseline). Anything else is refused with a line that
// names the file and what to pass instead.
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { BuildReport } from '../pipeline/build.js';

/** One contender's cell of bench section B (tools/bench-compare.mjs): speedup over gcc -O3 serial. */
export interface BenchCell {
  ok: boolean;
  speedup?: number;
  /** [min, max] of the per-pair ratios. */
  spread?: [number, number];
  reason?: string;
  outputsMatch?: boolean;
  /** False when the compiler emitted no parallel region. */
  parallel?: boolean;
  variant?: string;
  flags?: string;
  missing?: boolean;
}

export interface BenchRow {
  kernel: string;
  error?: string;
  serialCallMs?: number;
  cells: Record<string, BenchCell>;
}

export interface BenchReport {
  schema: 'autopar-bench-v1';
  createdAt?: string;
  B?: { rows: BenchRow[]; meta?: Record<string, unknown> };
}

export type ReportFile = BuildReport | BenchReport;

export class ReportInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReportInputError';
  }
}

const WHAT_TO_PASS =
  'pass the autopar-report.json a build wrote (dist/kernels/<project>/autopar-report.json, or the --output-path of `autopar build`), or dist/bench/bench.json of `npm run bench`';

export function isBenchReport(r: ReportFile): r is BenchReport {
  return (r as { schema?: unknown }).schema === 'autopar-bench-v1';
}

/** Checks parsed JSON is a report this page can show; throws ReportInputError naming `path`. */
export function checkReportJson(parsed: unknown, path: string): ReportFile {
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ReportInputError(`${path} is not an autopar report (not a JSON object); ${WHAT_TO_PASS}`);
  }
  const schema = (parsed as { schema?: unknown }).schema;
  if (schema === 'autopar-report-v1') {
    if (!Array.isArray((parsed as { kernels?: unknown }).kernels)) {
      throw new ReportInputError(`${path}: field "kernels" is missing or not a list; the file is not a whole autopar report: ${WHAT_TO_PASS}`);
    }
    return parsed as BuildReport;
  }
  if (schema === 'autopar-bench-v1') {
    const rows = (parsed as BenchReport).B?.rows;
    if (!Array.isArray(rows)) {
      throw new ReportInputError(
        `${path} is a bench result without section B (the baselines): run \`npm run bench -- --only B\`, or pass the autopar-report.json of a build`,
      );
    }
    return parsed as BenchReport;
  }
  const found = schema === undefined ? 'has no field "schema"' : `has "schema": ${JSON.stringify(schema)}`;
  throw new ReportInputError(`${path} is not an autopar report (it ${found}, expected "autopar-report-v1" or "autopar-bench-v1"); ${WHAT_TO_PASS}`);
}

/** Reads and checks one report file. */
export async function readReportFile(file: string): Promise<ReportFile> {
  const path = resolve(file);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'a folder, not a file' : (code ?? (err as Error).message);
    throw new ReportInputError(`cannot read the report ${path} (${why}); ${WHAT_TO_PASS}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new ReportInputError(`${path} is not an autopar report (not JSON: ${(err as Error).message.replace(/\s*\n\s*/g, " ")}); ${WHAT_TO_PASS}`);
  }
  return checkReportJson(parsed, path);
}
