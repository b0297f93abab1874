// Reads the output file a harness binary writes in test mode (format in harness.ts;
// little-endian headers: autopar runs on x86-64 and aarch64):
// one record per output/inout buffer, plus "return" for a return value.
import { readFile } from 'node:fs/promises';
import type { ElemType } from '../spec/types.js';
import { ELEM_TYPES } from './elem-types.js';

export interface OutputRecord {
  name: string;
  type: ElemType;
  elemSize: number;
  count: number;
  /** The raw elements (native byte order: writer and reader are the same machine). */
  bytes: Buffer;
}

const MAGIC = 'APOUT001';

export function parseOutputFile(data: Buffer, what: string): OutputRecord[] {
  if (data.subarray(0, 8).toString('latin1') !== MAGIC) throw new Error(`${what}: not a harness output file`);
  const records: OutputRecord[] = [];
  let at = 8;
  const need = (n: number) => {
    if (at + n > data.length) throw new Error(`${what}: truncated output file`);
  };
  while (at < data.length) {
    need(4);
    const nameLen = data.readUInt32LE(at);
    at += 4;
    need(nameLen + 16);
    const name = data.subarray(at, at + nameLen).toString('utf8');
    at += nameLen;
    const code = data.readUInt32LE(at);
    const elemSize = data.readUInt32LE(at + 4);
    const count = Number(data.readBigUInt64LE(at + 8));
    at += 16;
    const type = ELEM_TYPES[code];
    if (!type) throw new Error(`${what}: unknown type code ${code} for ${name}`);
    need(count * elemSize);
    records.push({ name, type, elemSize, count, bytes: data.subarray(at, at + count * elemSize) });
    at += count * elemSize;
  }
  return records;
}

export async function readOutputFile(path: string): Promise<OutputRecord[]> {
  return parseOutputFile(await readFile(path), path);
}
