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
});
