import { describe, expect, it } from 'vitest';
import { withChunkOneSchedules } from './chunk-one-schedule.js';

describe('withChunkOneSchedules', () => {
  it('adds schedule(static, 1) to unscheduled worksharing loops, keeping line numbers', () => {
    const src = ['#pragma omp parallel for private(j)', 'for (i = 0; i < n; i++) a[idx[i]] += 1;', '  #  pragma omp for reduction(+:s)', '#pragma omp target teams distribute parallel for', 'x;'].join('\n');
    const r = withChunkOneSchedules(src);
    expect(r.changed).toBe(2);
    expect(r.text.split('\n')).toEqual([
      '#pragma omp parallel for private(j) schedule(static, 1)',
      'for (i = 0; i < n; i++) a[idx[i]] += 1;',
      '  #  pragma omp for reduction(+:s) schedule(static, 1)',
      '#pragma omp target teams distribute parallel for',
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
    expect(withChunkOneSchedules(src)).toEqual({ text: src, changed: 0 });
  });

  it('puts the clause on the last line of a continued pragma and before a trailing comment', () => {
    const src = ['#pragma omp parallel for \\', '   private(t) // default schedule', 'for (;;);', '#pragma omp for simd /* c */'].join('\n');
    expect(withChunkOneSchedules(src).text.split('\n')).toEqual([
      '#pragma omp parallel for \\',
      '   private(t) schedule(static, 1) // default schedule',
      'for (;;);',
      '#pragma omp for simd schedule(static, 1) /* c */',
    ]);
  });
});
