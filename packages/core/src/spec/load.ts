// Loading and validating autopar.spec.json: the JSON schema (structure, with ajv) first,
// then the semantic checks a schema cannot express (names in expressions, consistent
// size bindings, generator references). Every problem is a SpecError naming the file,
// the JSON path of the field and what to do.
import { readFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { SpecError } from './errors.js';
import { checkExpression } from './expr.js';
import { describeJsonError } from './json-error.js';
import { parseMemoryLimit } from './memory-limit.js';
import type { ArgSpec, ElemType, KernelSpec, ReductionBound, SpecFile } from './types.js';

export { SpecError } from './errors.js';

/** Where the schema lives: packages/core/schemas/, two levels above both src/spec and dist/spec. */
export const SPEC_SCHEMA_URL = new URL('../../schemas/kernel-spec.schema.json', import.meta.url);

let validator: ValidateFunction | undefined;
function schemaValidator(): ValidateFunction {
  if (!validator) {
    const schema = JSON.parse(readFileSync(SPEC_SCHEMA_URL, 'utf8')) as object;
    // allErrors stays off: the first error (with if/then dispatch in the schema) is the useful one.
    validator = new Ajv({ strict: true, strictRequired: false, allowUnionTypes: true }).compile(schema);
  }
  return validator;
}

/** Reads, parses and validates a spec file. `dir` is the folder `source` paths are relative to. */
export async function loadSpecFile(path: string): Promise<{ file: SpecFile; dir: string }> {
  const abs = resolve(path);
  let text: string;
  try {
    text = await readFile(abs, 'utf8');
  } catch (e) {
    throw new SpecError(abs, '', `cannot read the spec file (${(e as Error).message})`);
  }
  let obj: unknown;
  try {
    obj = JSON.parse(text);
  } catch (e) {
    throw new SpecError(abs, '', `${describeJsonError(text, e as Error)}; fix the syntax`);
  }
  return { file: validateSpec(obj, abs), dir: dirname(abs) };
}

/** Validates an already parsed spec; `where` names its origin in error messages. */
export function validateSpec(obj: unknown, where: string): SpecFile {
  const validate = schemaValidator();
  if (!validate(obj)) throw schemaError(validate.errors ?? [], where);
  const file = obj as SpecFile;
  const seen = new Set<string>();
  file.kernels.forEach((k, i) => {
    const at = `kernels[${i}]`;
    if (seen.has(k.name)) throw new SpecError(where, `${at}.name`, `kernel '${k.name}' is listed twice; keep one entry per kernel`);
    seen.add(k.name);
    checkKernel(k, at, where);
  });
  return file;
}

/** Turns ajv's JSON pointer (/kernels/0/args/2) into kernels[0].args[2]. */
function jsonPath(pointer: string): string {
  let out = '';
  for (const raw of pointer.split('/').slice(1)) {
    const part = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    out += /^\d+$/.test(part) ? `[${part}]` : out ? `.${part}` : part;
  }
  return out;
}

function schemaError(errors: ErrorObject[], where: string): SpecError {
  // 'if' errors only say "must match then schema"; the real cause is reported beside them.
  // A value with alternatives (a number or an expression string): say both, not the first branch's complaint.
  const e = errors.find((x) => x.keyword === 'oneOf') ?? errors.find((x) => x.keyword !== 'if') ?? errors[0]!;
  const path = jsonPath(e.instancePath);
  const child = (name: string) => (path ? `${path}.${name}` : name);
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'required':
      return new SpecError(where, child(String(p.missingProperty)), `missing required field '${String(p.missingProperty)}'; add it`);
    case 'additionalProperties':
      return new SpecError(where, child(String(p.additionalProperty)), `unknown field '${String(p.additionalProperty)}'; remove it or check its spelling`);
    case 'enum':
      return new SpecError(where, path, `must be one of ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`);
    case 'const':
      return new SpecError(where, path, `must be ${JSON.stringify(p.allowedValue)}`);
    case 'oneOf': {
      // Every oneOf in the schema is a leaf: a number (or integer) or a non-empty string.
      if (path.endsWith('memoryLimit')) return new SpecError(where, path, `must be a size such as "4G" or "512M", or a number of bytes (at least 16777216)`);
      const integer = errors.some((x) => x.instancePath === e.instancePath && x.keyword === 'type' && x.params.type === 'integer');
      return new SpecError(where, path, `must be ${integer ? 'an integer' : 'a number'}, or a non-empty string holding an expression over size names (e.g. "n-1")`);
    }
    default:
      return new SpecError(where, path, `${e.message ?? 'invalid'}; see packages/core/schemas/kernel-spec.schema.json`);
  }
}

