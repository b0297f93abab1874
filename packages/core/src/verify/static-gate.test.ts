import { describe, it, expect } from 'vitest';
import { extractKernels } from '../kernel/extract.js';
import type { KernelSpec } from '../spec/types.js';
import { staticGate } from './static-gate.js';

const ORIGINAL = 'void saxpy(int n, float a, const float *x, float *y)\n{\n    for (int i = 0; i < n; i++) y[i] = a * x[i] + y[i];\n}\n';
const unit = extractKernels(ORIGINAL, 'saxpy.c', ['saxpy'])[0]!;
const spec = { name: 'saxpy', noalias: false } as KernelSpec;
const LOOP = '    for (int i = 0; i < n; i++) y[i] = a * x[i] + y[i];';
const fn = (body: string, head = 'void saxpy(int n, float a, const float *x, float *y)') => `${head}\n{\n${body}\n}\n`;
const gate = (text: string, s: KernelSpec = spec) => staticGate(text, unit, s);

describe('staticGate', () => {
  it('passes an OpenMP variant with allowed includes', () => {
    const r = gate(`#include <omp.h>\n#include <math.h>\n${fn(`    #pragma omp parallel for \\\n        schedule(static)\n${LOOP}`)}`);
    expect(r).toMatchObject({ ok: true });
  });

  it('rejects syntax errors with the line', () => {
    expect(gate(fn('    for (int i = 0; i < n; i++ y[i] = 0;')).reason).toMatch(/^does not parse: .* at line 3/);
  });

  it('rejects a forbidden call, naming it and its line', () => {
    expect(gate(fn(`    popen("x", "r");\n${LOOP}`)).reason).toBe("calls forbidden function 'popen' at line 3");
    expect(gate(fn(`    void *p = (void *)&system; (void)p;\n${LOOP}`)).reason).toBe("mentions forbidden function 'system' at line 3");
    expect(gate(fn(`    execvp("sh", 0);\n${LOOP}`)).reason).toMatch(/forbidden function 'execvp'/);
  });

  it('allows GCC atomic builtins and still refuses look-alike names', () => {
    const body = `    #pragma omp parallel for\n    for (int i = 0; i < n; i++) { float v = __atomic_load_n(&x[i], __ATOMIC_RELAXED); __atomic_store_n(&y[i], a * v + y[i], __ATOMIC_RELAXED); }`;
    expect(gate(fn(body))).toMatchObject({ ok: true });
    expect(gate(fn(`    (void)__sync_fetch_and_add((int *)&y[0], 0);\n${LOOP}`))).toMatchObject({ ok: true });
    expect(gate(fn(`    __atomic_system(0);\n${LOOP}`)).ok).toBe(false);
  });

  it('rejects inline assembly', () => {
    expect(gate(fn(`    __asm__ volatile("nop");\n${LOOP}`)).reason).toBe("uses inline assembly ('__asm__') at line 3");
  });

  it('rejects headers outside the allow-list and quoted headers', () => {
    expect(gate(`#include <stdio.h>\n${fn(LOOP)}`).reason).toMatch(/^#include <stdio.h> at line 1 is not allowed/);
    expect(gate(`#include "evil.h"\n${fn(LOOP)}`).reason).toMatch(/only <\.\.\.> system headers/);
  });

  it('rejects macros, which could assemble forbidden names', () => {
    expect(gate(`#define S(a,b) a##b\n${fn(LOOP)}`).reason).toMatch(/only the kernel function and #include <\.\.\.> lines are allowed at top level; found preproc function def/);
    expect(gate(fn(`#define N 4\n${LOOP}`)).reason).toMatch(/preprocessor directive '#define' at line 3/);
  });

  it('rejects line splices outside #pragma and digraph directives', () => {
    expect(gate(fn(`    sys\\\ntem("x");\n${LOOP}`)).ok).toBe(false);
    expect(gate(`%:include <stdio.h>\n${fn(LOOP)}`).ok).toBe(false);
  });

  it('rejects extra functions and globals', () => {
    expect(gate(`static int helper(void) { return 1; }\n${fn(LOOP)}`).reason).toMatch(/defines 2 functions/);
    expect(gate(`int counter;\n${fn(LOOP)}`).reason).toMatch(/found declaration 'int counter;' at line 1/);
  });

  it('rejects a call of a function outside the allow-list, naming it and its line', () => {
    expect(gate(fn(`    __builtin_printf("x");\n${LOOP}`)).reason).toMatch(/^calls '__builtin_printf' at line 3, which is not allowed; a kernel may call only /);
    expect(gate(fn(`    usleep(10);\n${LOOP}`)).reason).toMatch(/^calls 'usleep' at line 3, which is not allowed/);
  });

  it('allows libm, omp_*, intrinsics, safe builtins, memcpy/abs and heap scratch', () => {
    const body = [
      '    float *t = malloc(sizeof(float) * (size_t)n); if (!t) return;',
      '    memcpy(t, x, sizeof(float) * (size_t)n); free(t);',
      '    int k = abs(omp_get_max_threads()); (void)k;',
      '    if (__builtin_expect(n > 0, 1)) __builtin_prefetch(x);',
      '    for (int i = 0; i < n; i++) y[i] = a * x[i] + sqrtf(fabsf(y[i])) * 0 + y[i];',
    ].join('\n');
    expect(gate(`#include <math.h>\n#include <stdlib.h>\n#include <string.h>\n#include <omp.h>\n${fn(body)}`)).toMatchObject({ ok: true });
  });

  it("allows the kernel's closure helpers and whatever the original kernel calls", () => {
    const original = 'static float sq(float v) { return v * v; }\nvoid saxpy(int n, float a, const float *x, float *y)\n{\n    for (int i = 0; i < n; i++) y[i] = a * sq(x[i]) + ext_scale(y[i]);\n}\n';
    const u = extractKernels(original, 'saxpy.c', ['saxpy'])[0]!;
    const cand = fn('    #pragma omp parallel for\n    for (int i = 0; i < n; i++) y[i] = a * sq(x[i]) + ext_scale(y[i]);');
    expect(staticGate(cand, u, spec)).toMatchObject({ ok: true });
    expect(staticGate(fn(`    other_helper();\n${LOOP}`), u, spec).reason).toMatch(/^calls 'other_helper' at line 3/);
  });

  it('rejects a hand-written prototype of a libc alias, even one no deny-list names', () => {
    expect(gate(fn(`    extern int __libc_system(const char *);\n    __libc_system("x");\n${LOOP}`)).reason).toMatch(
      /^declares function or function pointer '__libc_system' at line 3/,
    );
  });

  it('rejects extern and thread-local declarations', () => {
    expect(gate(fn(`    extern char **__environ;\n${LOOP}`)).reason).toBe("extern declaration of '__environ' at line 3: a kernel may not declare outside symbols");
    expect(gate(fn(`    static __thread int t;\n${LOOP}`)).ok).toBe(false);
  });

  it('rejects function pointers: variables, casts and calls through expressions', () => {
    expect(gate(fn(`    float (*f)(float) = sqrtf; (void)f;\n${LOOP}`)).reason).toMatch(/^declares function or function pointer 'f' at line 3/);
    expect(gate(fn(`    void *p = (void *)sqrtf;\n    ((float (*)(float))p)(1.0f);\n${LOOP}`)).reason).toMatch(/function pointer type .* at line 4|calls through an expression/);
    expect(gate(fn(`    void *tab[1] = {0};\n    (*(void (**)(void))tab)();\n${LOOP}`)).ok).toBe(false);
  });

  it('rejects a call of a local variable (a function pointer hidden behind a typedef)', () => {
    expect(gate(fn(`    __typeof__(sqrtf) *sqrtf2 = sqrtf; float sqrtf3 = 0; (void)sqrtf3;\n    sqrtf2(1.0f);\n${LOOP}`)).reason).toMatch(
      /^calls 'sqrtf2' at line 4, a variable of the kernel/,
    );
  });

  it('rejects taking the address of a name that is not the kernel\'s', () => {
    expect(gate(fn(`    void *p = &sqrtf; (void)p;\n${LOOP}`)).reason).toBe(
      "takes the address of 'sqrtf' at line 3, which is not a variable of the kernel or of its closure",
    );
  });

  it('rejects static locals, which keep state between calls (memoizing the benchmark)', () => {
    expect(gate(fn(`    static int done;\n    if (done) return;\n    done = 1;\n${LOOP}`)).reason).toMatch(
      /^static local variable 'done' at line 3 keeps state between calls/,
    );
  });

  it('allows static const tables of numbers, at top level and inside, and nothing else static', () => {
    const table = 'static const float W[4] = { 0.5f, -1, 2e-3f, (4) };\n';
    const r = gate(`${table}${fn(`    static const int K[2] = {1, 2}; (void)K; (void)W;\n${LOOP}`)}`);
    expect(r).toMatchObject({ ok: true });
    expect(gate(`static float W[4] = {0};\n${fn(LOOP)}`).reason).toMatch(/found declaration 'static float W\[4\] = \{0\};' at line 1/);
    expect(gate(`static const float *P = 0;\n${fn(LOOP)}`).ok).toBe(false);
    expect(gate(`static const long A = (long)&saxpy;\n${fn(LOOP)}`).ok).toBe(false);
  });

  it('checks calls inside #pragma clauses', () => {
    expect(gate(fn(`    #pragma omp parallel for num_threads(getpid() % 2 + 1)\n${LOOP}`)).reason).toMatch(/^calls 'getpid' in a #pragma at line 3/);
    expect(gate(fn(`    #pragma omp parallel for num_threads(omp_get_max_threads()) schedule(dynamic, 4) if(n > 100)\n${LOOP}`)).ok).toBe(true);
  });

  it('rejects asm in any spelling and .incbin, even in strings', () => {
    expect(gate(fn(`    asm volatile("" ::: "memory");\n${LOOP}`)).reason).toBe("uses inline assembly ('asm') at line 3");
    expect(gate(fn(`    __asm ("nop");\n${LOOP}`)).reason).toBe("uses inline assembly ('__asm') at line 3");
    expect(gate(fn(`    const char *s = ".incbin \\"/etc/passwd\\""; (void)s;\n${LOOP}`)).reason).toBe("'.incbin' at line 3 is not allowed (assembler directive)");
    expect(gate(`/* no asm here */\n${fn(LOOP)}`).ok).toBe(true);
  });

  it('rejects signal, setjmp/longjmp, raise, abort, exit, _Exit and atexit', () => {
    for (const f of ['signal(2, 0)', 'raise(9)', 'abort()', 'exit(0)', '_Exit(0)', 'atexit(0)', 'longjmp(0, 1)', 'setjmp(0)', '__builtin_trap()']) {
      expect(gate(fn(`    ${f};\n${LOOP}`)).ok, f).toBe(false);
    }
  });

  it('rejects constructor attributes', () => {
    expect(gate(fn(LOOP, '__attribute__((constructor)) void saxpy(int n, float a, const float *x, float *y)')).ok).toBe(false);
  });

  it('rejects a different signature, naming the parameter', () => {
    expect(gate(fn(LOOP, 'void saxpy(int n, double a, const float *x, float *y)')).reason).toMatch(
      /^signature differs: parameter 'a' has type 'double' instead of 'float'/,
    );
    expect(gate(fn(LOOP, 'int saxpy(int n, float a, const float *x, float *y)')).reason).toMatch(/returns 'int' instead of 'void'/);
    expect(gate(fn(LOOP, 'void saxpy(int m, float a, const float *x, float *y)')).reason).toMatch(/parameter 1 is named 'm' instead of 'n'/);
    expect(gate(fn(LOOP, 'void other(int n, float a, const float *x, float *y)')).ok).toBe(false);
  });

  it('allows added restrict only when the spec declares noalias', () => {
    const head = 'void saxpy(int n, float a, const float *restrict x, float *restrict y)';
    expect(gate(fn(LOOP, head)).reason).toMatch(/changes restrict .* does not declare noalias/);
    expect(gate(fn(LOOP, head), { ...spec, noalias: true }).ok).toBe(true);
  });

  it('allows only the compute subset of the OpenMP runtime: no setters, printing or host queries', () => {
    expect(gate(fn(`    omp_set_num_threads(2);\n${LOOP}`)).reason).toMatch(/^calls 'omp_set_num_threads' at line 3: a kernel may not change the OpenMP settings of its caller/);
    expect(gate(fn(`    omp_set_dynamic(1);\n${LOOP}`)).ok).toBe(false);
    expect(gate(fn(`    omp_display_affinity(0);\n${LOOP}`)).reason).toMatch(/'omp_display_affinity' at line 3, which is not a compute-only OpenMP call/);
    expect(gate(fn(`    char b[64]; (void)omp_capture_affinity(b, 64, 0);\n${LOOP}`)).reason).toMatch(/omp_capture_affinity/);
    expect(gate(fn(`    int p = omp_get_num_procs(); (void)p;\n${LOOP}`)).ok).toBe(false);
    const body = '    omp_lock_t l; omp_init_lock(&l);\n    #pragma omp parallel\n    { int t = omp_get_thread_num(), k = omp_get_num_threads(); omp_set_lock(&l); y[0] += (float)(t * 0 + k * 0); omp_unset_lock(&l); }\n    omp_destroy_lock(&l);';
    expect(gate(`#include <omp.h>\n${fn(body)}`)).toMatchObject({ ok: true });
  });

  it('allows posix_memalign like aligned_alloc', () => {
    const body = `    float *t = 0; if (posix_memalign((void **)&t, 64, sizeof(float) * (size_t)n) != 0) return;\n    free(t);\n${LOOP}`;
    expect(gate(`#include <stdlib.h>\n${fn(body)}`)).toMatchObject({ ok: true });
  });

  it('a clock read may time a phase but must not steer a result or a branch', () => {
    const timed = `    double t0 = omp_get_wtime();\n${LOOP}\n    double spent = omp_get_wtime() - t0; (void)spent;`;
    expect(gate(`#include <omp.h>\n${fn(timed)}`)).toMatchObject({ ok: true });
    const steers = `    double t0 = omp_get_wtime();\n${LOOP}\n    double dt = omp_get_wtime() - t0;\n    if (dt > 1.0) y[0] = 0;`;
    expect(gate(`#include <omp.h>\n${fn(steers)}`).reason).toMatch(/'dt' \(a value read from the clock\) at line 7 reaches/);
    const stored = `${LOOP}\n    y[0] += (float)omp_get_wtime() * 0.0f;`;
    expect(gate(`#include <omp.h>\n${fn(stored)}`).reason).toMatch(/omp_get_wtime\(\) at line 5 reaches .*must not steer/);
    const clause = `    int t = (int)omp_get_wtime();\n    #pragma omp parallel for num_threads(t % 3 + 1)\n${LOOP}`;
    expect(gate(`#include <omp.h>\n${fn(clause)}`).reason).toMatch(/'t' \(a value read from the clock\) is used in a #pragma at line 5/);
  });
});
