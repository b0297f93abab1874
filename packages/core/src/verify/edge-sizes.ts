// Test inputs beyond the ones a spec lists: derived (edge) sizes and derived seeds. The
// differential test runs the original and the candidate on all of them, so a variant that
// was tuned to pass the spec's own sizes (or that only breaks on a tail of 1, a prime, or
// one element past a chunk multiple) is still caught.
//
// Derived sizes, per size name, come from EDGE_VALUES (1, 2, small primes, 2^k+1) and are
// kept only when they are legal for the name: within [min, max] and a multiple of
// `multipleOf` (spec `sizes.limits`; by default min = the smallest non-zero test value of
// the name and max = the largest one, so a `logn` that tests 0..6 never gets 129). A
// binding sets every name from the same edge value (clamped into the name's range), so a
// relation such as k <= h that holds in every test binding also holds in the derived ones.
// With `allowZero` (default: some test binding already has a 0), one binding per name has
// that name at 0 and the others at their smallest value. A derived binding is dropped when
// its cost proxy, the product of (value + 1) over the names, exceeds that of the costliest
// test binding, and when the ORIGINAL fails at it (then it was not a legal size after all;
// the verifier logs it). `sizes.edgeSizes: false` turns derivation off. Derived sizes run with
// the first seed only; the derived seeds run at the spec's own sizes.
import type { KernelSpec, SizeBinding } from '../spec/types.js';

/** In priority order (a policy may cap how many are used): 1, 2, chunk tails, small primes. */
export const EDGE_VALUES = [1, 2, 17, 33, 3, 65, 129, 5, 7] as const;

/** Seed of the run that fills `specialValues` inputs with NaN/Inf (never a derived seed). */
export const SPECIAL_VALUES_SEED = 6_209_953;

interface Range {
  min: number;
  max: number;
  step: number;
}

function rangesOf(spec: KernelSpec): Map<string, Range> {
  const ranges = new Map<string, Range>();
  for (const name of Object.keys(spec.sizes.bench)) {
    const values = spec.sizes.test.map((b) => b[name]!).filter((v) => v !== undefined);
    const nonZero = values.filter((v) => v > 0);
    const lim = spec.sizes.limits?.[name] ?? {};
    ranges.set(name, {
      min: Math.max(lim.min ?? (nonZero.length ? Math.min(...nonZero) : 1), 1),
      max: lim.max ?? Math.max(0, ...values),
      step: lim.multipleOf ?? 1,
    });
  }
  return ranges;
}

/** v clamped into the range and rounded down to a multiple of step (up when that falls below min). */
function legalize(v: number, r: Range): number | undefined {
  let x = Math.min(Math.max(v, r.min), r.max);
  x -= x % r.step;
  if (x < r.min) x += r.step;
  return x >= r.min && x <= r.max && x % r.step === 0 ? x : undefined;
}

const cost = (b: SizeBinding) => Object.values(b).reduce((p, v) => p * (v + 1), 1);
const keyOf = (b: SizeBinding, names: string[]) => names.map((n) => b[n]).join(',');

/** The derived sizes of a spec, at most `max` of them, none equal to a test size. */
export function deriveEdgeSizes(spec: KernelSpec, max: number): SizeBinding[] {
  if (spec.sizes.edgeSizes === false || max <= 0) return [];
  const names = Object.keys(spec.sizes.bench);
  const ranges = rangesOf(spec);
  const budget = Math.max(...spec.sizes.test.map(cost));
  const seen = new Set(spec.sizes.test.map((b) => keyOf(b, names)));
  const out: SizeBinding[] = [];
  const add = (b: SizeBinding | undefined) => {
    if (!b || out.length >= max) return;
    const key = keyOf(b, names);
    if (seen.has(key) || cost(b) > budget) return;
    seen.add(key);
    out.push(b);
  };
  const at = (v: number): SizeBinding | undefined => {
    const b: SizeBinding = {};
    for (const n of names) {
      const x = legalize(v, ranges.get(n)!);
      if (x === undefined) return undefined;
      b[n] = x;
    }
    return b;
  };
  const allowZero = spec.sizes.allowZero ?? spec.sizes.test.some((b) => Object.values(b).includes(0));
  if (allowZero) {
    const base = at(1);
    for (const n of names) if (base) add({ ...base, [n]: 0 });
  }
  for (const v of EDGE_VALUES) add(at(v));
  return out;
}