const C_KEYWORDS = new Set(
  ('auto break case char const continue default do double else enum extern float for goto if inline int long ' +
    'register restrict return short signed sizeof static struct switch typedef union unsigned void volatile while ' +
    '_Bool _Complex _Imaginary _Alignas _Alignof _Atomic _Generic _Noreturn _Static_assert _Thread_local bool true false')
    .split(' '),
);

/** Names the harness reserves for itself in the scope where size expressions are evaluated. */
function isReservedName(name: string): boolean {
  return C_KEYWORDS.has(name) || /^(ap_|autopar_|__)/.test(name) || name === 'main';
}

const INTEGER_TYPES = new Set<ElemType>([
  'char', 'int8_t', 'uint8_t', 'short', 'int16_t', 'uint16_t', 'int', 'unsigned', 'int32_t', 'uint32_t', 'long', 'int64_t', 'uint64_t', 'size_t',
]);
export function isIntegerType(t: ElemType): boolean {
  return INTEGER_TYPES.has(t);
}

const GENERATOR_FIELDS = { csr_graph: ['rowptr', 'cols', 'weights'] } as const;

function checkKernel(k: KernelSpec, at: string, where: string): void {
  const fail = (field: string, problem: string): never => {
    throw new SpecError(where, field, problem);
  };

  if (k.memoryLimit !== undefined) {
    try {
      parseMemoryLimit(k.memoryLimit, 'memoryLimit');
    } catch (e) {
      fail(`${at}.memoryLimit`, (e as Error).message.replace(/^memoryLimit: /, ''));
    }
  }

  // Size names: the bench binding defines them; every test binding must bind the same ones.
  const sizeNames = Object.keys(k.sizes.bench);
  for (const n of sizeNames) {
    if (isReservedName(n)) fail(`${at}.sizes.bench.${n}`, `'${n}' cannot be a size name (C keyword or reserved prefix ap_/autopar_/__); rename it`);
  }
  k.sizes.test.forEach((b, j) => {
    const missing = sizeNames.filter((n) => !(n in b));
    const extra = Object.keys(b).filter((n) => !sizeNames.includes(n));
    if (missing.length || extra.length) {
      fail(
        `${at}.sizes.test[${j}]`,
        `binds {${Object.keys(b).join(', ')}} but sizes.bench binds {${sizeNames.join(', ')}}` +
          `${missing.length ? `; add ${missing.join(', ')}` : ''}${extra.length ? `; remove ${extra.join(', ')}` : ''}`,
      );
    }
  });

  for (const [n, lim] of Object.entries(k.sizes.limits ?? {})) {
    if (!sizeNames.includes(n)) fail(`${at}.sizes.limits.${n}`, `'${n}' is not a size name (sizes: ${sizeNames.join(', ')}); fix the name`);
    if (lim.min !== undefined && lim.max !== undefined && lim.min > lim.max) fail(`${at}.sizes.limits.${n}.min`, `min (${lim.min}) is greater than max (${lim.max})`);
  }
  const sizeOnly = new Set(sizeNames);
  const checkReduction = (r: ReductionBound | undefined, field: string, type: ElemType) => {
    if (!r) return;
    if (isIntegerType(type)) fail(field, `reduction bounds are for float and double results; ${type} results are compared exactly (remove it)`);
    try {
      checkExpression(r.terms, sizeOnly);
    } catch (e) {
      fail(`${field}.terms`, `${(e as Error).message}; use size names, integers and + - * / % << >> ( )`);
    }
  };
  if (k.returns) checkReduction(k.returns.reduction, `${at}.returns.reduction`, k.returns.type);
  k.args.forEach((a, j) => {
    if (a.kind === 'scalar') return;
    const aat = `${at}.args[${j}]`;
    if (a.kind === 'input' && a.reduction) fail(`${aat}.reduction`, `'reduction' applies to output and inout buffers; remove it from input '${a.name}'`);
    if (a.kind === 'input' && a.deterministic !== undefined) fail(`${aat}.deterministic`, `'deterministic' applies to output and inout buffers; remove it from input '${a.name}'`);
    if (a.specialValues && a.kind === 'output') fail(`${aat}.specialValues`, `'specialValues' applies to input and inout buffers (the harness fills those)`);
    if (a.specialValues && a.type !== 'float' && a.type !== 'double') fail(`${aat}.specialValues`, `'specialValues' (NaN/Inf inputs) needs a float or double buffer; '${a.name}' is ${a.type}`);
    checkReduction(a.reduction, `${aat}.reduction`, a.type);
  });

  // Generators, in order: each may use the sizes and the nnz of generators before it.
  const known = new Set(sizeNames);
  const generators = new Map<string, string>();
  (k.generators ?? []).forEach((g, j) => {
    const gat = `${at}.generators[${j}]`;
    if (generators.has(g.name)) fail(`${gat}.name`, `generator '${g.name}' is defined twice; rename one`);
    if (isReservedName(g.name)) fail(`${gat}.name`, `'${g.name}' is reserved; rename the generator`);
    try {
      checkExpression(g.nodes, known);
    } catch (e) {
      fail(`${gat}.nodes`, `${(e as Error).message}; use size names, integers and + - * / % << >> ( )`);
    }
    if (g.weightMin !== undefined && g.weightMax !== undefined && g.weightMin > g.weightMax) {
      fail(`${gat}.weightMin`, `weightMin (${g.weightMin}) is greater than weightMax (${g.weightMax})`);
    }
    const nnz = `${g.name}_nnz`;
    if (known.has(nnz)) fail(`${gat}.name`, `the generator size '${nnz}' clashes with a size of the same name; rename one`);
    known.add(nnz);
    generators.set(g.name, g.kind);
  });

  const argNames = new Set<string>();
  k.args.forEach((a, j) => {
    const aat = `${at}.args[${j}]`;
    if (argNames.has(a.name)) fail(`${aat}.name`, `argument '${a.name}' appears twice; each C parameter once, in signature order`);
    argNames.add(a.name);
    checkArg(a, aat, known, generators, fail);
  });
}

