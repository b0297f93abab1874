// What a candidate kernel may call. An allow-list, not a deny-list: glibc exports many
// aliases of dangerous functions (__libc_system, __open64, __nanosleep, ...) and GCC has
// __builtin_ twins of libc functions, so naming the bad ones can never be complete.
//
// A candidate may call:
//  - the kernel itself (recursion) and the functions and function-like macros of the
//    kernel's closure in its own source file (helpers the original uses);
//  - any function or macro the ORIGINAL kernel calls (the user's own code trusts it: a
//    helper from a project header, assert, ...);
//  - the C math library (math.h, complex.h, classification macros), with f/l variants;
//  - the compute subset of the OpenMP runtime (OMP_COMPUTE_CALLS: team queries, locks);
//    not its setters (omp_set_*: they change the caller's settings and can count calls),
//    not what prints or reads the host (omp_display_affinity, omp_capture_affinity,
//    omp_get_num_procs, places, devices), and clock reads (omp_get_wtime/wtick) only
//    where their value cannot steer a result (static-gate.ts checks that);
//  - x86 SIMD intrinsics (_mm*, and a few bit-manipulation intrinsics);
//  - a few builtins that only compute or hint (__builtin_expect, __builtin_prefetch, ...);
//  - GCC's atomic builtins (__atomic_*, __sync_*): they only touch the memory they are given,
//    which ASan and the guard zones check like any other access;
//  - memcpy/memset/memmove/memcmp, abs/labs/llabs;
//  - heap scratch: malloc, calloc, realloc, aligned_alloc, posix_memalign, free (and _mm_malloc/_mm_free).
//    Scratch space is legitimate in a parallel kernel (per-thread partial sums, a transposed
//    copy). How much it takes is bounded by the sandbox's memory limit during verification,
//    AddressSanitizer checks its use, and it cannot outlive the call in any useful way,
//    since a kernel may not keep state (no static locals, no globals of its own).
// Everything else (printf, sleep, getenv, signal, setjmp/longjmp, raise, abort, exit,
// atexit, qsort with a callback, __builtin_trap, ...) is rejected by name and line.

const MATH_BASE = [
  'sin', 'cos', 'tan', 'asin', 'acos', 'atan', 'atan2', 'sinh', 'cosh', 'tanh', 'asinh', 'acosh', 'atanh',
  'exp', 'exp2', 'expm1', 'exp10', 'log', 'log10', 'log2', 'log1p', 'logb', 'ilogb', 'pow', 'sqrt', 'cbrt', 'hypot',
  'fabs', 'fmod', 'remainder', 'remquo', 'fma', 'fmax', 'fmin', 'fdim', 'ceil', 'floor', 'trunc', 'round',
  'lround', 'llround', 'rint', 'lrint', 'llrint', 'nearbyint', 'copysign', 'nan', 'frexp', 'ldexp', 'modf',
  'scalbn', 'scalbln', 'erf', 'erfc', 'tgamma', 'lgamma', 'nextafter', 'nexttoward', 'sincos',
  // complex.h
  'cabs', 'carg', 'cimag', 'creal', 'conj', 'cproj', 'cexp', 'clog', 'cpow', 'csqrt', 'csin', 'ccos', 'ctan',
  'casin', 'cacos', 'catan', 'csinh', 'ccosh', 'ctanh', 'casinh', 'cacosh', 'catanh',
];
const MATH_MACROS = [
  'isnan', 'isinf', 'isfinite', 'isnormal', 'signbit', 'fpclassify', 'isgreater', 'isgreaterequal', 'isless',
  'islessequal', 'islessgreater', 'isunordered', 'CMPLX', 'CMPLXF', 'CMPLXL',
];
const MEMORY_AND_INT = [
  'memcpy', 'memset', 'memmove', 'memcmp', 'abs', 'labs', 'llabs',
  'malloc', 'calloc', 'realloc', 'aligned_alloc', 'posix_memalign', 'free', '_mm_malloc', '_mm_free',
];
/**
 * OpenMP runtime calls that only ask about the team or synchronize: their answers depend on
 * the team the caller gave, which the differential test varies. Not here: setters, affinity
 * display/capture (print, or return host name and pid), processor/place/device queries
 * (host identity), pause/resource calls, and the allocator API.
 */
