// Does a spec describe the C function it names? Checked before any harness is generated:
// the harness calls the kernel positionally, so a spec that disagrees with the signature
// would test something else than the kernel.
import type { KernelUnit } from '../kernel/types.js';
import { SpecError } from './errors.js';
import type { ElemType, KernelSpec } from './types.js';

/** C type names (as they may appear in a parameter type) each spec element type accepts. */
const C_NAMES: Record<ElemType, string[]> = {
  float: ['float'],
  double: ['double'],
  char: ['char', 'signed char'],
  int8_t: ['int8_t', 'signed char'],
  uint8_t: ['uint8_t', 'unsigned char'],
  short: ['short', 'short int', 'signed short', 'signed short int'],
  int16_t: ['int16_t', 'short', 'short int'],
  uint16_t: ['uint16_t', 'unsigned short', 'unsigned short int'],
  int: ['int', 'signed', 'signed int'],
  unsigned: ['unsigned', 'unsigned int'],
  int32_t: ['int32_t', 'int', 'signed int'],
  uint32_t: ['uint32_t', 'unsigned', 'unsigned int'],
  long: ['long', 'long int', 'signed long', 'signed long int'],
  int64_t: ['int64_t', 'long', 'long int', 'long long', 'long long int'],
  uint64_t: ['uint64_t', 'unsigned long', 'unsigned long int', 'unsigned long long', 'unsigned long long int'],
  size_t: ['size_t', 'unsigned long', 'unsigned long int'],
};

const QUALIFIERS = /\b(const|volatile|restrict|__restrict|__restrict__|register|_Atomic)\b/g;

/** "const double *restrict" -> { base: "double", pointer: true }. Array params ("double a[]") are pointers. */
export function describeParamType(typeText: string): { base: string; pointer: boolean } {
  const pointer = /[*[]/.test(typeText);
  const base = typeText
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\*/g, ' ')
    .replace(QUALIFIERS, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return { base, pointer };
}

/**
 * Throws SpecError when the spec's args do not match the C parameters: count, names (in
 * order), pointer ↔ buffer, non-pointer ↔ scalar, and compatible element types. Unknown
 * type names (typedefs such as `real_t`) are accepted: the compiler checks the trampoline.
 */
export function checkSpecAgainstSignature(spec: KernelSpec, unit: KernelUnit, where = spec.source): void {
  const params = unit.signature.params.filter((p) => !(p.type.trim() === 'void' && !p.name));
  const at = (j: number) => `kernels[${spec.name}].args[${j}]`;
  if (params.length !== spec.args.length) {
    const missing = params.slice(spec.args.length).map((p) => p.name);
    const extra = spec.args.slice(params.length).map((a) => a.name);
    throw new SpecError(
      where,
      `kernels[${spec.name}].args`,
      `the spec lists ${spec.args.length} argument(s) but ${unit.name}(${params.map((p) => p.name).join(', ')}) has ${params.length}` +
        `${missing.length ? `; add parameter(s) ${missing.join(', ')}` : ''}${extra.length ? `; remove ${extra.join(', ')}` : ''}`,
    );
  }
  params.forEach((p, j) => {
    const a = spec.args[j]!;
    if (a.name !== p.name) {
      throw new SpecError(where, `${at(j)}.name`, `parameter ${j + 1} of ${unit.name} is '${p.name}' but the spec says '${a.name}'; list args in signature order with the C names`);
    }
    const { base, pointer } = describeParamType(p.type);
    const isBuffer = a.kind !== 'scalar';
    if (pointer !== isBuffer) {
      throw new SpecError(
        where,
        `${at(j)}.kind`,
        `parameter '${p.name}' has type '${p.type}', ${pointer ? 'a pointer: use kind input, output or inout' : 'not a pointer: use kind scalar'}`,
      );
    }
    const knownNames = Object.values(C_NAMES).flat();
    if (knownNames.includes(base) && !C_NAMES[a.type].includes(base)) {
      throw new SpecError(where, `${at(j)}.type`, `parameter '${p.name}' has C type '${p.type}' but the spec says ${a.type}; make them agree`);
    }
  });
  if (spec.returns) {
    const r = describeParamType(unit.signature.returnType);
    if (r.base === 'void' && !r.pointer) {
      throw new SpecError(where, `kernels[${spec.name}].returns`, `${unit.name} returns void; remove 'returns'`);
    }
    if (r.pointer) throw new SpecError(where, `kernels[${spec.name}].returns`, `${unit.name} returns a pointer (${unit.signature.returnType}); only value returns can be compared`);
  }
}
