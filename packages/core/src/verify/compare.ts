// Compares the outputs of the original and of a candidate, buffer by buffer, with the
// spec's tolerance. Floating elements pass when within ANY bound (abs, rel, ulp); integer
// elements must be identical unless the buffer gives its own bound; NaN equals NaN only at
// the same position. The message names the first mismatch the way a person debugs it:
//   buffer C[17]: expected 1.25 got 1.5 (size n=13, seed 2, threads 3)
import { evaluateExpression } from '../spec/expr.js';
import type { ElemType, KernelSpec, ReductionBound, SizeBinding, Tolerance } from '../spec/types.js';
import { isFloatType } from './elem-types.js';
import { describeSize } from './harness.js';
import type { OutputRecord } from './output-file.js';

/** Used for floating outputs when the spec gives no tolerance. */
export const DEFAULT_TOLERANCE: Tolerance = { rel: 1e-9, abs: 1e-12 };

export interface CompareContext {
  size: SizeBinding;
  seed: number;
  threads?: number;
  /** Overrides the "(size ..., seed ..., threads ...)" suffix, e.g. for the bench size. */
  label?: string;
}

export interface Mismatch {
  buffer: string;
  index: number;
  expected: string;
  actual: string;
}

export interface CompareResult {
  ok: boolean;
  /** '' when ok; otherwise the first mismatch and how many elements differ. */
  message: string;
  /** The first few mismatches (at most MAX_REPORTED per buffer). */
  mismatches: Mismatch[];
}

const MAX_REPORTED = 5;

/** The tolerance a record is compared with; undefined means bit-exact. */
export function toleranceFor(spec: KernelSpec, record: string, type: ElemType): Tolerance | undefined {
  if (record === 'return') return spec.returns?.tolerance ?? (isFloatType(type) ? (spec.tolerance ?? DEFAULT_TOLERANCE) : undefined);
  const arg = spec.args.find((a) => a.name === record);
  const own = arg && arg.kind !== 'scalar' ? arg.tolerance : undefined;
  return own ?? (isFloatType(type) ? (spec.tolerance ?? DEFAULT_TOLERANCE) : undefined);
}

/** The reduction bound of a record, if its spec entry declares one. */
export function reductionFor(spec: KernelSpec, record: string): ReductionBound | undefined {
  if (record === 'return') return spec.returns?.reduction;
  const arg = spec.args.find((a) => a.name === record);
  return arg && arg.kind !== 'scalar' ? arg.reduction : undefined;
}

/**
 * Largest |a-b| the reduction bound allows: 2·γ(N)·S with γ(N) = N·u/(1-N·u), S = N·magnitude
 * or max(|a|, |b|) (see ReductionBound in spec/types.ts). N·u >= 1/2 gives no useful bound: 0.
 */
export function reductionAllowance(r: ReductionBound, terms: number, a: number, b: number, type: ElemType): number {
  const u = type === 'float' ? 2 ** -24 : 2 ** -53;
  const nu = terms * u;
  if (!(terms > 0) || nu >= 0.5) return 0;
  const gamma = nu / (1 - nu);
  const sum = r.magnitude !== undefined ? terms * r.magnitude : Math.max(Math.abs(a), Math.abs(b));
  return 2 * gamma * sum;
}

/** Whether a record must give bit-identical values on every call at one thread count. */
export function mustBeDeterministic(spec: KernelSpec, record: string, type: ElemType): boolean {
  const own = record === 'return' ? spec.returns?.deterministic : (() => {
    const arg = spec.args.find((a) => a.name === record);
    return arg && arg.kind !== 'scalar' ? arg.deterministic : undefined;
  })();
  return own ?? spec.deterministic ?? !isFloatType(type);
}

export function describeContext(ctx: CompareContext): string {
  if (ctx.label) return ctx.label;
  return `size ${describeSize(ctx.size)}, seed ${ctx.seed}${ctx.threads === undefined ? '' : `, threads ${ctx.threads}`}`;
}

export function compareOutputs(expected: OutputRecord[], actual: OutputRecord[], spec: KernelSpec, ctx: CompareContext): CompareResult {
  const where = describeContext(ctx);
  const fail = (message: string, mismatches: Mismatch[] = []): CompareResult => ({ ok: false, message: `${message} (${where})`, mismatches });
  const byName = new Map(actual.map((r) => [r.name, r]));
  for (const exp of expected) {
    const label = exp.name === 'return' ? 'return value' : `buffer ${exp.name}`;
    const act = byName.get(exp.name);
    if (!act) return fail(`${label}: missing from the candidate's output`);
    if (act.type !== exp.type || act.count !== exp.count) {
      return fail(`${label}: candidate wrote ${act.count} ${act.type} elements, the original ${exp.count} ${exp.type}`);
    }
    if (exp.bytes.equals(act.bytes)) continue;
    const reduction = reductionFor(spec, exp.name);
    const terms = reduction ? evaluateExpression(reduction.terms, ctx.size) : 0;
    const mismatches = findMismatches(exp, act, toleranceFor(spec, exp.name, exp.type), reduction && { bound: reduction, terms });
    if (mismatches.found.length === 0) continue;
    const first = mismatches.found[0]!;
    const at = exp.name === 'return' ? 'return value' : `buffer ${exp.name}[${first.index}]`;
    const more =
      mismatches.total > 1 ? `; ${mismatches.total} of ${exp.count} elements of ${exp.name} differ (first at ${mismatches.found.map((m) => m.index).join(', ')})` : '';
    return {
      ok: false,
      message: `${at}: expected ${first.expected} got ${first.actual} (${where})${more}`,
      mismatches: mismatches.found,
    };
  }
  return { ok: true, message: '', mismatches: [] };
}

