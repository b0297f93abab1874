// Generates the C test harness of a kernel from its spec.
//
// Every test binary is two translation units:
//   harness.c   — generated here from the spec alone: inputs, guard zones, modes, output file;
//   kernel TU   — the original source file (or the original with a candidate spliced in)
//                 with a trampoline `void autopar_entry(void **args)` appended. The trampoline
//                 lives in the kernel's TU so the kernel's own types are in scope and a
//                 `static` kernel is callable; it gets every argument as a pointer and lets C
//                 convert `void *` to whatever pointer type each parameter has.
// The harness depends only on the spec, so one compiled harness serves the original and
// every candidate of a kernel: both see byte-identical inputs.
//
// Binary interface:
//   <bin> test <sizeIndex> <seed> <outfile> [calls]
//                                             call(s) at sizes.test[sizeIndex]; writes the output/inout
//                                             buffers and the return value of the first call to outfile,
//                                             and of each later call that differs to <outfile>.<call>
//   <bin> bench <reps> <warmups> [outfile]    at sizes.bench: warm-up calls, then <reps> timed
//                                             calls, each printed as `autopar-ms <ms>`
//   <bin> stack <kib> <outfile>               one call at sizes.bench on a thread with a <kib> KiB stack
//                                             (the runner sets OMP_STACKSIZE for the team's workers)
//   <bin> sized <reps> <warmups> <v>...       like bench, at the size given by one value per size name
//                                             (in sizeNames order), for timing between test and bench sizes
// In test mode AUTOPAR_TEAM=nested makes every call from inside an active parallel region
// (one thread runs it; the kernel's own regions get a team smaller than omp_get_max_threads()).
// After every call the caller's OpenMP settings (omp_get_max_threads, dynamic,
// max_active_levels, schedule, default device) must be what they were before the first.
// Exit codes: 0 ok; 2 harness/spec problem (bad length, out of memory); 3 a guard zone was
// overwritten; 4 an input buffer was modified; 5 the kernel changed an OpenMP setting of its
// caller. Messages go to stderr and name the buffer or the setting.
//
// Output file: "APOUT001", then per record: u32 name length, name bytes, u32 type code
// (index in ELEM_TYPES), u32 element size, u64 element count, raw elements (native endian).
import { createHash } from 'node:crypto';
import { toCExpression } from '../spec/expr.js';
import type { ArgSpec, GeneratorSpec, InitSpec, KernelSpec } from '../spec/types.js';
import { cTypeOf, typeCode } from './elem-types.js';
import { SPECIAL_VALUES_SEED } from './edge-sizes.js';

/** Bump when the generated code changes what inputs are made or how results are written. */
export const HARNESS_VERSION = 4;

/** Byte written over every output buffer (and the return slot) before each call. */
export const OUTPUT_FILL_BYTE = 0xcd;

/** Line prefix of per-call times in bench mode. */
export const BENCH_LINE_PREFIX = 'autopar-ms ';

export const EXIT_HARNESS_ERROR = 2;
export const EXIT_GUARD_VIOLATION = 3;
export const EXIT_INPUT_MODIFIED = 4;
export const EXIT_ICV_CHANGED = 5;

type BufferArg = Extract<ArgSpec, { kind: 'input' | 'output' | 'inout' }>;
type ScalarArg = Extract<ArgSpec, { kind: 'scalar' }>;