function checkArg(
  a: ArgSpec,
  at: string,
  known: ReadonlySet<string>,
  generators: ReadonlyMap<string, string>,
  fail: (field: string, problem: string) => never,
): void {
  if (a.kind === 'scalar') {
    if (typeof a.value === 'number') {
      if (isIntegerType(a.type) && !Number.isInteger(a.value)) fail(`${at}.value`, `${a.value} is not an integer but the type is ${a.type}`);
      return;
    }
    try {
      checkExpression(a.value, known, { allowDecimals: true });
    } catch (e) {
      fail(`${at}.value`, `${(e as Error).message}; use size names, generator sizes, numbers and + - * / % << >> ( )`);
    }
    return;
  }
  try {
    checkExpression(a.length, known);
  } catch (e) {
    fail(`${at}.length`, `${(e as Error).message}; use size names, generator sizes (<generator>_nnz), integers and + - * / % << >> ( )`);
  }
  if (a.kind === 'output') {
    if (a.init) fail(`${at}.init`, `output buffers are pre-filled by the harness; remove 'init', or make the buffer 'inout' if the kernel reads it`);
    return;
  }
  const init = a.init;
  if (!init) return fail(`${at}.init`, `${a.kind} buffer '${a.name}' needs 'init' (e.g. {"gen": "uniform", "min": -1, "max": 1})`);
  if ('from' in init) {
    const [gen, field] = init.from.split('.') as [string, string];
    const kind = generators.get(gen);
    if (!kind) {
      fail(`${at}.init.from`, `no generator named '${gen}'; define it under 'generators' or fix the name (known: ${[...generators.keys()].join(', ') || 'none'})`);
    }
    const fields: readonly string[] = GENERATOR_FIELDS[kind as keyof typeof GENERATOR_FIELDS];
    if (!fields.includes(field)) fail(`${at}.init.from`, `generator '${gen}' (${kind}) has no field '${field}'; fields: ${fields.join(', ')}`);
    return;
  }
  // Bounds may be expressions over sizes (e.g. randint max "bins-1"), evaluated per test size.
  const checkBound = (v: number | string, field: string, integer: boolean) => {
    if (typeof v === 'number') return;
    try {
      checkExpression(v, known, { allowDecimals: !integer });
    } catch (e) {
      fail(`${at}.init.${field}`, `${(e as Error).message}; use a number or an expression over size names, generator sizes, ${integer ? 'integers' : 'numbers'} and + - * / % << >> ( )`);
    }
  };
  switch (init.gen) {
    case 'uniform':
    case 'randint':
      checkBound(init.min, 'min', init.gen === 'randint');
      checkBound(init.max, 'max', init.gen === 'randint');
      if (typeof init.min === 'number' && typeof init.max === 'number' && init.min > init.max) {
        fail(`${at}.init.min`, `min (${init.min}) is greater than max (${init.max})`);
      }
      break;
    case 'const':
      checkBound(init.value, 'value', false);
      break;
    case 'diag-dominant':
    case 'spd':
      if (a.type !== 'float' && a.type !== 'double') {
        fail(`${at}.init.gen`, `'${init.gen}' makes a float or double matrix; '${a.name}' is ${a.type} (change the type or the generator)`);
      }
      try {
        checkExpression(init.n, known);
      } catch (e) {
        fail(`${at}.init.n`, `${(e as Error).message}; give the matrix order as an expression over size names, e.g. "n"`);
      }
      break;
  }
}

export { checkSpecAgainstSignature } from './signature-check.js';
