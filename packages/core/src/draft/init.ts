// `autopar spec init <file> <function>` and the Nx kernel generator: draft the spec of one
// kernel, check it by running the original once at every test size, time the original to
// pick the bench size, and add the kernel to a spec file (new or existing).
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { extractKernels } from '../kernel/extract.js';
import { validateSpec } from '../spec/load.js';
import type { KernelSpec, SpecFile } from '../spec/types.js';
import type { Toolchain } from '../verify/policy.js';
import { calibrateBench, checkDraftRuns, type Calibration } from './calibrate.js';
import { draftSpec, type DraftNote } from './draft.js';

export interface InitRequest {
  /** The C file defining the kernel. */
  sourcePath: string;
  functionName: string;
  /** Spec file to add the kernel to (default: autopar.spec.json in the project folder of the source). */
  specPath?: string;
  /** Run the original at the test sizes (default true). */
  check?: boolean;
  /** Time the original to choose the bench size (default true). */
  calibrate?: boolean;
  targetMs?: number;
  toolchain?: Toolchain;
  log?: (line: string) => void;
  /** The source text, when the caller has it (an Nx generator reads its Tree); default: read sourcePath. */
  sourceText?: string;
  /** The spec file's current text, when the caller has it; null when there is none; default: read specPath. */
  existingSpecText?: string | null;
}

export interface InitResult {
  specPath: string;
  /** The whole spec file with the drafted kernel in it. */
  file: SpecFile;
  kernel: KernelSpec;
  confirm: DraftNote[];
  check?: { ok: boolean; detail: string };
  calibration?: Calibration;
}

/** The folder a spec for `sourcePath` belongs in: the nearest with a project.json, else the source's folder (its parent for src/). */
export function defaultSpecPath(sourcePath: string): string {
  const abs = resolve(sourcePath);
  for (let dir = dirname(abs); dirname(dir) !== dir; dir = dirname(dir)) {
    if (existsSync(join(dir, 'project.json')) || existsSync(join(dir, 'autopar.spec.json'))) return join(dir, 'autopar.spec.json');
    if (existsSync(join(dir, 'nx.json')) || existsSync(join(dir, '.git'))) break;
  }
  const dir = dirname(abs);
  return join(/\/src$/.test(dir) ? dirname(dir) : dir, 'autopar.spec.json');
}

export async function draftKernelSpec(req: InitRequest): Promise<InitResult> {
  const sourcePath = resolve(req.sourcePath);
  let sourceText: string;
  try {
    sourceText = req.sourceText ?? (await readFile(sourcePath, 'utf8'));
  } catch (err) {
    throw new Error(`cannot read ${req.sourcePath} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); pass the C file that defines ${req.functionName}`);
  }
  const specPath = resolve(req.specPath ?? defaultSpecPath(sourcePath));
  let unit;
  try {
    [unit] = extractKernels(sourceText, sourcePath, [req.functionName]);
  } catch (err) {
    throw new Error((err as Error).message.replace(/^extractKernels: /, ''));
  }
  const source = relative(dirname(specPath), sourcePath).split('\\').join('/');
  const draft = draftSpec(unit!, source);
  const kernel = draft.spec;
  const log = req.log ?? (() => {});

  let calibration: Calibration | undefined;
  let check: { ok: boolean; detail: string } | undefined;
  if (req.check !== false) {
    log(`autopar: ${kernel.name}: running the original at the drafted test sizes`);
    check = await checkDraftRuns({ spec: kernel, sourceText, sourcePath, toolchain: req.toolchain, log });
    if (!check.ok) draft.confirm.unshift({ field: `kernels[${kernel.name}].sizes.test`, guess: `THE DRAFT DOES NOT RUN: ${check.detail}` });
  }
  if (req.calibrate !== false && check?.ok !== false) {
    log(`autopar: ${kernel.name}: timing the original to choose the bench size (target ${req.targetMs ?? 100} ms)`);
    calibration = await calibrateBench({
      spec: kernel,
      sourceText,
      sourcePath,
      toolchain: req.toolchain,
      targetMs: req.targetMs,
      scale: draft.sizeNames.filter((n) => !draft.repetitionNames.includes(n)).concat(draft.sizeNames.length === draft.repetitionNames.length ? draft.repetitionNames : []),
      exponents: draft.exponentNames,
      start: kernel.sizes.test[kernel.sizes.test.length - 1],
      log,
    });
    kernel.sizes.bench = calibration.bench;
    const note = draft.confirm.find((c) => c.field.endsWith('.sizes.bench'));
    if (note) {
      note.guess = `measured on this machine: one serial call takes ${calibration.ms.toFixed(0)} ms${calibration.stopped ? ` (${calibration.stopped})` : ''}; \`autopar spec calibrate\` re-times it`;
    }
  }
  kernel.confirm = draft.confirm.map((c) => `${c.field.replace(/^kernels\[[^\]]+\]\./, '')}: ${c.guess}`);

  const existing = req.existingSpecText !== undefined ? req.existingSpecText : existsSync(specPath) ? await readFile(specPath, 'utf8') : null;
  const file = mergeIntoSpecFile(specPath, existing, kernel);
  return { specPath, file, kernel, confirm: draft.confirm, check, calibration };
}

/** The spec file with `kernel` added; an existing kernel of the same name is an error. */
function mergeIntoSpecFile(specPath: string, existing: string | null, kernel: KernelSpec): SpecFile {
  let file: SpecFile = { version: 1, kernels: [] };
  if (existing !== null) {
    try {
      file = JSON.parse(existing) as SpecFile;
    } catch (err) {
      throw new Error(`${specPath} is not valid JSON (${(err as Error).message}); fix it or pass --spec <new file>`);
    }
    if (!Array.isArray(file.kernels)) throw new Error(`${specPath}: field kernels must be an array; fix it or pass --spec <new file>`);
    if (file.kernels.some((k) => k.name === kernel.name)) {
      throw new Error(`${specPath} already describes kernel ${kernel.name}; remove that entry first, or pass --spec <other file>`);
    }
  }
  const out: SpecFile = { ...file, version: 1, kernels: [...file.kernels, kernel] };
  validateSpec(JSON.parse(JSON.stringify(out)), specPath);
  return out;
}

/** Spec JSON the way people write it: objects and arrays that fit on a line stay on one line. */
export function formatSpecJson(value: unknown): string {
  return format(value, 0) + '\n';
}

function format(v: unknown, indent: number): string {
  const inline = inlineJson(v);
  if (inline.length + indent <= 100 || v === null || typeof v !== 'object') return inline;
  const pad = ' '.repeat(indent + 2);
  if (Array.isArray(v)) {
    // Arrays of small objects (test sizes, args): one element per line.
    return `[\n${v.map((x) => pad + format(x, indent + 2)).join(',\n')}\n${' '.repeat(indent)}]`;
  }
  const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined);
  return `{\n${entries.map(([k, x]) => `${pad}${JSON.stringify(k)}: ${format(x, indent + 2)}`).join(',\n')}\n${' '.repeat(indent)}}`;
}

function inlineJson(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(inlineJson).join(', ')}]`;
  const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined);
  return entries.length ? `{ ${entries.map(([k, x]) => `${JSON.stringify(k)}: ${inlineJson(x)}`).join(', ')} }` : '{}';
}
