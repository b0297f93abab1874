import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { annotateLoops, buildPlanPrompt, PLAN_TEMPLATE_VERSION } from './plan-zero-shot.js';
import type { KernelUnit } from '../kernel/types.js';
import type { KernelSpec } from '../spec/types.js';

const SOURCE = 'void scale(int n, double *v)\n{\n    for (int i = 0; i < n; i++) v[i] = SCALE * v[i];\n}';
const unit: KernelUnit = {
  name: 'scale',
  language: 'c',
  signature: { returnType: 'void', params: [{ name: 'n', type: 'int' }, { name: 'v', type: 'double *' }], text: 'void scale(int n, double *v)' },
  normalizedText: SOURCE,
  closure: [{ kind: 'macro', name: 'SCALE', text: '#define SCALE 2.0' }],
  range: { start: 0, end: SOURCE.length },
  sourceText: SOURCE,
};
const spec: KernelSpec = {
  name: 'scale',
  source: 'scale.c',
  sizes: { test: [{ n: 1 }, { n: 13 }], bench: { n: 1000000 } },
  args: [
    { name: 'n', kind: 'scalar', type: 'int', value: 'n' },
    { name: 'v', kind: 'inout', type: 'double', length: 'n', init: { gen: 'iota' } },
  ],
};
const input = { unit, spec, facts: 'kernel scale: 1 loop(s)\nL1 line 3: for 0 <= i < n, trips n -> PARALLEL', loops: [{ id: 'L1', line: 3 }] };

describe('plan-zero-shot template', () => {
  it('gives the kernel with its loop ids, the facts, the contract, and asks for a JSON plan only', () => {
    const { system, user } = buildPlanPrompt(input);
    expect(system).toMatch(/one JSON object and nothing else/);
    expect(user).toContain('    for (int i = 0; i < n; i++) v[i] = SCALE * v[i];  // L1');
    expect(user).toContain('#define SCALE 2.0');
    expect(user).toContain('L1 line 3: for 0 <= i < n, trips n -> PARALLEL');
    expect(user).toContain('ids from the list: L1.');
    expect(user).toContain('"kernel": "scale"');
  });

  it('marks several loops starting on one line', () => {
    expect(annotateLoops('a\nb', [{ id: 'L1', line: 2 }, { id: 'L1.1', line: 2 }])).toBe('a\nb  // L1, L1.1');
  });

  // The template version is in the cache key. If this fails you changed the prompt's
  // wording: bump PLAN_TEMPLATE_VERSION and update both pinned values together.
  it('pins the rendered template to PLAN_TEMPLATE_VERSION', () => {
    const p = buildPlanPrompt(input);
    const hash = createHash('sha256').update(p.system + '\u0000' + p.user).digest('hex').slice(0, 16);
    expect({ PLAN_TEMPLATE_VERSION, hash }).toEqual({ PLAN_TEMPLATE_VERSION: 'plan-zero-shot/1', hash: 'ccdc2938c5b6bbfc' });
  });
});
