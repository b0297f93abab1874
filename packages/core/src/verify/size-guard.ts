// Size guard: the serial path a faster variant keeps for small inputs.
//
// A variant that wins at the bench size can lose at small sizes: a parallel region costs
// microseconds to start, which a kernel called on small data pays on every call. After
// the benchmark has decided that a candidate is faster, the original and the candidate
// are timed at the spec's test sizes and at a ladder of sizes up to the bench size. Below
// the size where the candidate stops winning, the linked kernel calls the original
// (kernel/size-guard-text.ts writes that dispatch).
//
// The guard only chooses between two verified functions — the original, and the candidate
// verified at every test size without a guard — so the race stage and the differential test
// keep checking the parallel code at the test sizes. A wrong threshold costs speed, never
// correctness; that is why a busy machine's noisy ladder is acceptable here. The calls are
// timed back to back (a kernel called in a loop, its thread team awake); a kernel called once
// after a long pause also pays for waking the team, which this does not model.
import type { KernelSpec } from '../spec/types.js';
import { evaluateExpression } from '../spec/expr.js';
import { isIntegerType } from '../spec/load.js';
import type { KernelUnit } from '../kernel/types.js';
import type { SandboxOptions } from './sandbox.js';
import type { SizeGuard, SizeLadderPoint } from './types.js';
import { describeSize, sizeNames } from './harness.js';
import { benchTimes, runSized } from './run-harness.js';
import { median } from './benchmark.js';
import { machineLoad, othersRunnableNow } from './benchmark-stats.js';

/** Ladder points between the largest test size (0) and the bench size (1), geometric in every size; the spec's test sizes come below. */
const LADDER = [0.25, 0.5, 0.75];
/** Interleaved original/candidate pairs per point (the median ratio is the point's speedup). */
const PAIRS_PER_POINT = 3;
/** Timed calls per process: about this many ms of calls, at most MAX_REPS. */
const TARGET_RUN_MS = 60;
const MAX_REPS = 200;
/** A process at a ladder size may run this long before the point is given up (never a verdict). */
const RUN_TIMEOUT_MS = 60_000;

/** The kernel's integer size parameters and how to compute their product (the guard's measure). */
export interface SizeMeasure {
  /** C expression over the kernel's parameters, e.g. `(double)seq * (double)d`. */
  expression: string;
  /** Its value at a size binding (the spec's size names). */
  at(size: Record<string, number>): number;
}

/**
 * The product of the kernel's integer scalar parameters that carry the sizes: those whose spec
 * value is a size name itself (`n`), then those computed from a size no such parameter carries
 * (`n*n` when no parameter is `n`). A parameter derived from a size another one carries — a
 * start vertex `n/2`, an offset `n-1` — says where, not how much, and a caller may pass 0 there
 * whatever the size; it is left out. Monotone in every size, so "below the crossover" is well
 * defined along the ladder. Undefined when the kernel has none (nothing to dispatch on).
 */
export function sizeMeasure(spec: KernelSpec, unit: KernelUnit): SizeMeasure | undefined {
  const names = sizeNames(spec);
  const probe = Object.fromEntries(names.map((n) => [n, 1]));
  const candidates: Array<{ param: string; value: string; mentions: string[] }> = [];
  spec.args.forEach((arg, i) => {
    const param = unit.signature.params[i]?.name;
    if (arg.kind !== 'scalar' || !isIntegerType(arg.type) || !param) return;
    if (typeof arg.value === 'number') return; // a constant: no size in it
    try {
      evaluateExpression(arg.value, probe);
    } catch {
      return; // uses a generator's size: not known before the inputs are built
    }
    const value = arg.value;
    candidates.push({ param, value, mentions: names.filter((n) => new RegExp(`\\b${n}\\b`).test(value)) });
  });
  const direct = candidates.filter((c) => names.includes(c.value.trim()));
  const carried = new Set(direct.map((c) => c.value.trim()));
  const factors = [...direct, ...candidates.filter((c) => !direct.includes(c) && c.mentions.some((n) => !carried.has(n)))];
  if (!factors.length) return undefined;
  return {
    expression: factors.map((f) => `(double)${f.param}`).join(' * '),
    at: (size) => factors.reduce((p, f) => p * evaluateExpression(f.value, size), 1),
  };
}

/** Sizes between `lo` and `hi`, geometric per size name (linear where a value is not positive). */
export function ladderSizes(lo: Record<string, number>, hi: Record<string, number>, at = LADDER): Array<Record<string, number>> {
  const out: Array<Record<string, number>> = [];
  const seen = new Set<string>();
  for (const t of at) {
    const size: Record<string, number> = {};
    for (const k of Object.keys(hi)) {
      const a = lo[k] ?? hi[k]!;
      const b = hi[k]!;
      size[k] = Math.round(a > 0 && b > 0 ? a ** (1 - t) * b ** t : a + (b - a) * t);
    }
    const id = JSON.stringify(size);
    if (!seen.has(id)) out.push(size), seen.add(id);
  }
  return out;
}

export interface SizeGuardRequest {
  spec: KernelSpec;
  unit: KernelUnit;
  originalBinary: string;
  candidateBinary: string;
  cwd: string;
  sandbox: SandboxOptions;
  /** The benchmark's median speedup at the bench size (the ladder's top point). */
  benchSpeedup: number;
  log?: (line: string) => void;
}

/**
 * Times the ladder and places the threshold where the speedup crosses 1 (interpolated in
 * log space between the last losing point and the next one up). `problem` is set when the
 * candidate failed at a ladder size where the original ran: a finding about the candidate.
 */
