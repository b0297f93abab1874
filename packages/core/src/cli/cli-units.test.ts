import { describe, expect, it } from 'vitest';
import { extractKernels } from '../kernel/extract.js';
import { launcherArgv } from './cc-command.js';
import { expandMacro, reconcileDropIn } from './drop-in.js';
import { toFileLines } from './explain-command.js';

const ORIGINAL = `#include <stddef.h>
#define IDX(i, j, n) ((i) * (n) + (j))
static double sq(double x) { return x * x; }
void k(int n, double *a) { for (int i = 0; i < n; i++) a[IDX(0, i, n)] = sq(a[i]); }
`;
const unit = extractKernels(ORIGINAL, 'orig.c', ['k'])[0]!;

describe('drop-in candidates', () => {
  it('ignores what the original has, expands new #defines, keeps system includes', () => {
    const cand = `#include <stddef.h>
#include <omp.h>
#define IDX(i, j, n) ((i) * (n) + (j))
#define CHUNK 16
#define TWICE(x) (2 * (x))
static double sq(double x) { return x * x; }
void k(int n, double *a) {
  #pragma omp parallel for schedule(static, CHUNK)
  for (int i = 0; i < n; i++) a[IDX(0, i, n)] = sq(a[i]) + TWICE(0);
}
`;
    const r = reconcileDropIn(cand, 'cand.c', unit, ORIGINAL);
    expect(r.candidateText).toContain('#include <omp.h>');
    expect(r.candidateText).toContain('schedule(static, (16))');
    expect(r.candidateText).toContain('(( 2 * ( (0) ) ))');
    expect(r.candidateText).not.toMatch(/#define|static double sq/);
    expect(r.notes).toEqual(expect.arrayContaining([
      'ignored #define IDX: the original file has the same',
      'ignored function sq: the original file has the same',
      'expanded #define CHUNK into the function (the original file does not define it)',
    ]));
  });

  it('refuses a helper that differs from the original, naming it', () => {
    const cand = ORIGINAL.replace('return x * x;', 'return x * x + 1;');
    expect(() => reconcileDropIn(cand, 'cand.c', unit, ORIGINAL)).toThrow(/cand\.c: function sq differs from the original file's/);
  });

  it('refuses a macro the original defines differently', () => {
    const cand = ORIGINAL.replace('((i) * (n) + (j))', '((j) * (n) + (i))');
    expect(() => reconcileDropIn(cand, 'cand.c', unit, ORIGINAL)).toThrow(/#define IDX differs from the original file's/);
  });

  it('expands function-like macros with nested parentheses', () => {
    expect(expandMacro('x = M(f(a, b), c);', '#define M( p , q ) ( p + q )')).toBe('x = (( (f(a, b)) + (c) ));');
  });
});

describe('compiler launcher argv', () => {
  const cmds = ['build', 'cc', 'verify'];
  it('turns `autopar gcc -c x.c` (CMake launcher form) into `autopar cc -- gcc -c x.c`', () => {
    expect(launcherArgv(['node', 'autopar', '/usr/bin/cc', '-c', 'x.c'], cmds)).toEqual(['node', 'autopar', 'cc', '--', '/usr/bin/cc', '-c', 'x.c']);
    expect(launcherArgv(['node', 'autopar', 'x86_64-linux-gnu-gcc-12', '-c', 'x.c'], cmds)[2]).toBe('cc');
    expect(launcherArgv(['node', 'autopar', 'clang-19', '-c', 'x.c'], cmds)[2]).toBe('cc');
  });
  it('leaves autopar commands and options alone', () => {
    expect(launcherArgv(['node', 'autopar', 'build', 'x'], cmds)).toEqual(['node', 'autopar', 'build', 'x']);
    expect(launcherArgv(['node', 'autopar', '--help'], cmds)).toEqual(['node', 'autopar', '--help']);
    expect(launcherArgv(['node', 'autopar', 'kernels/matmul'], cmds)).toEqual(['node', 'autopar', 'kernels/matmul']);
  });
});

describe('explain line numbers', () => {
  it('shifts function-relative lines to file lines', () => {
    expect(toFileLines('L1 (line 3) … (line 6) and lines 4, 5', 11)).toBe('L1 (line 14) … (line 17) and lines 15, 16');
  });
});
