// splitKernelTu is only right if the two halves build the same program as the whole
// file: every case here compiles the kernel's TU with the recipe compiler (clang-19,
// gcc where it is missing) and the rest with gcc, links them, runs the program and
// compares its output with the original file built whole.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { extractKernels } from './extract.js';
import { OwnTuError, splitKernelTu, type OwnTranslationUnits } from './own-tu.js';

const KERNELS_DIR = join(dirname(fileURLToPath(import.meta.url)), '../../../../kernels');
const RECIPE_CC = commandWorks('clang-19', ['--version']) ? 'clang-19' : 'gcc';

const root = mkdtempSync(join(tmpdir(), 'own-tu-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let dirs = 0;

function commandWorks(cmd: string, args: string[]): boolean {
  try {
    execFileSync(cmd, args, { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Runs a command; on failure the error message carries its stderr (the compiler's complaint). */
function run(cmd: string, args: string[], cwd: string): string {
  return execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

function split(source: string, kernel: string, functionText?: string): OwnTranslationUnits {
  const [unit] = extractKernels(source, 'k.c', [kernel]);
  return splitKernelTu(source, 'k.c', unit!, functionText);
}

/**
 * Builds `source` (as k.c, plus `driver` as main.c when given) whole with gcc, and
 * split: kernelTu with the recipe compiler, restTu with gcc. Returns both outputs.
 */
function buildBoth(source: string, kernel: string, opts: { driver?: string; functionText?: string } = {}) {
  const dir = join(root, `case${dirs++}`);
  mkdirSync(dir);
  const tus = split(source, kernel, opts.functionText);
  writeFileSync(join(dir, 'k.c'), source);
  writeFileSync(join(dir, 'kernel.tu.c'), tus.kernelTu);
  writeFileSync(join(dir, 'rest.tu.c'), tus.restTu);
  const driver = opts.driver ? ['main.c'] : [];
  if (opts.driver) writeFileSync(join(dir, 'main.c'), opts.driver);

  run('gcc', ['-O3', '-o', 'whole', 'k.c', ...driver, '-lm'], dir);
  run(RECIPE_CC, ['-O3', '-c', 'kernel.tu.c', '-o', 'kernel.o'], dir);
  run('gcc', ['-O3', '-c', 'rest.tu.c', '-o', 'rest.o'], dir);
  run('gcc', ['-o', 'split', 'kernel.o', 'rest.o', ...driver, '-lm'], dir);
  return { tus, whole: run('./whole', [], dir), split: run('./split', [], dir) };
}

describe('splitKernelTu builds the same program', () => {
  it('copies a static helper the kernel calls; keeps macros and typedefs; other functions become prototypes', () => {
    const source = `#include <stdio.h>
#define SCALE(x) ((x) * 3.0)
typedef struct { int n; double *v; } vec_t;

static double twice(double x);
static double unused_helper(double x) { return x + 1; }

/* kernel */
void scale_vec(vec_t v)
{
    for (int i = 0; i < v.n; i++) v.v[i] = twice(v.v[i]);
}

static double twice(double x) { return SCALE(x) - x; }

void report(vec_t v)
{
    double s = 0;
    for (int i = 0; i < v.n; i++) s += v.v[i];
    printf("sum %.6f %.6f\\n", s, unused_helper(s));
}
`;
    const driver = `typedef struct { int n; double *v; } vec_t;
void scale_vec(vec_t v);
void report(vec_t v);
int main(void) { double a[5] = {1, 2, 3, 4, 5}; vec_t v = {5, a}; scale_vec(v); report(v); return 0; }
`;
    const { tus, whole, split } = buildBoth(source, 'scale_vec', { driver });
    expect(whole).toBe('sum 30.000000 31.000000\n');
    expect(split).toBe(whole);
    expect(tus.kernelTu).toContain('static double twice(double x) { return SCALE(x) - x; }');
    expect(tus.kernelTu).toContain('#define SCALE(x)');
    expect(tus.kernelTu).toContain('typedef struct { int n; double *v; } vec_t;');
    expect(tus.kernelTu).toContain('void report(vec_t v);');
    expect(tus.kernelTu).not.toContain('unused_helper');
    expect(tus.kernelTu).toMatch(/^#line 1 "k\.c"\n#include <stdio\.h>\n/);
    // The rest: only the kernel's definition changed, into its prototype.
    expect(tus.restTu).toBe(source.replace(/void scale_vec\(vec_t v\)\n\{[^}]*\}/, 'void scale_vec(vec_t v);'));
  });

  it('declares the non-static globals the kernel uses extern (declarator lists, arrays sized by their initializer)', () => {
    const source = `double scale = 2.0;
int a = 1, b;
double tab[] = {1.0, 10.0, 100.0};
double grid[2][3] = {{1, 2, 3}, {4, 5, 6}};

void kernel(double *x, int n)
{
    b = (int)(sizeof tab / sizeof tab[0]);
    for (int i = 0; i < n; i++) x[i] = x[i] * scale * tab[i % 3] + a + b + grid[1][i % 3];
}
`;
    const driver = `#include <stdio.h>
void kernel(double *x, int n);
extern int b;
int main(void) { double x[4] = {1, 2, 3, 4}; kernel(x, 4); printf("%g %g %g %g b=%d\\n", x[0], x[1], x[2], x[3], b); return 0; }
`;
    const { tus, whole, split } = buildBoth(source, 'kernel', { driver });
    expect(whole).toBe('10 49 610 16 b=3\n');
    expect(split).toBe(whole);
    expect(tus.kernelTu).toContain('extern double scale;');
    expect(tus.kernelTu).toContain('extern int a, b;');
    expect(tus.kernelTu).toContain('extern double tab[3];');
    expect(tus.kernelTu).toContain('extern double grid[2][3];');
    expect(tus.restTu).toContain('double scale = 2.0;');
  });

  it('drops main (and the static state only main uses) when the kernel shares its file with it', () => {
    const source = `#include <stdio.h>
#include <stdlib.h>
#define IDX(i, j, n) ((i) * (n) + (j))

void matmul(int n, const double *A, const double *B, double *C);

static unsigned long long rng_state = 88172645463325252ULL;
static double rnd(void)
{
    rng_state ^= rng_state << 13; rng_state ^= rng_state >> 7; rng_state ^= rng_state << 17;
    return (double)(rng_state % 1000) / 100.0;
}

void matmul(int n, const double *A, const double *B, double *C)
{
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++) {
            C[IDX(i, j, n)] = 0.0;
            for (int k = 0; k < n; k++) C[IDX(i, j, n)] += A[IDX(i, k, n)] * B[IDX(k, j, n)];
        }
}

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 7;
    double *A = malloc(n * n * sizeof *A), *B = malloc(n * n * sizeof *B), *C = malloc(n * n * sizeof *C);
    for (int i = 0; i < n * n; i++) { A[i] = rnd(); B[i] = rnd(); }
    matmul(n, A, B, C);
    double s = 0;
    for (int i = 0; i < n * n; i++) s += C[i] * (i % 5 + 1);
    printf("checksum %.17g\\n", s);
    return 0;
}
`;
    const { tus, whole, split } = buildBoth(source, 'matmul');
    expect(whole).toMatch(/^checksum /);
    expect(split).toBe(whole);
    expect(tus.kernelTu).not.toMatch(/\bmain\b|rng_state|rnd/);
    expect(tus.restTu).toContain('int main(int argc, char **argv)');
  });

  it('copies a static const lookup table (read-only: two copies are one)', () => {
    const source = `#include <stdio.h>
static const int N_LUT = 4;
static const double lut[4] = {0.5, 1.5, 2.5, 3.5};
static const char *const names[] = {"zero", "one"};

double lookup_sum(const int *idx, int n)
{
    double s = 0;
    for (int i = 0; i < n; i++) s += lut[idx[i] % N_LUT];
    return s;
}

int main(void)
{
    int idx[6] = {0, 1, 2, 3, 5, 7};
    printf("%s %.3f\\n", names[1], lookup_sum(idx, 6));
    return 0;
}
`;
    const { tus, whole, split } = buildBoth(source, 'lookup_sum');
    expect(whole).toBe('one 13.000\n');
    expect(split).toBe(whole);
    expect(tus.kernelTu).toContain('static const double lut[4] = {0.5, 1.5, 2.5, 3.5};');
    expect(tus.kernelTu).toContain('static const int N_LUT = 4;');
    expect(tus.kernelTu).not.toContain('names');
  });

  it('puts functionText in kernelTu (with the helpers the new version uses), and leaves the rest alone', () => {
    const source = `#include <stdio.h>
static double sq(double x) { return x * x; }
static double cube(double x) { return x * x * x; }

double sum_sq(const double *x, int n)
{
    double s = 0;
    for (int i = 0; i < n; i++) s += sq(x[i]);
    return s;
}

int main(void)
{
    double x[5] = {1, 2, 3, 4, 5};
    printf("%.1f %.1f\\n", sum_sq(x, 5), cube(2));
    return 0;
}
`;
    // A new version: summed backwards, through cube/x, which the original did not call.
    const functionText = `#include <stddef.h>
double sum_sq(const double *x, int n)
{
    double s = 0;
    for (int i = n - 1; i >= 0; i--) s += cube(x[i]) / x[i];
    return s;
}`;
    const { tus, whole, split } = buildBoth(source, 'sum_sq', { functionText });
    expect(whole).toBe('55.0 8.0\n');
    expect(split).toBe(whole);
    expect(tus.kernelTu).toContain(functionText);
    expect(tus.kernelTu).toContain('static double cube(double x)');
    expect(tus.kernelTu).not.toContain('static double sq(double x)');
    expect(tus.restTu).toContain('double sum_sq(const double *x, int n);');
    expect(tus.restTu).not.toContain('cube(x[i])');
  });
});

describe('splitKernelTu refuses what two translation units cannot share', () => {
  const refusal = (source: string, kernel: string): string => {
    try {
      split(source, kernel);
    } catch (e) {
      expect(e).toBeInstanceOf(OwnTuError);
      return (e as Error).message;
    }
    throw new Error('expected an OwnTuError');
  };

  it('a file-static mutable variable the kernel uses: names the file, the kernel and the variable', () => {
    const message = refusal(`static int calls;\nvoid kernel(double *x) { calls++; x[0] = calls; }\n`, 'kernel');
    expect(message).toBe(
      'kernel kernel in k.c uses the file-static variable calls; a compiler recipe needs the kernel in its own translation unit, and a static variable cannot be shared between two — make calls non-static or leave compiler recipes off',
    );
  });

  it('the same, reached through a static helper or a macro', () => {
    const viaHelper = refusal(`static double total;\nstatic void add(double v) { total += v; }\nvoid kernel(double *x) { add(x[0]); }\n`, 'kernel');
    expect(viaHelper).toContain('uses the file-static variable total (through add)');
    const viaMacro = refusal(`static int hits;\n#define HIT() (hits++)\nvoid kernel(void) { HIT(); }\n`, 'kernel');
    expect(viaMacro).toContain('uses the file-static variable hits');
  });

  it('a static helper that keeps state in a static local, a mutable pointer, a static kernel', () => {
    expect(refusal(`static int next(void) { static int n; return n++; }\nvoid kernel(int *x) { x[0] = next(); }\n`, 'kernel')).toContain(
      'uses the static function next, which keeps state in its static variable n',
    );
    // `const char *` is a mutable pointer to const chars: state.
    expect(refusal(`static const char *label = "a";\nvoid kernel(const char **out) { *out = label; label = "b"; }\n`, 'kernel')).toContain(
      'file-static variable label',
    );
    expect(refusal(`static void kernel(int *x) { x[0] = 1; }\nvoid run(int *x) { kernel(x); }\n`, 'kernel')).toContain('kernel kernel in k.c is declared static');
  });

  it('a definition inside an #if block', () => {
    const message = refusal(`#ifdef DEBUG\nstatic void trace(void) {}\n#endif\nvoid kernel(int *x) { x[0] = 1; }\n`, 'kernel');
    expect(message).toContain('the #if block at line 1 defines trace');
  });

  it('but unused file-static state, and #if blocks of declarations only, are fine', () => {
    const { kernelTu } = split(
      `#ifdef _OPENMP\n#include <omp.h>\n#else\nint omp_get_max_threads(void);\n#endif\nstatic int unused_state = 3;\nvoid kernel(int *x) { x[0] = 1; }\nint other(void) { return unused_state; }\n`,
      'kernel',
    );
    expect(kernelTu).toContain('#ifdef _OPENMP\n#include <omp.h>\n#else');
    expect(kernelTu).not.toContain('unused_state');
    expect(kernelTu).toContain('int other(void);');
  });
});

describe('splitKernelTu on the real kernels', () => {
  const folders = readdirSync(KERNELS_DIR, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();

  it('finds the eleven kernels', () => {
    expect(folders).toHaveLength(11);
  });

  it.each(folders)('%s: both halves compile (gcc -fopenmp, and clang-19 for the kernel), link, and run like the whole program', (folder) => {
    const kernelDir = join(KERNELS_DIR, folder);
    const spec = JSON.parse(readFileSync(join(kernelDir, 'autopar.spec.json'), 'utf8')) as { kernels: Array<{ name: string; source: string }> };
    const { name, source } = spec.kernels[0]!;
    const sourcePath = join(kernelDir, source);
    const srcDir = dirname(sourcePath);
    const text = readFileSync(sourcePath, 'utf8');
    const [unit] = extractKernels(text, sourcePath, [name]);
    const tus = splitKernelTu(text, sourcePath, unit!);

    const dir = join(root, folder);
    mkdirSync(dir);
    writeFileSync(join(dir, 'kernel.tu.c'), tus.kernelTu);
    writeFileSync(join(dir, 'rest.tu.c'), tus.restTu);
    const others = readdirSync(srcDir).filter((f) => f.endsWith('.c') && join(srcDir, f) !== sourcePath).map((f) => join(srcDir, f));
    const cc = (compiler: string, ...args: string[]) => run(compiler, ['-O3', ...args], dir);

    cc('gcc', '-fopenmp', '-I', srcDir, '-c', 'kernel.tu.c', '-o', 'kernel.o');
    cc('gcc', '-fopenmp', '-I', srcDir, '-c', 'rest.tu.c', '-o', 'rest.o');
    cc('gcc', '-fopenmp', '-I', srcDir, '-o', 'split', 'kernel.o', 'rest.o', ...others, '-lm');
    cc('gcc', '-fopenmp', '-I', srcDir, '-o', 'whole', sourcePath, ...others, '-lm');
    // Small sizes: every driver reads its sizes from argv and prints a checksum on stdout.
    const args = ['5', '5', '5', '5', '3', '2'];
    const whole = run('./whole', args, dir);
    expect(whole).toMatch(/checksum/);
    expect(run('./split', args, dir)).toBe(whole);

    if (RECIPE_CC === 'clang-19') {
      // What a recipe does: the kernel alone through clang-19 with Polly.
      cc('clang-19', '-mllvm', '-polly', '-I', srcDir, '-c', 'kernel.tu.c', '-o', 'kernel.polly.o');
      cc('gcc', '-fopenmp', '-o', 'split.polly', 'kernel.polly.o', 'rest.o', ...others, '-lm');
      expect(run('./split.polly', args, dir)).toBe(whole);
    }
  });
});