/** How many sizes between the largest test size and the bench size the differential test adds. */
export const REACH_SIZES = 2;

/** An odd value near v (tile widths are even): v itself when odd, else v + 1 or v - 1 within [lo, hi]. */
function oddNear(v: number, lo: number, hi: number): number {
  if (v % 2 === 1) return v;
  return v + 1 <= hi ? v + 1 : v - 1 >= lo ? v - 1 : v;
}

/**
 * Sizes between the largest test size and the bench size: a variant that is wrong only for
 * sizes the tests never reach (a tail dropped for n >= 128 when tests stop at 97) is caught
 * before the bench size, which is often a multiple of the tile, hides it. Per name, two
 * geometric steps from the largest test value towards the bench value, made odd (not a
 * multiple of any tile width) when large, then legalized like edge sizes (`sizes.limits`,
 * with the bench value as the upper bound). Names whose bench value is not above the
 * tests keep the bench value. At most `count`, none equal to a test or bench size.
 */
export function deriveReachSizes(spec: KernelSpec, count = REACH_SIZES): SizeBinding[] {
  if (spec.sizes.edgeSizes === false || count <= 0) return [];
  const names = Object.keys(spec.sizes.bench);
  const ranges = rangesOf(spec);
  const largest = new Map(names.map((n) => [n, Math.max(0, ...spec.sizes.test.map((b) => b[n] ?? 0))]));
  const seen = new Set([...spec.sizes.test, spec.sizes.bench].map((b) => keyOf(b, names)));
  const out: SizeBinding[] = [];
  // Geometric steps: g = sqrt(largest test × bench), then sqrt(largest test × g), smaller first.
  const g = (lo: number, hi: number) => Math.sqrt(lo * hi);
  for (const pick of [(lo: number, hi: number) => g(lo, g(lo, hi)), g]) {
    const b: SizeBinding = {};
    let grows = false;
    for (const n of names) {
      const lo = largest.get(n)!;
      const hi = spec.sizes.bench[n]!;
      const r = ranges.get(n)!;
      const range = { ...r, max: spec.sizes.limits?.[n]?.max ?? Math.max(hi, r.max) };
      if (!(hi > lo + 1)) {
        b[n] = hi; // not larger at the bench size: the bench's own value
        continue;
      }
      let v = Math.round(pick(Math.max(lo, 1), hi));
      if (v >= 16 && range.step === 1) v = oddNear(v, lo + 1, hi - 1);
      const x = legalize(v, range);
      if (x === undefined) return out;
      if (x > lo) grows = true;
      b[n] = x;
    }
    const key = keyOf(b, names);
    if (!grows || seen.has(key)) continue;
    seen.add(key);
    out.push(b);
    if (out.length >= count) break;
  }
  return out;
}

/** The spec with the derived (edge, then reach) sizes appended to sizes.test (indices of the spec's own sizes unchanged). */
export function withEdgeSizes(spec: KernelSpec, max: number): KernelSpec {
  const extra = max > 0 ? [...deriveEdgeSizes(spec, max), ...deriveReachSizes(spec)] : [];
  return extra.length ? { ...spec, sizes: { ...spec.sizes, test: [...spec.sizes.test, ...extra] } } : spec;
}

/**
 * The seeds of the differential test: the spec's (default [1, 2]), then derived ones up to
 * `count`, then SPECIAL_VALUES_SEED when an input asks for NaN/Inf values.
 */
export function differentialSeeds(spec: KernelSpec, count: number): number[] {
  const seeds = [...(spec.seeds ?? [1, 2])];
  for (let k = 1; seeds.length < count; k++) {
    const s = (Math.max(0, ...seeds) + 1) * 7919 + k;
    if (!seeds.includes(s) && s !== SPECIAL_VALUES_SEED) seeds.push(s);
  }
  if (hasSpecialValues(spec) && !seeds.includes(SPECIAL_VALUES_SEED)) seeds.push(SPECIAL_VALUES_SEED);
  return seeds;
}

export function hasSpecialValues(spec: KernelSpec): boolean {
  return spec.args.some((a) => a.kind !== 'scalar' && a.specialValues === true);
}