/** 64-bit FNV-1a of a name: the harness seeds each buffer's stream with (seed, name). */
export function nameHash(name: string): bigint {
  let h = 0xcbf29ce484222325n;
  for (const byte of Buffer.from(name, 'utf8')) {
    h ^= BigInt(byte);
    h = (h * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return h;
}

const hex64 = (v: bigint) => `0x${v.toString(16).padStart(16, '0')}ULL`;

/** A JS number as a C double literal. */
function cDouble(x: number): string {
  if (!Number.isFinite(x)) throw new Error(`not a finite number: ${x}`);
  const s = String(x);
  return /[.eE]/.test(s) ? s : `${s}.0`;
}

/** A JS integer as a C long long literal. */
function cInt(x: number): string {
  return `${Math.trunc(x)}LL`;
}

/** A string as a C string literal (spec names are identifiers; this is belt and braces). */
function cString(s: string): string {
  return JSON.stringify(s);
}

/** Expression text is checked by validateSpec (names, numbers, + - * / % << >> and parentheses only). */
function cExpr(expr: string | number): string {
  if (typeof expr === 'number') return Number.isInteger(expr) ? cInt(expr) : cDouble(expr);
  return `(${toCExpression(expr, { allowDecimals: true })})`;
}

function buffersOf(spec: KernelSpec): BufferArg[] {
  return spec.args.filter((a): a is BufferArg => a.kind !== 'scalar');
}

/** The bench binding runs with the first test seed (default 1). */
export function benchSeed(spec: KernelSpec): number {
  return spec.seeds?.[0] ?? 1;
}

/** Size names in a fixed order: the keys of the bench binding. */
export function sizeNames(spec: KernelSpec): string[] {
  return Object.keys(spec.sizes.bench);
}

/** "n=13, m=4": how a size binding is named in messages. */
export function describeSize(binding: Record<string, number>): string {
  return Object.entries(binding)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
}

/** The generated harness.c for a kernel spec. */
export function generateHarness(spec: KernelSpec): string {
  const names = sizeNames(spec);
  const buffers = buffersOf(spec);
  const generators = spec.generators ?? [];
  const bufIndex = new Map(buffers.map((b, i) => [b.name, i]));
  const genIndex = new Map(generators.map((g, i) => [g.name, i]));
  const sizeRow = (b: Record<string, number>) => `{ ${names.map((n) => cInt(b[n]!)).join(', ')} }`;

  const bufferTable = buffers
    .map((b) => `    { ${cString(b.name)}, ${kindConst(b.kind)}, ${typeCode(b.type)}, sizeof(${cTypeOf(b.type)}), 0, 0, 0, 0 },`)
    .join('\n');
  const scalarDecls = spec.args
    .map((a, i) => (a.kind === 'scalar' ? `static ${cTypeOf(a.type)} ap_scalar_${i};\n` : ''))
    .join('');
  const returnDecl = spec.returns ? `static ${cTypeOf(spec.returns.type)} ap_return_value;\n` : '';

  const setup = [
    ...names.map((n, i) => `    const long long ${n} = ap_sz[${i}]; (void)${n};`),
    ...generators.flatMap((g, i) => generatorSetup(g, i)),
    ...spec.args.map((a, i) =>
      a.kind === 'scalar'
        ? `    ap_scalar_${i} = (${cTypeOf(a.type)})${cExpr(a.value)};`
        : `    ap_bufs[${bufIndex.get(a.name)}].len = (long long)${cExpr(a.length)};`,
    ),
  ].join('\n');

  // Sizes and generator sizes are in scope of the fills too: generator bounds and matrix
  // orders may be expressions over them (e.g. randint max "bins-1").
  const fillScope = [
    ...names.map((n, i) => `    const long long ${n} = ap_sz[${i}]; (void)${n};`),
    ...generators.map((g, i) => `    const long long ${g.name}_nnz = ap_gens[${i}].nnz; (void)${g.name}_nnz;`),
  ].join('\n');
  const fills = buffers
    .map((b, i) => (b.kind === 'output' ? '' : fillCode(b, i, genIndex) + (b.specialValues ? `\n${specialValuesCode(b, i)}` : '')))
    .filter(Boolean)
    .join('\n');

  const argPointers = spec.args
    .map((a, i) => (a.kind === 'scalar' ? `    ap_args[${i}] = &ap_scalar_${i};` : `    ap_args[${i}] = ap_bufs[${bufIndex.get(a.name)}].data;`))
    .join('\n');

  const returnRecord = spec.returns
    ? `    ap_write_record(f, "return", ${typeCode(spec.returns.type)}, sizeof ap_return_value, 1, &ap_return_value);\n`
    : '';

  return `/* Generated by autopar (harness v${HARNESS_VERSION}) for kernel ${spec.name}. Do not edit. */
#define _POSIX_C_SOURCE 200112L
#include <stdarg.h>
#include <stdint.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <limits.h>
#include <math.h>
#include <time.h>
#include <pthread.h>
#ifdef _OPENMP
#include <omp.h>
#endif

void autopar_entry(void **ap_args);

/* Under AddressSanitizer the guard zones are poisoned, so a stray read of them is reported
   too (plain guard zones only catch writes). They are unpoisoned before the harness checks them. */
#if defined(__SANITIZE_ADDRESS__)
#define AP_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define AP_ASAN 1
#endif
#endif
#ifdef AP_ASAN
void __asan_poison_memory_region(void const volatile *addr, size_t size);
void __asan_unpoison_memory_region(void const volatile *addr, size_t size);
#define AP_POISON(p, n) __asan_poison_memory_region((p), (n))
#define AP_UNPOISON(p, n) __asan_unpoison_memory_region((p), (n))
#else
#define AP_POISON(p, n) ((void)(p), (void)(n))
#define AP_UNPOISON(p, n) ((void)(p), (void)(n))
#endif

#define AP_GUARD 64
#define AP_NARGS ${spec.args.length}
#define AP_NBUFS ${buffers.length}
#define AP_NGENS ${generators.length}
#define AP_NSIZES ${names.length}
#define AP_NTESTS ${spec.sizes.test.length}
#define AP_FILL 0x${OUTPUT_FILL_BYTE.toString(16)}
enum { AP_INPUT = 0, AP_OUTPUT = 1, AP_INOUT = 2 };

typedef struct {
    const char *name;
    int kind;
    int type_code;
    size_t elem_size;
    long long len;
    unsigned char *block;    /* guard | data | guard */
    unsigned char *data;
    unsigned char *pristine; /* inputs and inouts as generated, to restore and to check */
} ap_buffer;

typedef struct {
    long long nodes, nnz;
    int *rowptr, *cols;
    double *weights;
} ap_csr;

static ap_buffer ap_bufs[AP_NBUFS + 1] = {
${bufferTable}
    { 0, 0, 0, 0, 0, 0, 0, 0 }
};
static ap_csr ap_gens[AP_NGENS + 1];
static void *ap_args[AP_NARGS + 1];
${scalarDecls}${returnDecl}
static const long long ap_test_sizes[AP_NTESTS][AP_NSIZES] = {
${spec.sizes.test.map((b) => `    ${sizeRow(b)},`).join('\n')}
};
static const long long ap_bench_size[AP_NSIZES] = ${sizeRow(spec.sizes.bench)};

static void ap_die(int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("autopar harness: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\\n', stderr);
    va_end(ap);
    exit(code);
}

/* splitmix64: one independent stream per (seed, name), identical for every variant. */
static uint64_t ap_next(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}
static uint64_t ap_stream(uint64_t seed, uint64_t name_hash)
{
    uint64_t s = seed * 0xD1B54A32D192ED03ULL ^ name_hash;
    ap_next(&s);
    return s;
}
static double ap_unit(uint64_t *s) /* uniform in [0, 1) */
{
    return (double)(ap_next(s) >> 11) * (1.0 / 9007199254740992.0);
}
static long long ap_randint(uint64_t *s, long long lo, long long hi) /* inclusive */
{
    uint64_t span = (uint64_t)(hi - lo) + 1;
    return span == 0 ? (long long)ap_next(s) : lo + (long long)(ap_next(s) % span);
}

/* Matrix classes: the first n*n elements of a row-major buffer; off-diagonal entries uniform in
   [-1, 1) (mirrored when symmetric), the diagonal 1 + u + the row's sum of |off-diagonal|, summed
   over the values as stored in the element type, so strict dominance survives the rounding. */
#define AP_MATRIX_FILL(T, p, len, n, symmetric, s, name) do { \
    if ((n) < 0) ap_die(2, "buffer %s: matrix order %lld is negative; check init.n in the spec", name, (long long)(n)); \
    if ((n) > 0 && (n) > (len) / (n)) ap_die(2, "buffer %s: length %lld is less than n*n = %lld for an n x n matrix; fix its length or init.n", name, (long long)(len), (long long)(n) * (n)); \
    for (long long ap_e = 0; ap_e < (len); ap_e++) (p)[ap_e] = (T)0; \
    for (long long ap_r = 0; ap_r < (n); ap_r++) \
        for (long long ap_c = (symmetric) ? ap_r + 1 : 0; ap_c < (n); ap_c++) { \
            if (ap_c == ap_r) continue; \
            (p)[ap_r * (n) + ap_c] = (T)(-1.0 + 2.0 * ap_unit(s)); \
            if (symmetric) (p)[ap_c * (n) + ap_r] = (p)[ap_r * (n) + ap_c]; \
        } \
    for (long long ap_r = 0; ap_r < (n); ap_r++) { \
        double ap_sum = 0; \
        for (long long ap_c = 0; ap_c < (n); ap_c++) \
            if (ap_c != ap_r) ap_sum += fabs((double)(p)[ap_r * (n) + ap_c]); \
        (p)[ap_r * (n) + ap_r] = (T)(ap_sum + 1.0 + ap_unit(s)); \
    } \
} while (0)

static unsigned char ap_canary(size_t i) { return (unsigned char)(0xA5u ^ (unsigned)(i * 29u)); }

static void *ap_malloc(size_t bytes, const char *what)
{
    void *p = malloc(bytes ? bytes : 1);
    if (!p) ap_die(2, "out of memory allocating %s (%zu bytes)", what, bytes);
    return p;
}

static void ap_alloc(ap_buffer *b)
{
    if (b->len < 0) ap_die(2, "buffer %s: length %lld is negative; check its length expression in the spec", b->name, b->len);
    size_t bytes = (size_t)b->len * b->elem_size;
    size_t total = (2 * AP_GUARD + bytes + 63) / 64 * 64;
    void *block = 0;
    if (posix_memalign(&block, 64, total) != 0) ap_die(2, "out of memory allocating buffer %s (%zu bytes)", b->name, bytes);
    b->block = block;
    b->data = b->block + AP_GUARD;
    for (size_t i = 0; i < AP_GUARD; i++) b->block[i] = ap_canary(i);
    for (size_t i = AP_GUARD + bytes; i < total; i++) b->block[i] = ap_canary(i);
    AP_POISON(b->block, AP_GUARD);
    AP_POISON(b->block + AP_GUARD + bytes, total - AP_GUARD - bytes);
}

static void ap_check_guards(void)
{
    for (int k = 0; k < AP_NBUFS; k++) {
        ap_buffer *b = &ap_bufs[k];
        size_t bytes = (size_t)b->len * b->elem_size;
        size_t total = (2 * AP_GUARD + bytes + 63) / 64 * 64;
        AP_UNPOISON(b->block, total);
        for (size_t i = 0; i < AP_GUARD; i++)
            if (b->block[i] != ap_canary(i))
                ap_die(3, "guard zone violated: buffer %s was written %zu bytes before its start", b->name, (size_t)AP_GUARD - i);
        for (size_t i = AP_GUARD + bytes; i < total; i++)
            if (b->block[i] != ap_canary(i))
                ap_die(3, "guard zone violated: buffer %s was written past its end (byte %zu after its %lld elements)", b->name, i - AP_GUARD - bytes, b->len);
    }
}

static void ap_check_inputs(void)
{
    for (int k = 0; k < AP_NBUFS; k++) {
        ap_buffer *b = &ap_bufs[k];
        if (b->kind != AP_INPUT) continue;
        size_t bytes = (size_t)b->len * b->elem_size;
        for (size_t i = 0; i < bytes; i++)
            if (b->data[i] != b->pristine[i])
                ap_die(4, "input buffer %s was modified by the kernel (element %zu); inputs are read-only (declare it inout in the spec if the kernel writes it)", b->name, i / b->elem_size);
    }
}

static int ap_cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

/* CSR graph: row i gets 0..2*degree distinct neighbours (never i), sorted; weights in [wmin, wmax]. */
static void ap_make_csr(ap_csr *g, const char *name, long long nodes, double degree, int integral, double wmin, double wmax, uint64_t seed)
{
    if (nodes < 0 || nodes >= INT_MAX) ap_die(2, "generator %s: nodes = %lld is out of range", name, nodes);
    uint64_t s = seed;
    long long max_degree = nodes > 0 ? nodes - 1 : 0;
    long long cap = (long long)(2.0 * degree + 0.5);
    g->nodes = nodes;
    g->rowptr = ap_malloc((size_t)(nodes + 1) * sizeof(int), name);
    g->rowptr[0] = 0;
    long long nnz = 0;
    for (long long i = 0; i < nodes; i++) {
        long long k = ap_randint(&s, 0, cap);
        if (k > max_degree) k = max_degree;
        nnz += k;
        if (nnz >= INT_MAX) ap_die(2, "generator %s: too many edges for int row pointers", name);
        g->rowptr[i + 1] = (int)nnz;
    }
    g->nnz = nnz;
    g->cols = ap_malloc((size_t)nnz * sizeof(int), name);
    g->weights = ap_malloc((size_t)nnz * sizeof(double), name);
    unsigned char *taken = calloc((size_t)(nodes > 0 ? nodes : 1), 1);
    if (!taken) ap_die(2, "out of memory in generator %s", name);
    for (long long i = 0; i < nodes; i++) {
        int *row = g->cols + g->rowptr[i];
        long long k = g->rowptr[i + 1] - g->rowptr[i], c = 0;
        /* Floyd's algorithm: k distinct picks among the max_degree vertices other than i. */
        for (long long j = max_degree - k; j < max_degree; j++) {
            long long t = ap_randint(&s, 0, j);
            long long pick = taken[t] ? j : t;
            taken[pick] = 1;
            row[c++] = (int)(pick < i ? pick : pick + 1);
        }
        for (long long e = 0; e < k; e++) taken[row[e] < i ? row[e] : row[e] - 1] = 0;
        qsort(row, (size_t)k, sizeof(int), ap_cmp_int);
    }
    free(taken);
    for (long long e = 0; e < nnz; e++)
        g->weights[e] = integral ? (double)ap_randint(&s, (long long)ceil(wmin), (long long)floor(wmax))
                                 : wmin + (wmax - wmin) * ap_unit(&s);
}

static void ap_setup(const long long *ap_sz, uint64_t ap_seed)
{
    (void)ap_sz; (void)ap_seed; (void)ap_make_csr; (void)ap_gens;
${setup}
}

static void ap_fill_inputs(const long long *ap_sz, uint64_t ap_seed)
{
    (void)ap_sz; (void)ap_seed;
${fillScope}
${fills}
}

static void ap_prepare(const long long *sizes, uint64_t seed)
{
    ap_setup(sizes, seed);
    for (int k = 0; k < AP_NBUFS; k++) ap_alloc(&ap_bufs[k]);
    ap_fill_inputs(sizes, seed);
    for (int k = 0; k < AP_NBUFS; k++) {
        ap_buffer *b = &ap_bufs[k];
        if (b->kind == AP_OUTPUT) continue;
        size_t bytes = (size_t)b->len * b->elem_size;
        b->pristine = ap_malloc(bytes, b->name);
        memcpy(b->pristine, b->data, bytes);
    }
#ifdef AP_ASAN
    /* Lets the verifier name the buffer behind an address in an ASan report. */
    for (int k = 0; k < AP_NBUFS; k++)
        fprintf(stderr, "autopar-buffer %s %p %zu %lld\\n", ap_bufs[k].name, (void *)ap_bufs[k].data, (size_t)ap_bufs[k].len * ap_bufs[k].elem_size, ap_bufs[k].len);
#endif
${argPointers}
    ap_args[AP_NARGS] = ${spec.returns ? '&ap_return_value' : '0'};
}

/* Before every call: outputs get the fill pattern, inouts their generated values again. */
static void ap_restore(void)
{
    for (int k = 0; k < AP_NBUFS; k++) {
        ap_buffer *b = &ap_bufs[k];
        size_t bytes = (size_t)b->len * b->elem_size;
        if (b->kind == AP_OUTPUT) memset(b->data, AP_FILL, bytes);
        else if (b->kind == AP_INOUT) memcpy(b->data, b->pristine, bytes);
    }
${spec.returns ? '    memset(&ap_return_value, AP_FILL, sizeof ap_return_value);\n' : ''}}

static void ap_write_record(FILE *f, const char *name, int type_code, size_t elem_size, long long count, const void *data)
{
    uint32_t name_len = (uint32_t)strlen(name), code = (uint32_t)type_code, esize = (uint32_t)elem_size;
    uint64_t n = (uint64_t)count;
    fwrite(&name_len, 4, 1, f);
    fwrite(name, 1, name_len, f);
    fwrite(&code, 4, 1, f);
    fwrite(&esize, 4, 1, f);
    fwrite(&n, 8, 1, f);
    if (n) fwrite(data, elem_size, (size_t)n, f);
}

static void ap_write_outputs(const char *path)
{
    FILE *f = fopen(path, "wb");
    if (!f) ap_die(2, "cannot write %s", path);
    fwrite("APOUT001", 1, 8, f);
    for (int k = 0; k < AP_NBUFS; k++) {
        ap_buffer *b = &ap_bufs[k];
        if (b->kind != AP_INPUT) ap_write_record(f, b->name, b->type_code, b->elem_size, b->len, b->data);
    }
${returnRecord}    if (fclose(f) != 0) ap_die(2, "cannot write %s", path);
}

/* Outputs of the first call, to spot a later call that computes something else (races). */
static unsigned char *ap_snapshot;

static void ap_take_snapshot(void)
{
    size_t total = ${spec.returns ? 'sizeof ap_return_value' : '0'}, at = 0;
    for (int k = 0; k < AP_NBUFS; k++)
        if (ap_bufs[k].kind != AP_INPUT) total += (size_t)ap_bufs[k].len * ap_bufs[k].elem_size;
    ap_snapshot = ap_malloc(total, "output snapshot");
    for (int k = 0; k < AP_NBUFS; k++) {
        ap_buffer *b = &ap_bufs[k];
        if (b->kind == AP_INPUT) continue;
        memcpy(ap_snapshot + at, b->data, (size_t)b->len * b->elem_size);
        at += (size_t)b->len * b->elem_size;
    }
${spec.returns ? '    memcpy(ap_snapshot + at, &ap_return_value, sizeof ap_return_value);\n' : ''}}

static int ap_same_as_snapshot(void)
{
    size_t at = 0;
    for (int k = 0; k < AP_NBUFS; k++) {
        ap_buffer *b = &ap_bufs[k];
        if (b->kind == AP_INPUT) continue;
        size_t bytes = (size_t)b->len * b->elem_size;
        if (memcmp(ap_snapshot + at, b->data, bytes) != 0) return 0;
        at += bytes;
    }
${spec.returns ? '    if (memcmp(ap_snapshot + at, &ap_return_value, sizeof ap_return_value) != 0) return 0;\n' : ''}    return 1;
}

/* Start the OpenMP thread pool before the kernel runs, as in a program that has run parallel
   code before: every thread of the kernel's first parallel region then starts at once. */
static void ap_openmp_warmup(void)
{
#ifdef _OPENMP
    static int threads_seen; /* a reduction, not a shared write: race detectors stay quiet */
    int n = 0;
#pragma omp parallel reduction(+ : n)
    n += 1;
    threads_seen = n;
    (void)threads_seen;
#endif
}

/* The caller's OpenMP settings: a kernel must leave them as it found them. */
typedef struct { int max_threads, dynamic, max_active_levels, sched_kind, sched_chunk, default_device; } ap_icvs;

static void ap_get_icvs(ap_icvs *s)
{
    memset(s, 0, sizeof *s);
#ifdef _OPENMP
    omp_sched_t kind;
    s->max_threads = omp_get_max_threads();
    s->dynamic = omp_get_dynamic();
    s->max_active_levels = omp_get_max_active_levels();
    omp_get_schedule(&kind, &s->sched_chunk);
    s->sched_kind = (int)kind;
    s->default_device = omp_get_default_device();
#endif
}

static void ap_check_icvs(const ap_icvs *before, int call)
{
    ap_icvs now;
    ap_get_icvs(&now);
#define AP_ICV(field, what) \
    if (now.field != before->field) \
        ap_die(5, "call %d of the kernel changed the caller's OpenMP setting %s from %d to %d; a kernel must leave the settings it did not get as it found them (use clauses such as num_threads/schedule on its own regions)", call, what, before->field, now.field);
    AP_ICV(max_threads, "omp_get_max_threads()")
    AP_ICV(dynamic, "omp_get_dynamic()")
    AP_ICV(max_active_levels, "omp_get_max_active_levels()")
    AP_ICV(sched_kind, "omp_get_schedule() kind")
    AP_ICV(sched_chunk, "omp_get_schedule() chunk")
    AP_ICV(default_device, "omp_get_default_device()")
#undef AP_ICV
}

/* AUTOPAR_TEAM=nested: the call happens inside an active parallel region. */
static int ap_nested;

static void ap_call(void)
{
#ifdef _OPENMP
    if (ap_nested) {
#pragma omp parallel num_threads(2)
#pragma omp single
        autopar_entry(ap_args);
        return;
    }
#endif
    autopar_entry(ap_args);
}

static void *ap_call_thread(void *unused)
{
    (void)unused;
    autopar_entry(ap_args);
    return 0;
}

static double ap_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec * 1e-6;
}

/* Bench and sized modes: inputs at the given size, warm-up calls, then reps timed calls (each
 * printed), then the guard zones and the inputs checked. */
static void ap_timed_calls(const long long *size, int reps, int warmups)
{
    ap_prepare(size, ${benchSeed(spec)}ULL);
    ap_openmp_warmup();
    for (int w = 0; w < warmups; w++) {
        ap_restore();
        autopar_entry(ap_args);
    }
    for (int r = 0; r < reps; r++) {
        ap_restore();
        double t0 = ap_now_ms();
        autopar_entry(ap_args);
        double t1 = ap_now_ms();
        printf("${BENCH_LINE_PREFIX}%.6f\\n", t1 - t0);
    }
    fflush(stdout);
    ap_check_guards();
    ap_check_inputs();
}

int main(int argc, char **argv)
{
    if ((argc == 5 || argc == 6) && strcmp(argv[1], "test") == 0) {
        int index = atoi(argv[2]);
        int calls = argc == 6 ? atoi(argv[5]) : 1;
        if (index < 0 || index >= AP_NTESTS) ap_die(2, "size index %d out of range (0..%d)", index, AP_NTESTS - 1);
        const char *team = getenv("AUTOPAR_TEAM");
        ap_nested = team && strcmp(team, "nested") == 0;
        ap_prepare(ap_test_sizes[index], strtoull(argv[3], 0, 10));
        ap_openmp_warmup();
        ap_icvs icvs;
        ap_get_icvs(&icvs);
        ap_restore();
        ap_call();
        ap_check_icvs(&icvs, 1);
        ap_check_guards();
        ap_check_inputs();
        ap_write_outputs(argv[4]);
        /* Repeated calls with a warm thread pool make races show more often; each call whose
           outputs differ from the first is written to <outfile>.<call> for comparison. */
        if (calls > 1) ap_take_snapshot();
        for (int c = 1; c < calls; c++) {
            ap_restore();
            ap_call();
            ap_check_icvs(&icvs, c + 1);
            ap_check_guards();
            ap_check_inputs();
            if (!ap_same_as_snapshot()) {
                char path[4096];
                snprintf(path, sizeof path, "%s.%d", argv[4], c);
                ap_write_outputs(path);
            }
        }
        return 0;
    }
    if ((argc == 4 || argc == 5) && strcmp(argv[1], "bench") == 0) {
        ap_timed_calls(ap_bench_size, atoi(argv[2]), atoi(argv[3]));
        if (argc == 5) ap_write_outputs(argv[4]);
        return 0;
    }
    if (argc == 4 + AP_NSIZES && strcmp(argv[1], "sized") == 0) {
        /* Timing at a size of the caller's choosing (the size ladder of verify/size-guard.ts). */
        long long size[AP_NSIZES];
        for (int k = 0; k < AP_NSIZES; k++) size[k] = strtoll(argv[4 + k], 0, 10);
        ap_timed_calls(size, atoi(argv[2]), atoi(argv[3]));
        return 0;
    }
    if (argc == 4 && strcmp(argv[1], "stack") == 0) {
        /* Stack headroom: one call at the bench size on a thread with a small stack. */
        size_t kib = (size_t)strtoull(argv[2], 0, 10);
        ap_prepare(ap_bench_size, ${benchSeed(spec)}ULL);
        ap_openmp_warmup();
        ap_restore();
        pthread_attr_t attr;
        pthread_t th;
        pthread_attr_init(&attr);
        if (pthread_attr_setstacksize(&attr, kib * 1024) != 0) ap_die(2, "cannot set a %zu KiB stack", kib);
        if (pthread_create(&th, &attr, ap_call_thread, 0) != 0) ap_die(2, "cannot start the call thread");
        pthread_join(th, 0);
        ap_check_guards();
        ap_check_inputs();
        ap_write_outputs(argv[3]);
        return 0;
    }
    fprintf(stderr, "usage: %s test <sizeIndex> <seed> <outfile> [calls] | bench <reps> <warmups> [outfile] | stack <kib> <outfile> | sized <reps> <warmups> <size values>\\n", argv[0]);
    return 2;
}
`;
}

function kindConst(kind: BufferArg['kind']): string {
  return kind === 'input' ? 'AP_INPUT' : kind === 'output' ? 'AP_OUTPUT' : 'AP_INOUT';
}

function generatorSetup(g: GeneratorSpec, i: number): string[] {
  const weightMin = g.weightMin ?? 1;
  const weightMax = g.weightMax ?? 10;
  const integral = g.weightType === 'int' ? 1 : 0;
  return [
    `    ap_make_csr(&ap_gens[${i}], ${cString(g.name)}, (long long)${cExpr(g.nodes)}, ${cDouble(g.degree)}, ${integral}, ` +
      `${cDouble(weightMin)}, ${cDouble(weightMax)}, ap_stream(ap_seed, ${hex64(nameHash(g.name))}));`,
    `    const long long ${g.name}_nnz = ap_gens[${i}].nnz; (void)${g.name}_nnz;`,
  ];
}

/** C statements filling buffer `i` (an input or inout) from its init spec. */
function fillCode(b: BufferArg, i: number, genIndex: Map<string, number>): string {
  const t = cTypeOf(b.type);
  const init = b.init as InitSpec;
  const head = `    { /* ${b.name} */\n        ${t} *p = (${t} *)ap_bufs[${i}].data;\n        long long len = ap_bufs[${i}].len;\n` +
    `        uint64_t s = ap_stream(ap_seed, ${hex64(nameHash(b.name))}); (void)s;\n`;
  const loop = (value: string) => `${head}        for (long long i = 0; i < len; i++) p[i] = (${t})(${value});\n    }`;
  if ('from' in init) {
    const [genName, field] = init.from.split('.') as [string, 'rowptr' | 'cols' | 'weights'];
    const g = genIndex.get(genName)!;
    const avail = field === 'rowptr' ? `ap_gens[${g}].nodes + 1` : `ap_gens[${g}].nnz`;
    return (
      `${head}        if (len > ${avail}) ap_die(2, "buffer %s: length %lld exceeds ${init.from} (%lld elements); fix its length expression", ${cString(b.name)}, len, (long long)(${avail}));\n` +
      `        for (long long i = 0; i < len; i++) p[i] = (${t})ap_gens[${g}].${field}[i];\n    }`
    );
  }
  // A bound is a literal, or an expression over the sizes in scope (evaluated per test size).
  const realBound = (v: number | string) => (typeof v === 'number' ? cDouble(v) : `(double)${cExpr(v)}`);
  const intBound = (v: number | string) => (typeof v === 'number' ? cInt(v) : `(long long)${cExpr(v)}`);
  switch (init.gen) {
    case 'uniform':
      return (
        `${head}        const double lo = ${realBound(init.min)}, hi = ${realBound(init.max)};\n` +
        `        if (len > 0 && lo > hi) ap_die(2, "buffer %s: uniform min (%g) is greater than max (%g) at this size; fix init.min/init.max", ${cString(b.name)}, lo, hi);\n` +
        `        for (long long i = 0; i < len; i++) p[i] = (${t})(lo + (hi - lo) * ap_unit(&s));\n    }`
      );
    case 'randint':
      return (
        `${head}        const long long lo = ${intBound(init.min)}, hi = ${intBound(init.max)};\n` +
        `        if (len > 0 && lo > hi) ap_die(2, "buffer %s: randint min (%lld) is greater than max (%lld) at this size; fix init.min/init.max", ${cString(b.name)}, lo, hi);\n` +
        `        for (long long i = 0; i < len; i++) p[i] = (${t})ap_randint(&s, lo, hi);\n    }`
      );
    case 'const':
      return loop(realBound(init.value));
    case 'diag-dominant':
    case 'spd':
      return `${head}        AP_MATRIX_FILL(${t}, p, len, (long long)${cExpr(init.n)}, ${init.gen === 'spd' ? 1 : 0}, &s, ${cString(b.name)});\n    }`;
    case 'zero':
      return loop('0');
    case 'iota':
      return loop('i');
  }
}

/**
 * In the SPECIAL_VALUES_SEED run only: about one element in eight becomes NaN, +Inf, -Inf
 * or -0.0, and one (random) element is always NaN.
 */
function specialValuesCode(b: BufferArg, i: number): string {
  const t = cTypeOf(b.type);
  return `    if (ap_seed == ${SPECIAL_VALUES_SEED}ULL) { /* ${b.name}: NaN/Inf inputs */
        ${t} *p = (${t} *)ap_bufs[${i}].data;
        long long len = ap_bufs[${i}].len;
        const ${t} specials[4] = { (${t})NAN, (${t})INFINITY, (${t})-INFINITY, (${t})-0.0 };
        uint64_t s = ap_stream(ap_seed ^ 0x5bd1e995ULL, ${hex64(nameHash(b.name))});
        for (long long i = 0; i < len; i++) {
            uint64_t r = ap_next(&s);
            if (r % 8 == 0) p[i] = specials[(r >> 8) % 4];
        }
        if (len > 0) p[ap_next(&s) % (uint64_t)len] = (${t})NAN;
    }`;
}

/**
 * The trampoline appended to a kernel TU: `autopar_entry(args)` calls the kernel with
 * args[i] (a buffer pointer, converted implicitly to the parameter's pointer type, or a
 * pointer to the scalar's value) and stores a return value through args[nargs].
 */
export function generateTrampoline(spec: KernelSpec): string {
  const callArgs = spec.args.map((a, i) => (a.kind === 'scalar' ? `*(const ${cTypeOf((a as ScalarArg).type)} *)ap_args[${i}]` : `ap_args[${i}]`));
  const call = `${spec.name}(${callArgs.join(', ')})`;
  const statement = spec.returns ? `*(${cTypeOf(spec.returns.type)} *)ap_args[${spec.args.length}] = ${call};` : `${call};`;
  return `
#line 1 "autopar-trampoline.c"
/* ---- autopar trampoline (generated): calls the kernel with the harness's arguments ---- */
#include <stdint.h>
#include <stddef.h>
void autopar_entry(void **ap_args);
void autopar_entry(void **ap_args)
{
    ${statement}
}
`;
}

/**
 * A complete kernel TU ready to link with harness.c: the TU text (original or spliced),
 * with any `main` renamed so the harness's main is the program's, plus the trampoline.
 * `fileName` keeps compiler messages pointing at the user's file name and line numbers.
 */
export function kernelTranslationUnit(tuText: string, spec: KernelSpec, fileName: string): string {
  return `#define main autopar_user_main\n#line 1 ${JSON.stringify(fileName)}\n${tuText}${tuText.endsWith('\n') ? '' : '\n'}${generateTrampoline(spec)}`;
}

/** Identifies the harness generated for a spec (the original's cache uses it). */
export function harnessDigest(spec: KernelSpec): string {
  return createHash('sha256').update(generateHarness(spec)).digest('hex');
}
