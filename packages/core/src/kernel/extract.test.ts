import { describe, expect, it } from 'vitest';
import { extractKernels, normalizeTokens } from './extract.js';

const SAXPY_TU = `#include <stdio.h>
#include "util.h"
#define SCALE(x) ((x) * FACTOR)
#define FACTOR 2.0f
#define UNUSED_MACRO 7
typedef float real;
typedef struct { int n; real *data; } vec_t;
static int call_count = 0;
static const int UNUSED_GLOBAL = 3;
enum mode { MODE_A, MODE_B };

static real helper(real v) { return SCALE(v); }
static real unrelated(real v) { return v - 1; }

/* the kernel */
void saxpy(int n, real a, const real *restrict x, real *y) {
  call_count++;
  for (int i = 0; i < n; i++) y[i] = a * helper(x[i]) + y[i];
}

static void not_a_kernel(void) {}
double *other(vec_t v, ...) { return 0; }
`;

describe('extractKernels', () => {
  it('extracts the signature of a named kernel', () => {
    const [unit] = extractKernels(SAXPY_TU, 'saxpy.c', ['saxpy']);
    expect(unit!.name).toBe('saxpy');
    expect(unit!.language).toBe('c');
    expect(unit!.signature.returnType).toBe('void');
    expect(unit!.signature.params).toEqual([
      { name: 'n', type: 'int' },
      { name: 'a', type: 'real' },
      { name: 'x', type: 'const real * restrict' },
      { name: 'y', type: 'real *' },
    ]);
    expect(unit!.signature.text).toBe('void saxpy ( int n , real a , const real * restrict x , real * y )');
  });

  it('collects the closure transitively: callee, macros inside macro bodies, typedefs, globals, includes', () => {
    const [unit] = extractKernels(SAXPY_TU, 'saxpy.c', ['saxpy']);
    const names = unit!.closure.map((c) => `${c.kind}:${c.name}`);
    expect(names).toEqual([
      'function:helper',
      'global:call_count',
      'include:"util.h"',
      'include:<stdio.h>',
      'macro:FACTOR',
      'macro:SCALE',
      'type:real',
    ]);
    expect(unit!.closure.find((c) => c.name === 'SCALE')!.text).toBe('#define SCALE( x ) ( ( x ) * FACTOR )');
  });

  it('without names, returns every non-static function definition', () => {
    expect(extractKernels(SAXPY_TU, 'saxpy.c').map((u) => u.name)).toEqual(['saxpy', 'other']);
  });

  it('puts pointer stars in the return type and keeps variadic params', () => {
    const [unit] = extractKernels(SAXPY_TU, 'saxpy.c', ['other']);
    expect(unit!.signature.returnType).toBe('double *');
    expect(unit!.signature.params.map((p) => p.name)).toEqual(['v', '...']);
    expect(unit!.closure.map((c) => c.name)).toContain('vec_t');
  });

  it('records the range as UTF-8 byte offsets of the definition', () => {
    const src = `// naïve — comment\nint f(int a) { return a; }\n`;
    const [unit] = extractKernels(src, 'f.c', ['f']);
    const bytes = Buffer.from(src, 'utf8');
    expect(bytes.subarray(unit!.range.start, unit!.range.end).toString('utf8')).toBe('int f(int a) { return a; }');
    expect(unit!.sourceText).toBe('int f(int a) { return a; }');
  });

  it('extracts a CUDA __global__ kernel from a .cu source', () => {
    const src = `#include <cuda_runtime.h>
__device__ float twice(float v) { return 2.0f * v; }
__global__ void scale(float *a, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) a[i] = twice(a[i]);
}
void launch(float *a, int n) { scale<<<(n + 255) / 256, 256>>>(a, n); }
`;
    const [unit] = extractKernels(src, 'scale.cu', ['scale']);
    expect(unit!.language).toBe('cuda');
    expect(unit!.signature.returnType).toBe('void');
    expect(unit!.signature.params).toEqual([
      { name: 'a', type: 'float *' },
      { name: 'n', type: 'int' },
    ]);
    expect(unit!.normalizedText.startsWith('__global__ void scale ( float * a , int n ) {')).toBe(true);
    expect(unit!.closure.map((c) => c.name)).toEqual(['twice', '<cuda_runtime.h>']);
    const [launch] = extractKernels(src, 'scale.cu', ['launch']);
    expect(launch!.normalizedText).toContain('scale <<< ( n + 255 ) / 256 , 256 >>> ( a , n )');
  });

  it('throws a clear error naming the missing kernel, the file and the functions found', () => {
    expect(() => extractKernels(SAXPY_TU, 'src/saxpy.c', ['sgemm'])).toThrow(
      'kernel "sgemm" is not defined in src/saxpy.c; functions defined there: helper, unrelated, saxpy, not_a_kernel, other',
    );
  });

  it('finds definitions inside #ifdef blocks and extern "C"', () => {
    const src = `#ifdef FAST\n#define K 1\n#else\n#define K 2\n#endif\nextern "C" {\nint f(int a) { return a * K; }\n}\n`;
    const [unit] = extractKernels(src, 'f.cu', ['f']);
    expect(unit!.closure.map((c) => c.text)).toEqual(['#define K 1', '#define K 2']);
  });
});

describe('normalizeTokens', () => {
  it('drops comments and formatting but keeps every token', () => {
    const a = normalizeTokens('int  f( int a ) /* c */ {\n  return a+1; // x\n}');
    const b = normalizeTokens('int f(int a)\n{\n\treturn a + 1;\n}');
    expect(a).toBe('int f ( int a ) { return a + 1 ; }');
    expect(b).toBe(a);
  });

  it('keeps preprocessor directives on their own lines and folds line splices', () => {
    const text = 'void f(int n) {\n  #pragma omp parallel \\\n    for\n  for (;;) {}\n}';
    expect(normalizeTokens(text)).toBe('void f ( int n ) {\n#pragma omp parallel for\nfor ( ; ; ) { } }');
  });

  it('keeps string literals, prefixes and header names whole', () => {
    expect(normalizeTokens('#include <sys/time.h>\nconst char *s = L"a  b" "c//d";')).toBe(
      '#include <sys/time.h>\nconst char * s = L"a  b" "c//d" ;',
    );
  });

  it('tells a function-like macro from an object-like one', () => {
    expect(normalizeTokens('#define F(x) x')).toBe('#define F( x ) x');
    expect(normalizeTokens('#define F (x) x')).toBe('#define F ( x ) x');
    expect(normalizeTokens('# define F/**/(x) x')).toBe('#define F ( x ) x');
  });

  it('lexes numbers and multi-character operators as one token', () => {
    expect(normalizeTokens('x<<=1.5e-3f; y->z++; a...b')).toBe('x <<= 1.5e-3f ; y -> z ++ ; a ... b');
  });
});
