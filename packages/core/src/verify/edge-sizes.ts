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

/** The spec with the derived sizes appended to sizes.test (indices of the spec's own sizes unchanged). */
export function withEdgeSizes(spec: KernelSpec, max: number): KernelSpec {
  const extra = deriveEdgeSizes(spec, max);
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
