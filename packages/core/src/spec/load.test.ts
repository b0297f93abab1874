// Spec loading: every bad spec is a SpecError naming the file, the field's JSON path and the fix.
import { describe, it, expect } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { extractKernels } from '../kernel/extract.js';
import { SpecError, checkSpecAgainstSignature, loadSpecFile, validateSpec } from './load.js';
import { evaluateExpression } from './expr.js';
import type { KernelSpec, SpecFile } from './types.js';

function saxpySpec(): SpecFile {
  return {
    version: 1,
    kernels: [
      {
        name: 'saxpy',
        source: 'saxpy.c',
        sizes: { test: [{ n: 1 }, { n: 7 }], bench: { n: 1000 } },
        args: [
          { name: 'n', kind: 'scalar', type: 'int', value: 'n' },
          { name: 'a', kind: 'scalar', type: 'float', value: 2.5 },
          { name: 'x', kind: 'input', type: 'float', length: 'n', init: { gen: 'uniform', min: -1, max: 1 } },
          { name: 'y', kind: 'inout', type: 'float', length: 'n', init: { gen: 'uniform', min: -1, max: 1 } },
        ],
      },
    ],
  };
}

/** The SpecError a mutated copy of the saxpy spec raises. */
function errorOf(mutate: (s: any) => void): SpecError {
  const s = saxpySpec() as any;
  mutate(s);
  try {
    validateSpec(s, 'spec.json');
  } catch (e) {
    expect(e).toBeInstanceOf(SpecError);
    return e as SpecError;
  }
  throw new Error('expected a SpecError');
}

const SAXPY_C = 'void saxpy(int n, float a, const float *x, float *y) { for (int i = 0; i < n; i++) y[i] = a * x[i] + y[i]; }\n';
const saxpyUnit = () => extractKernels(SAXPY_C, 'saxpy.c', ['saxpy'])[0]!;