interface ReductionCheck {
  bound: ReductionBound;
  terms: number;
}

function findMismatches(exp: OutputRecord, act: OutputRecord, tol: Tolerance | undefined, red?: ReductionCheck): { found: Mismatch[]; total: number } {
  const read = reader(exp.type);
  const found: Mismatch[] = [];
  let total = 0;
  for (let i = 0; i < exp.count; i++) {
    const off = i * exp.elemSize;
    const a = read(exp.bytes, off);
    const b = read(act.bytes, off);
    if (elementsMatch(a, b, exp, act, off, tol)) continue;
    if (red && typeof a === 'number' && typeof b === 'number' && Number.isFinite(a) && Number.isFinite(b) &&
        Math.abs(a - b) <= reductionAllowance(red.bound, red.terms, a, b, exp.type)) continue;
    total++;
    if (found.length < MAX_REPORTED) found.push({ buffer: exp.name, index: i, expected: show(a, exp.type), actual: show(b, exp.type) });
  }
  return { found, total };
}

function elementsMatch(a: number | bigint, b: number | bigint, exp: OutputRecord, act: OutputRecord, off: number, tol: Tolerance | undefined): boolean {
  if (!tol) return exp.bytes.compare(act.bytes, off, off + exp.elemSize, off, off + exp.elemSize) === 0;
  if (typeof a === 'bigint' || typeof b === 'bigint') {
    if (a === b) return true;
    return withinBounds(Number(a), Number(b), tol, exp.type);
  }
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b);
  if (a === b) return true; // includes +0 == -0 and equal infinities
  if (!Number.isFinite(a) || !Number.isFinite(b)) return false;
  return withinBounds(a, b, tol, exp.type);
}

function withinBounds(a: number, b: number, tol: Tolerance, type: ElemType): boolean {
  const diff = Math.abs(a - b);
  if (tol.abs !== undefined && diff <= tol.abs) return true;
  if (tol.rel !== undefined && diff <= tol.rel * Math.max(Math.abs(a), Math.abs(b))) return true;
  if (tol.ulp !== undefined) {
    // For integers one "unit in the last place" is 1.
    const ulps = isFloatType(type) ? ulpDistance(a, b, type === 'float') : diff;
    if (ulps <= tol.ulp) return true;
  }
  return false;
}

/** Number of representable values between a and b (same-sign or not), in float or double. */
export function ulpDistance(a: number, b: number, single: boolean): number {
  if (single) {
    const view = new DataView(new ArrayBuffer(8));
    view.setFloat32(0, a, true);
    view.setFloat32(4, b, true);
    const order = (bits: number) => (bits < 0 ? -0x80000000 - bits : bits);
    return Math.abs(order(view.getInt32(0, true)) - order(view.getInt32(4, true)));
  }
  const view = new DataView(new ArrayBuffer(16));
  view.setFloat64(0, a, true);
  view.setFloat64(8, b, true);
  const order = (bits: bigint) => (bits < 0n ? -0x8000000000000000n - bits : bits);
  const d = order(view.getBigInt64(0, true)) - order(view.getBigInt64(8, true));
  return Number(d < 0n ? -d : d);
}

type Reader = (buf: Buffer, off: number) => number | bigint;

function reader(type: ElemType): Reader {
  switch (type) {
    case 'float': return (b, o) => b.readFloatLE(o);
    case 'double': return (b, o) => b.readDoubleLE(o);
    // Plain char is signed on x86-64, unsigned on aarch64 Linux.
    case 'char': return process.arch === 'arm64' ? (b, o) => b.readUInt8(o) : (b, o) => b.readInt8(o);
    case 'int8_t': return (b, o) => b.readInt8(o);
    case 'uint8_t': return (b, o) => b.readUInt8(o);
    case 'short': case 'int16_t': return (b, o) => b.readInt16LE(o);
    case 'uint16_t': return (b, o) => b.readUInt16LE(o);
    case 'int': case 'int32_t': return (b, o) => b.readInt32LE(o);
    case 'unsigned': case 'uint32_t': return (b, o) => b.readUInt32LE(o);
    case 'long': case 'int64_t': return (b, o) => b.readBigInt64LE(o);
    case 'uint64_t': case 'size_t': return (b, o) => b.readBigUInt64LE(o);
  }
}

function show(v: number | bigint, type: ElemType): string {
  if (typeof v === 'bigint') return v.toString();
  if (type === 'float' && Number.isFinite(v)) return String(Number(v.toPrecision(9)));
  return String(v);
}
