// Element types as the harness writes them and the comparer reads them back. The type
// code is the index in ELEM_TYPES: harness.c and compare.ts must agree on it.
import type { ElemType } from '../spec/types.js';

export const ELEM_TYPES: readonly ElemType[] = [
  'float', 'double',
  'char', 'int8_t', 'uint8_t',
  'short', 'int16_t', 'uint16_t',
  'int', 'unsigned', 'int32_t', 'uint32_t',
  'long', 'int64_t', 'uint64_t', 'size_t',
];

/** The C spelling of each spec type (`unsigned` is `unsigned int`). */
export function cTypeOf(t: ElemType): string {
  return t === 'unsigned' ? 'unsigned int' : t;
}

export function typeCode(t: ElemType): number {
  return ELEM_TYPES.indexOf(t);
}

export function isFloatType(t: ElemType): boolean {
  return t === 'float' || t === 'double';
}

/** Byte size of each element type on the LP64 platforms autopar runs on. */
export function elemSize(t: ElemType): number {
  switch (t) {
    case 'char': case 'int8_t': case 'uint8_t': return 1;
    case 'short': case 'int16_t': case 'uint16_t': return 2;
    case 'float': case 'int': case 'unsigned': case 'int32_t': case 'uint32_t': return 4;
    default: return 8;
  }
}