describe('validateSpec', () => {
  it('accepts a valid spec', () => {
    expect(validateSpec(saxpySpec(), 'spec.json').kernels[0]!.name).toBe('saxpy');
  });

  it('names the field of an unknown size in a length', () => {
    const e = errorOf((s) => (s.kernels[0].args[2].length = 'n*m'));
    expect(e.field).toBe('kernels[0].args[2].length');
    expect(e.message).toMatch(/^spec\.json: kernels\[0\]\.args\[2\]\.length: unknown name 'm' in "n\*m"; known sizes here: n/);
  });

  it('rejects operators outside the expression language', () => {
    const e = errorOf((s) => (s.kernels[0].args[3].length = 'n && 1'));
    expect(e.field).toBe('kernels[0].args[3].length');
    expect(e.message).toMatch(/unexpected character '&'/);
  });

  it('reports an input buffer without init', () => {
    const e = errorOf((s) => delete s.kernels[0].args[2].init);
    expect(e.field).toBe('kernels[0].args[2].init');
    expect(e.message).toMatch(/input buffer 'x' needs 'init'/);
  });

  it('reports a test binding that binds other sizes than bench', () => {
    const e = errorOf((s) => (s.kernels[0].sizes.test[1] = { m: 7 }));
    expect(e.field).toBe('kernels[0].sizes.test[1]');
    expect(e.message).toMatch(/add n; remove m/);
  });

  it('reports a from that names no generator', () => {
    const e = errorOf((s) => (s.kernels[0].args[2].init = { from: 'g.cols' }));
    expect(e.field).toBe('kernels[0].args[2].init.from');
    expect(e.message).toMatch(/no generator named 'g'/);
  });

  it('reports a generator field that does not exist', () => {
    const e = errorOf((s) => {
      s.kernels[0].generators = [{ name: 'g', kind: 'csr_graph', nodes: 'n', degree: 3 }];
      s.kernels[0].args[2].init = { from: 'g.values' };
    });
    expect(e.message).toMatch(/generator 'g' \(csr_graph\) has no field 'values'; fields: rowptr, cols, weights/);
  });

  it('checks generator node expressions and exposes <name>_nnz to lengths', () => {
    const bad = errorOf((s) => (s.kernels[0].generators = [{ name: 'g', kind: 'csr_graph', nodes: 'rows', degree: 3 }]));
    expect(bad.field).toBe('kernels[0].generators[0].nodes');
    const s = saxpySpec() as any;
    s.kernels[0].generators = [{ name: 'g', kind: 'csr_graph', nodes: 'n+1', degree: 3 }];
    s.kernels[0].args[2].length = 'g_nnz';
    expect(() => validateSpec(s, 'spec.json')).not.toThrow();
  });

  it('names an unknown field (schema)', () => {
    const e = errorOf((s) => (s.kernels[0].args[2].lenght = 'n'));
    expect(e.field).toBe('kernels[0].args[2].lenght');
    expect(e.message).toMatch(/unknown field 'lenght'/);
  });

  it('names a bad enum value (schema)', () => {
    const e = errorOf((s) => (s.kernels[0].args[2].type = 'float32'));
    expect(e.field).toBe('kernels[0].args[2].type');
    expect(e.message).toMatch(/must be one of "float", "double"/);
  });

  it('names a missing required field of a buffer (schema)', () => {
    const e = errorOf((s) => delete s.kernels[0].args[3].length);
    expect(e.field).toBe('kernels[0].args[3].length');
    expect(e.message).toMatch(/missing required field 'length'/);
  });

  it('rejects init on an output buffer', () => {
    const e = errorOf((s) => (s.kernels[0].args[3] = { name: 'y', kind: 'output', type: 'float', length: 'n', init: { gen: 'zero' } }));
    expect(e.field).toBe('kernels[0].args[3].init');
  });

  it('accepts the differential-testing fields (limits, allowZero, edgeSizes, reduction, specialValues, deterministic)', () => {
    const s = saxpySpec() as any;
    Object.assign(s.kernels[0].sizes, { limits: { n: { min: 1, max: 64, multipleOf: 1 } }, allowZero: true, edgeSizes: true });
    s.kernels[0].deterministic = false;
    Object.assign(s.kernels[0].args[3], { reduction: { terms: 'n', magnitude: 1 }, specialValues: true, deterministic: true });
    expect(() => validateSpec(s, 'spec.json')).not.toThrow();
  });

  it('rejects limits for a name that is not a size', () => {
    const e = errorOf((s) => (s.kernels[0].sizes.limits = { m: { max: 4 } }));
    expect(e.field).toBe('kernels[0].sizes.limits.m');
  });

  it('rejects special values on an integer buffer', () => {
    const e = errorOf((s) => Object.assign(s.kernels[0].args[2], { type: 'int', init: { gen: 'randint', min: 0, max: 3 }, specialValues: true }));
    expect(e.message).toMatch(/needs a float or double buffer/);
  });

  it('rejects a reduction bound whose terms use an unknown name', () => {
    const e = errorOf((s) => (s.kernels[0].args[3].reduction = { terms: 'rows' }));
    expect(e.field).toBe('kernels[0].args[3].reduction.terms');
  });

  it('rejects a size name that is a C keyword', () => {
    const e = errorOf((s) => {
      s.kernels[0].sizes = { test: [{ int: 1 }], bench: { int: 2 } };
    });
    expect(e.field).toBe('kernels[0].sizes.bench.int');
  });

  it('accepts generator bounds and matrix orders that are expressions over sizes', () => {
    const s = saxpySpec() as any;
    s.kernels[0].args[2] = { name: 'x', kind: 'input', type: 'int', length: 'n', init: { gen: 'randint', min: 0, max: 'n-1' } };
    s.kernels[0].args[3].init = { gen: 'uniform', min: '-n/2', max: 'n*0.5' };
    expect(() => validateSpec(s, 'spec.json')).not.toThrow();
    s.kernels[0].args[3] = { name: 'y', kind: 'inout', type: 'float', length: 'n*n', init: { gen: 'spd', n: 'n' } };
    expect(() => validateSpec(s, 'spec.json')).not.toThrow();
    s.kernels[0].args[3].init = { gen: 'diag-dominant', n: 'n' };
    s.kernels[0].args[3].type = 'double';
    expect(() => validateSpec(s, 'spec.json')).not.toThrow();
  });

  it('names the field of an unknown size in a generator bound', () => {
    const e = errorOf((s) => (s.kernels[0].args[2].init = { gen: 'randint', min: 0, max: 'bins-1' }));
    expect(e.field).toBe('kernels[0].args[2].init.max');
    expect(e.message).toMatch(/^spec\.json: kernels\[0\]\.args\[2\]\.init\.max: unknown name 'bins' in "bins-1"; known sizes here: n; use a number or an expression/);
  });

  it('rejects a decimal in a randint bound expression and a fractional randint literal', () => {
    const e = errorOf((s) => (s.kernels[0].args[2].init = { gen: 'randint', min: 0, max: 'n*0.5' }));
    expect(e.field).toBe('kernels[0].args[2].init.max');
    expect(e.message).toMatch(/decimal literal 0\.5 is not allowed here/);
    const f = errorOf((s) => (s.kernels[0].args[2].init = { gen: 'randint', min: 0.5, max: 3 }));
    expect(f.field).toBe('kernels[0].args[2].init.min');
    expect(f.message).toMatch(/init\.min: must be an integer, or a non-empty string holding an expression over size names \(e\.g\. "n-1"\)$/);
    const g = errorOf((s) => (s.kernels[0].args[3].init = { gen: 'uniform', min: '', max: 1 }));
    expect(g.field).toBe('kernels[0].args[3].init.min');
    expect(g.message).toMatch(/must be a number, or a non-empty string/);
  });

  it('rejects a matrix generator on an integer buffer and an unknown matrix order', () => {
    const e = errorOf((s) => Object.assign(s.kernels[0].args[2], { type: 'int', init: { gen: 'spd', n: 'n' } }));
    expect(e.field).toBe('kernels[0].args[2].init.gen');
    expect(e.message).toMatch(/'spd' makes a float or double matrix; 'x' is int/);
    const f = errorOf((s) => (s.kernels[0].args[2].init = { gen: 'diag-dominant', n: 'm' }));
    expect(f.field).toBe('kernels[0].args[2].init.n');
    expect(f.message).toMatch(/unknown name 'm'/);
    const g = errorOf((s) => (s.kernels[0].args[2].init = { gen: 'spd' }));
    expect(g.field).toBe('kernels[0].args[2].init.n');
    expect(g.message).toMatch(/missing required field 'n'/);
  });

});

