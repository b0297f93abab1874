import { describe, expect, it } from 'vitest';
import { extractKernels } from './extract.js';
import { spliceFunction } from './splice.js';

const TU = `// héllo: non-ASCII before the kernel
#include <stdio.h>
#include <math.h>

static double sq(double v) { return v * v; }

void norm(int n, const double *a, double *out) {
  double s = 0;
  for (int i = 0; i < n; i++) s += sq(a[i]);
  *out = sqrt(s);
}

int main(void) { return 0; }
`;

const PARALLEL = `#include <omp.h>
#include <math.h>

void norm(int n, const double *a, double *out) {
  double s = 0;
  #pragma omp parallel for reduction(+:s)
  for (int i = 0; i < n; i++) s += sq(a[i]);
  *out = sqrt(s);
}`;

describe('spliceFunction', () => {
  it('splicing the original text back gives the source unchanged', () => {
    const [unit] = extractKernels(TU, 'norm.c', ['norm']);
    expect(spliceFunction(TU, unit!, unit!.sourceText)).toBe(TU);
  });

  it('replaces only the kernel and hoists new includes after the existing ones, de-duplicated', () => {
    const [unit] = extractKernels(TU, 'norm.c', ['norm']);
    const out = spliceFunction(TU, unit!, PARALLEL);
    expect(out).toBe(
      TU.replace('#include <math.h>\n', '#include <math.h>\n#include <omp.h>\n').replace(
        unit!.sourceText,
        PARALLEL.slice(PARALLEL.indexOf('void norm')),
      ),
    );
    expect(out.match(/#include <math.h>/g)).toHaveLength(1);
    // The result still parses and holds the new kernel.
    const [again] = extractKernels(out, 'norm.c', ['norm']);
    expect(again!.normalizedText).toContain('#pragma omp parallel for reduction ( + : s )');
    expect(again!.closure.map((c) => c.name)).toContain('<omp.h>');
  });

  it('puts includes at the top of a file that has none', () => {
    const src = 'void f(int *a) { a[0] = 1; }\n';
    const [unit] = extractKernels(src, 'f.c', ['f']);
    expect(spliceFunction(src, unit!, '#include <omp.h>\n#include <omp.h>\nvoid f(int *a) { a[0] = 2; }')).toBe(
      '#include <omp.h>\nvoid f(int *a) { a[0] = 2; }\n',
    );
  });

  it('refuses a unit extracted from another version of the file', () => {
    const [unit] = extractKernels(TU, 'norm.c', ['norm']);
    expect(() => spliceFunction('/* edited */\n' + TU, unit!, unit!.sourceText)).toThrow(/re-extract/);
  });
});