export async function measureSizeGuard(req: SizeGuardRequest): Promise<{ guard: SizeGuard; problem?: string }> {
  const measure = sizeMeasure(req.spec, req.unit);
  const names = sizeNames(req.spec);
  const bench = req.spec.sizes.bench;
  if (!measure) return { guard: { measure: null, threshold: null, points: [], why: 'no guard: the kernel has no integer size parameter to dispatch on' } };
  const tests = req.spec.sizes.test;
  const largestTest = tests.reduce((best, s) => (measure.at(s) >= measure.at(best) ? s : best), tests[0]!);
  const points: SizeLadderPoint[] = [];
  const unmeasured: string[] = [];
  const loadSamples: number[] = [];
  const runOpts = { cwd: req.cwd, timeoutMs: RUN_TIMEOUT_MS, sandbox: req.sandbox };
  const timeAt = async (binary: string, size: Record<string, number>, reps: number) => {
    const r = await runSized(binary, reps, 1, names.map((n) => size[n]!), runOpts);
    const t = benchTimes(r.stdout);
    return r.ok && t.length === reps ? { ok: true as const, ms: median(t) } : { ok: false as const, timedOut: r.timedOut, problem: r.problem || `printed ${t.length} timings instead of ${reps}` };
  };
  const sizes = [...tests, ...ladderSizes(largestTest, bench)].filter((s, i, all) => all.findIndex((o) => JSON.stringify(o) === JSON.stringify(s)) === i);
  for (const size of sizes.sort((x, y) => measure.at(x) - measure.at(y))) {
    const work = measure.at(size);
    if (!(work > 0) || work >= measure.at(bench)) continue;
    const a0 = await timeAt(req.originalBinary, size, 1);
    if (!a0.ok) {
      unmeasured.push(`${describeSize(size)} (the original: ${a0.problem})`);
      continue;
    }
    const reps = Math.min(MAX_REPS, Math.max(1, Math.ceil(TARGET_RUN_MS / Math.max(a0.ms, 1e-3))));
    const ratios: number[] = [];
    for (let p = 0; p < PAIRS_PER_POINT; p++) {
      const others = othersRunnableNow();
      if (others !== undefined) loadSamples.push(others);
      const a = await timeAt(req.originalBinary, size, reps);
      const b = await timeAt(req.candidateBinary, size, reps);
      if (!b.ok && b.timedOut && a.ok) {
        // Slow, not wrong: at most this fast (its calls did not finish within the run limit).
        ratios.push((a.ms * reps) / RUN_TIMEOUT_MS);
        continue;
      }
      if (!b.ok) {
        const problem = `the candidate failed at size ${describeSize(size)}, where the original runs: ${b.problem}`;
        return { guard: { measure: measure.expression, threshold: null, points, why: problem }, problem };
      }
      if (a.ok) ratios.push(a.ms / Math.max(b.ms, 1e-6));
    }
    if (!ratios.length) {
      unmeasured.push(`${describeSize(size)} (the original did not finish its runs)`);
      continue;
    }
    points.push({ size, measure: work, speedup: median(ratios) });
    req.log?.(`size guard: ${describeSize(size)}: ${median(ratios).toFixed(2)}x`);
  }
  points.sort((x, y) => x.measure - y.measure);
  const guard = decideThreshold(measure.expression, points, { size: bench, measure: measure.at(bench), speedup: req.benchSpeedup });
  if (unmeasured.length) guard.why += `; not measured at ${unmeasured.join(', ')}`;
  // A busy machine makes the parallel side slower: its threshold errs high (the original runs longer), never wrong.
  const load = machineLoad(loadSamples);
  if (load?.busy) guard.why += `; measured on a busy machine (${load.othersRunnable} other runnable on ${load.cores} cores): the threshold may be higher than on a quiet one`;
  return { guard };
}

/** Where the speedup last crosses 1 below the bench size (`top`, a winning point). */
export function decideThreshold(expression: string, points: SizeLadderPoint[], top: SizeLadderPoint): SizeGuard {
  const all = [...points, top];
  const shown = points.map((p) => `${p.speedup.toFixed(2)}x at ${describeSize(p.size)}`).join(', ');
  let lastLoss = -1;
  all.forEach((p, i) => {
    if (p.speedup < 1) lastLoss = i;
  });
  if (!points.length) return { measure: expression, threshold: null, points, why: 'no guard: no size below the bench size could be timed' };
  if (lastLoss < 0) return { measure: expression, threshold: null, points, why: `no guard: faster at every size timed (${shown})` };
  if (lastLoss === all.length - 1) {
    // Slower at the bench size too: only a build threshold below 1 links such a variant. There is
    // no crossing to interpolate, so the original keeps every size timed below the bench size.
    const threshold = Math.ceil(top.measure - 1e-6);
    return { measure: expression, threshold, points, why: `the original runs below ${expression} = ${threshold}, the bench size, where the variant was slower too (${shown}; ${top.speedup.toFixed(2)}x at the bench size)` };
  }
  const lose = all[lastLoss]!;
  const win = all[lastLoss + 1]!;
  // log(speedup) is taken as linear in log(measure) between the two points.
  const f = Math.log(1 / lose.speedup) / (Math.log(win.speedup) - Math.log(lose.speedup));
  const crossing = Math.exp(Math.log(lose.measure) + f * (Math.log(win.measure) - Math.log(lose.measure)));
  const threshold = Math.ceil(crossing - 1e-6); // exp(log(x)) is x only to rounding
  return { measure: expression, threshold, points, why: `the original runs below ${expression} = ${threshold} (${shown}; ${top.speedup.toFixed(2)}x at the bench size)` };
}