describe('loadSpecFile', () => {
  it('names the file in errors, including JSON syntax errors', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'autopar-spec-'));
    const path = join(dir, 'autopar.spec.json');
    writeFileSync(path, '{ "version": 1, ');
    await expect(loadSpecFile(path)).rejects.toThrow(new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: not valid JSON`));
    writeFileSync(path, JSON.stringify(saxpySpec()));
    const loaded = await loadSpecFile(path);
    expect(loaded.dir).toBe(dir);
    expect(loaded.file.kernels[0]!.args).toHaveLength(4);
  });
});

describe('invalid JSON', () => {
  const errorFor = async (text: string) => {
    const dir = mkdtempSync(join(tmpdir(), 'autopar-spec-'));
    const path = join(dir, 'autopar.spec.json');
    writeFileSync(path, text);
    const e = await loadSpecFile(path).catch((x: Error) => x);
    return { path, message: (e as Error).message };
  };

  it('is one line with the line and column of a bad token (Node quotes a multi-line snippet)', async () => {
    const { path, message } = await errorFor('{\n  "version": 1,\n  "kernels": }\n');
    expect(message).toBe(`${path}: not valid JSON at line 3 column 14: Unexpected token '}'; fix the syntax`);
  });

  it('turns a character offset into line and column', async () => {
    const { path, message } = await errorFor('{\n  "version": 1\n  "kernels": []\n}\n');
    expect(message).toBe(`${path}: not valid JSON at line 3 column 3: Expected ',' or '}' after property value; fix the syntax`);
  });

  it('reports a truncated file at its end, on one line', async () => {
    const { message } = await errorFor('{\n  "kernels": [\n');
    expect(message).toMatch(/: not valid JSON at line 3 column 1: Unexpected end of JSON input; fix the syntax$/);
    expect(message).not.toContain('\n');
  });

  it('escapes a newline that is itself the bad token', async () => {
    const { message } = await errorFor('{\n"version": tru\n}');
    expect(message).toMatch(/not valid JSON at line 2 column 15: Unexpected token '\\n'; fix the syntax$/);
  });
});

describe('checkSpecAgainstSignature', () => {
  const spec = () => structuredClone(saxpySpec().kernels[0]!) as KernelSpec;

  it('accepts a matching spec', () => {
    expect(() => checkSpecAgainstSignature(spec(), saxpyUnit())).not.toThrow();
  });

  it('reports an argument count mismatch naming the missing parameter', () => {
    const s = spec();
    s.args.pop();
    expect(() => checkSpecAgainstSignature(s, saxpyUnit())).toThrow(/lists 3 argument\(s\) but saxpy\(n, a, x, y\) has 4; add parameter\(s\) y/);
  });

  it('reports a name mismatch naming the parameter', () => {
    const s = spec();
    s.args[2]!.name = 'xs';
    expect(() => checkSpecAgainstSignature(s, saxpyUnit())).toThrow(/parameter 3 of saxpy is 'x' but the spec says 'xs'/);
  });

  it('reports a scalar given for a pointer parameter', () => {
    const s = spec();
    s.args[2] = { name: 'x', kind: 'scalar', type: 'float', value: 1 };
    expect(() => checkSpecAgainstSignature(s, saxpyUnit())).toThrow(/parameter 'x' has type 'const float \*', a pointer: use kind input, output or inout/);
  });

  it('reports an incompatible element type', () => {
    const s = spec();
    (s.args[3] as { type: string }).type = 'double';
    expect(() => checkSpecAgainstSignature(s, saxpyUnit())).toThrow(/parameter 'y' has C type 'float \*' but the spec says double/);
  });

  it('reports returns on a void kernel', () => {
    const s = spec();
    s.returns = { type: 'double' };
    expect(() => checkSpecAgainstSignature(s, saxpyUnit())).toThrow(/saxpy returns void; remove 'returns'/);
  });
});

describe('expressions', () => {
  it('evaluate like C: truncating division, shifts', () => {
    expect(evaluateExpression('(n+1)/2', { n: 6 })).toBe(3);
    expect(evaluateExpression('batch*(1<<logn)', { batch: 3, logn: 4 })).toBe(48);
    expect(evaluateExpression('n%3 - -1', { n: 7 })).toBe(2);
  });
});
