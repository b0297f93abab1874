// The dispatch text of a size guard, compiled and run: the variant from the threshold up, the
// original below it, results and return values passed through, and a compiler recipe's
// variant still movable to a translation unit of its own.
import { describe, it, expect, afterAll } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { extractKernels } from './extract.js';
import { splitNamedKernel } from './own-tu.js';
import { spliceFunction as splice } from './splice.js';
import { describeGuard, guardedKernelText, SizeGuardTextError, variantName } from './size-guard-text.js';

const root = mkdtempSync(join(tmpdir(), 'autopar-guard-text-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

// The "variant" counts its calls, so the test can tell which function ran.
const FILE = `#include <stdio.h>
int variant_calls;

void axpy(int n, int m, double a, const double *x, double *y)
{
    for (int i = 0; i < n * m; i++) y[i] += a * x[i];
}

static double total(int n, const double *x)
{
    double s = 0;
    for (int i = 0; i < n; i++) s += x[i];
    return s;
}

int main(void)
{
    double x[64], y[64] = {0};
    for (int i = 0; i < 64; i++) x[i] = i;
    axpy(2, 3, 2.0, x, y);   /* 6 < 10: the original */
    axpy(4, 16, 1.0, x, y);  /* 64 >= 10: the variant */
    printf("%d %g %g %g\\n", variant_calls, y[5], y[63], total(64, x) + total(3, x));
    return 0;
}
`;

const AXPY_VARIANT = `#include <omp.h>
void axpy(int n, int m, double a, const double *restrict x, double *restrict y)
{
    variant_calls++;
    #pragma omp parallel for
    for (int i = 0; i < n * m; i++) y[i] += a * x[i];
}`;

const TOTAL_VARIANT = `static double total(int n, const double *x)
{
    double s = 0;
    variant_calls++;
    for (int i = 0; i < n; i++) s += x[i];
    return s;
}`;

function run(name: string, units: Record<string, string>): string {
  const dir = join(root, name);
  execFileSync('mkdir', ['-p', dir]);
  const files = Object.entries(units).map(([file, text]) => (writeFileSync(join(dir, file), text), join(dir, file)));
  execFileSync('gcc', ['-O2', '-fopenmp', '-Wall', '-Werror', ...files, '-o', join(dir, 'a.out')], { stdio: 'pipe' });
  return execFileSync(join(dir, 'a.out'), { env: { OMP_NUM_THREADS: '2' } }).toString().trim();
}

const unitOf = (text: string, name: string) => extractKernels(text, 'f.c', [name])[0]!;

describe('size guard text', () => {
  it('calls the variant from the threshold up and the original below it, with the same results', () => {
    const guarded = splice(FILE, unitOf(FILE, 'axpy'), guardedKernelText(unitOf(FILE, 'axpy'), AXPY_VARIANT, { measure: '(double)n * (double)m', threshold: 10 }, { variantExtern: false }));
    expect(guarded).toContain('static void axpy__autopar_serial(int n, int m');
    expect(guarded).toContain('static void axpy__autopar_variant(int n, int m, double a, const double *restrict x');
    expect(guarded).toMatch(/#include <omp.h>/);
    // y[5] = 2*5 (original) + 5 (variant); y[63] = 63 (variant only); totals 2016 + 3.
    expect(run('void', { 'f.c': guarded })).toBe('1 15 63 2019');
  });

  it('passes a return value through and keeps a static kernel static (no second storage class)', () => {
    const guarded = splice(FILE, unitOf(FILE, 'total'), guardedKernelText(unitOf(FILE, 'total'), TOTAL_VARIANT, { measure: '(double)n', threshold: 10 }, { variantExtern: false }));
    expect(guarded).toContain('static double total(int n, const double *x)\n{\n    /* autopar size guard');
    expect(guarded).not.toMatch(/static\s+static/);
    // total(64) runs the variant, total(3) the original.
    expect(run('value', { 'f.c': guarded })).toBe('1 15 63 2019');
  });

  it("keeps a compiler recipe's variant external, so it can move to a translation unit of its own", () => {
    const text = splice(FILE, unitOf(FILE, 'axpy'), guardedKernelText(unitOf(FILE, 'axpy'), AXPY_VARIANT, { measure: '(double)n * (double)m', threshold: 10 }, { variantExtern: true }));
    const split = splitNamedKernel(text, join(root, 'f.c'), variantName('axpy'));
    expect(split.restTu).toContain('void axpy__autopar_variant(int n, int m, double a, const double *restrict x, double *restrict y);');
    expect(run('recipe', { 'rest.c': split.restTu, 'kernel.c': split.kernelTu })).toBe('1 15 63 2019');
  });

  it('refuses a variadic kernel', () => {
    const v = 'void logf2(int n, ...)\n{\n}\n';
    expect(() => guardedKernelText(unitOf(v, 'logf2'), v, { measure: '(double)n', threshold: 4 }, { variantExtern: false })).toThrow(SizeGuardTextError);
  });

  it('is described for reports without the casts', () => {
    expect(describeGuard({ measure: '(double)seq * (double)d', threshold: 102 })).toBe('original below seq*d = 102');
    expect(describeGuard({ measure: '(double)n', threshold: null })).toBeUndefined();
  });
});