export const OMP_COMPUTE_CALLS: ReadonlySet<string> = new Set([
  'omp_get_thread_num', 'omp_get_num_threads', 'omp_get_max_threads', 'omp_in_parallel', 'omp_get_level', 'omp_get_active_level',
  'omp_get_ancestor_thread_num', 'omp_get_team_size', 'omp_get_team_num', 'omp_get_num_teams', 'omp_get_thread_limit',
  'omp_get_max_active_levels', 'omp_get_dynamic', 'omp_get_nested', 'omp_get_schedule', 'omp_in_final', 'omp_get_cancellation',
  'omp_init_lock', 'omp_destroy_lock', 'omp_set_lock', 'omp_unset_lock', 'omp_test_lock',
  'omp_init_nest_lock', 'omp_destroy_nest_lock', 'omp_set_nest_lock', 'omp_unset_nest_lock', 'omp_test_nest_lock',
  'omp_init_lock_with_hint', 'omp_init_nest_lock_with_hint',
]);
/** Clock reads: allowed only where the value read cannot reach a result or a branch (static-gate.ts). */
export const OMP_CLOCK_CALLS: ReadonlySet<string> = new Set(['omp_get_wtime', 'omp_get_wtick']);
const BUILTINS = [
  '__builtin_expect', '__builtin_prefetch', '__builtin_assume_aligned', '__builtin_assume', '__builtin_unreachable',
  '__builtin_memcpy', '__builtin_memset', '__builtin_memmove',
  '__builtin_add_overflow', '__builtin_sub_overflow', '__builtin_mul_overflow',
  '__builtin_isnan', '__builtin_isinf', '__builtin_isfinite', '__builtin_signbit', '__builtin_constant_p',
];
/** GCC's atomic builtins, e.g. __atomic_load_n, __atomic_fetch_add, __sync_bool_compare_and_swap. */
const ATOMIC_BUILTINS = /^__(atomic_(load|store|exchange|compare_exchange|fetch_[a-z]+|[a-z]+_fetch|test_and_set|clear|thread_fence|signal_fence)(_n)?|sync_[a-z_]+)$/;
/** Builtins that compute on numbers, with any l/ll/f/l suffix (__builtin_popcountll, __builtin_fabsf). */
const BUILTIN_FAMILIES = /^__builtin_(popcount|clz|ctz|ffs|parity|clrsb|bswap\d+|fabs|sqrt|fma|fmin|fmax|copysign|inf|huge_val|nan|floor|ceil|trunc|round|exp|log|pow|sin|cos)(l|ll|f|l)?$/;
const INTRINSICS = /^(_mm(256|512)?_[A-Za-z0-9_]+|_(popcnt|tzcnt|lzcnt|bextr|blsr|blsi|bzhi|pdep|pext)_u(32|64)|_popcnt(32|64)|_cvtsh_ss|_cvtss_sh)$/;

const FIXED: ReadonlySet<string> = new Set([
  ...MATH_BASE.flatMap((f) => [f, `${f}f`, `${f}l`]),
  ...MATH_MACROS,
  ...MEMORY_AND_INT,
  ...BUILTINS,
]);

/** Whether `name` is callable by any candidate (the kernel-specific names come on top). */
export function isGenerallyAllowedCallee(name: string): boolean {
  return FIXED.has(name) || OMP_COMPUTE_CALLS.has(name) || OMP_CLOCK_CALLS.has(name) || BUILTIN_FAMILIES.test(name) || ATOMIC_BUILTINS.test(name) || INTRINSICS.test(name);
}

/** A short list for messages. */
export const ALLOWED_CALLEES_SUMMARY =
  "the kernel's own helpers and macros, functions the original kernel calls, libm, the OpenMP team queries and locks " +
  '(omp_get_thread_num/num_threads/max_threads/..., omp_*_lock; no omp_set_*, affinity or host queries), SIMD intrinsics, ' +
  'memcpy/memset/memmove/memcmp, abs/labs, malloc/calloc/realloc/aligned_alloc/posix_memalign/free, __builtin_expect/prefetch/assume_aligned';

/**
 * OpenMP and loop pragma words that are followed by '(' in a #pragma line without being
 * calls (clauses, directive names, GCC/clang loop hints). Anything else followed by '('
 * inside a pragma is an expression that calls something, checked like any call.
 */
export const PRAGMA_WORDS: ReadonlySet<string> = new Set(
  (
    'omp parallel for simd do sections section single master masked critical barrier taskwait taskyield atomic flush ordered ' +
    'task taskloop taskgroup target teams distribute loop declare reduction initializer combiner threadprivate cancel ' +
    'cancellation point scan tile sizes unroll partial full data enter exit update end metadirective variant ' +
    'schedule private firstprivate lastprivate shared default num_threads if collapse nowait copyin copyprivate proc_bind ' +
    'aligned linear safelen simdlen uniform inbranch notinbranch depend final untied mergeable priority grainsize num_tasks ' +
    'nogroup map device to from link enter indirect device_type num_teams thread_limit dist_schedule is_device_ptr use_device_ptr use_device_addr ' +
    'has_device_addr defaultmap allocate allocator order nontemporal in_reduction task_reduction affinity detach bind ' +
    'filter align hint inclusive exclusive release acquire seq_cst relaxed acq_rel read write capture compare fail weak ' +
    'static dynamic guided auto runtime monotonic nonmonotonic none val ref uval step modifier iterator ' +
    'GCC clang optimize push_options pop_options diagnostic ivdep vector novector vectorize vectorize_width interleave ' +
    'interleave_count unroll_count unroll_and_jam nounroll pipeline pipeline_initiation_interval enable disable assume_safety'
  ).split(' '),
);
