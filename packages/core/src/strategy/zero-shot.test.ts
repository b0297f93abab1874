import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { buildZeroShotPrompt, TEMPLATE_VERSION } from './zero-shot.js';
import type { KernelUnit } from '../kernel/types.js';
import type { KernelSpec } from '../spec/types.js';

const SOURCE = 'void scale(int n, double *v)\n{\n    for (int i = 0; i < n; i++) v[i] = SCALE * v[i];\n}';
const unit: KernelUnit = {
  name: 'scale',
  language: 'c',
  signature: { returnType: 'void', params: [{ name: 'n', type: 'int' }, { name: 'v', type: 'double *' }], text: 'void scale(int n, double *v)' },
  normalizedText: SOURCE,
  closure: [
    { kind: 'include', name: 'math.h', text: '#include <math.h>' },
    { kind: 'macro', name: 'SCALE', text: '#define SCALE 2.0' },
  ],
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

describe('zero-shot template', () => {
  it('gives the kernel, what it uses, its contract and the facts, and asks for one ```c function', () => {
    const { system, user } = buildZeroShotPrompt({ unit, spec, facts: 'loop i: no carried dependence' });
    expect(system).toMatch(/OpenMP/);
    expect(user).toContain(SOURCE);
    expect(user).toContain('#define SCALE 2.0');
    expect(user).toContain('`v` (double buffer of n elements, read and written)');
    expect(user).toContain('may alias');
    expect(user).toContain('loop i: no carried dependence');
    expect(user).toContain('same signature: `void scale(int n, double *v)`');
    expect(user).toContain('single ```c fenced block');
  });

  it('says pointers never alias when the spec says noalias', () => {
    expect(buildZeroShotPrompt({ unit, spec: { ...spec, noalias: true } }).user).toContain('never alias');
  });

  it('is deterministic', () => {
    expect(buildZeroShotPrompt({ unit, spec })).toEqual(buildZeroShotPrompt({ unit, spec }));
  });

  // The template version is in the cache key. If this fails you changed the prompt's
  // wording: bump TEMPLATE_VERSION and update both pinned values together.
  it('pins the rendered template to TEMPLATE_VERSION', () => {
    const p = buildZeroShotPrompt({ unit, spec, facts: 'F' });
    const hash = createHash('sha256').update(p.system + '\u0000' + p.user).digest('hex').slice(0, 16);
    expect({ TEMPLATE_VERSION, hash }).toEqual({ TEMPLATE_VERSION: 'zero-shot/2', hash: '971c1ec8aa205917' });
  });
});
