import { describe, expect, it } from 'vitest';
import { withRuntimeSchedules } from './runtime-schedule.js';

describe('withRuntimeSchedules', () => {
  it('adds schedule(runtime) to unscheduled worksharing loops, keeping line numbers', () => {
    const src = ['#pragma omp parallel for private(j)', 'for (i = 0; i < n; i++) a[idx[i]] += 1;', '  #  pragma omp for reduction(+:s)', '#pragma omp target teams distribute parallel for', 'x;'].join('\n');
    const r = withRuntimeSchedules(src);
    expect(r.changed).toBe(3);
    expect(r.text.split('\n')).toEqual([
      '#pragma omp parallel for private(j) schedule(runtime)',
      'for (i = 0; i < n; i++) a[idx[i]] += 1;',
      '  #  pragma omp for reduction(+:s) schedule(runtime)',
      '#pragma omp target teams distribute parallel for schedule(runtime)',
      'x;',
    ]);
  });

  it('leaves loops with a schedule or order clause, and non-loop directives, alone', () => {
    const src = [
      '#pragma omp parallel for schedule(static)',
      '#pragma omp for \\',
      '    schedule(dynamic, 4)',
      '#pragma omp parallel for order(concurrent)',
      '#pragma omp simd',
      '#pragma omp parallel',
      '#pragma omp taskloop',
      '#pragma omp target teams distribute',
      '#pragma omp parallel sections',
    ].join('\n');
    expect(withRuntimeSchedules(src)).toEqual({ text: src, changed: 0 });
  });

  it('puts the clause on the last line of a continued pragma and before a trailing comment', () => {
    const src = ['#pragma omp parallel for \\', '   private(t) // default schedule', 'for (;;);', '#pragma omp for simd /* c */'].join('\n');
    expect(withRuntimeSchedules(src).text.split('\n')).toEqual([
      '#pragma omp parallel for \\',
      '   private(t) schedule(runtime) // default schedule',
      'for (;;);',
      '#pragma omp for simd schedule(runtime) /* c */',
    ]);
  });
});
