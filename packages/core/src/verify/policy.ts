// Verification policy and toolchain defaults. The policy is part of the store key: every
// field here can change a verdict.
import type { VerifyPolicy } from './types.js';

export const DEFAULT_VERIFY_POLICY: VerifyPolicy = {
  // 5: the size guard's measure leaves out parameters derived from a size another one carries.
  version: 5,
  threadCounts: [1, 2, 3],
  seeds: 3,
  edgeSizes: 6,
  benchPairs: 5,
  sizeGuard: true,
  warmupRuns: 1,
  sanitizers: { memory: true, race: true },
  timeouts: { compileMs: 60_000, testMs: 10_000, benchFactor: 20 },
  // Adaptive benchmark (benchmark-stats.ts): from benchPairs up to 30 pairs or 60 s, until
  // the speedup's confidence interval decides or is within 10%.
  benchMaxPairs: 30,
  benchBudgetMs: 60_000,
  benchTargetWidth: 0.1,
};

/** Fills a partial policy from the defaults (nested objects merged field by field). */
export function resolvePolicy(p: Partial<VerifyPolicy> | undefined): VerifyPolicy {
  return {
    ...DEFAULT_VERIFY_POLICY,
    ...p,
    sanitizers: { ...DEFAULT_VERIFY_POLICY.sanitizers, ...p?.sanitizers },
    timeouts: { ...DEFAULT_VERIFY_POLICY.timeouts, ...p?.timeouts },
  };
}

export interface Toolchain {
  cc?: string;
  cflags?: string[];
  ldflags?: string[];
}

export interface ResolvedToolchain {
  cc: string;
  cflags: string[];
  ldflags: string[];
}

export const DEFAULT_TOOLCHAIN: ResolvedToolchain = { cc: 'gcc', cflags: ['-O3', '-fopenmp'], ldflags: ['-lm'] };

export function resolveToolchain(t: Toolchain | undefined): ResolvedToolchain {
  return {
    cc: t?.cc ?? DEFAULT_TOOLCHAIN.cc,
    cflags: t?.cflags ?? DEFAULT_TOOLCHAIN.cflags,
    ldflags: t?.ldflags ?? DEFAULT_TOOLCHAIN.ldflags,
  };
}

/** Flags of the ASan + UBSan build; the user's -O and sanitizer flags are replaced by these. */
export const SANITIZE_MEMORY_FLAGS = [
  '-O1', '-g', '-fno-omit-frame-pointer', '-fsanitize=address,undefined', '-fno-sanitize-recover=all', '-fopenmp',
];

/** The memory-sanitizer flavor of a toolchain: keeps -I/-D/-std and the like, swaps optimization for sanitizers. */
export function sanitizeMemoryToolchain(t: ResolvedToolchain): ResolvedToolchain {
  const keep = (f: string) => !/^-O/.test(f) && !/sanitize/.test(f) && f !== '-fopenmp' && f !== '-g';
  return { cc: t.cc, cflags: [...t.cflags.filter(keep), ...SANITIZE_MEMORY_FLAGS], ldflags: t.ldflags.filter(keep) };
}

/**
 * Runtime options that make the sanitizers fail hard and quietly: first error ends the run.
 * Leak checking is on: scratch a kernel allocates and never frees is a defect that grows with
 * every call (libgomp's thread pool stays reachable, so it is not reported).
 */
export const SANITIZER_ENV: Record<string, string> = {
  ASAN_OPTIONS: 'detect_leaks=1:halt_on_error=1:abort_on_error=0:exitcode=86:allocator_may_return_null=1:detect_stack_use_after_return=0',
  UBSAN_OPTIONS: 'halt_on_error=1:print_stacktrace=1:exitcode=87',
};
