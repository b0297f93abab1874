// Puts a new version of a kernel into its translation unit.
//
// `unit.range` holds UTF-8 byte offsets into the file (see extract.ts), so the
// replacement is done on the file's bytes, not on JS string indices: a single
// non-ASCII character in a comment above the kernel would otherwise shift it.
import type { KernelUnit } from './types.js';

/** `#include <x.h>` or `#include "x.h"`, alone on its line. */
const INCLUDE_LINE = /^[ \t]*#[ \t]*include[ \t]*([<"][^>"]+[>"])[ \t]*$/;

/**
 * Returns `sourceText` with the kernel's definition (bytes `unit.range`) replaced by
 * `newFunctionText`. `#include` lines at the start of `newFunctionText` are moved to
 * the include block of the file (after the last `#include` that precedes the kernel,
 * or to the top of the file when there is none), skipping headers already included,
 * so the result never has an include in the middle of the code.
 *
 * Throws when the bytes at `unit.range` are not `unit.sourceText`: the unit was
 * extracted from another version of the file, and splicing would corrupt it.
 */
export function spliceFunction(sourceText: string, unit: KernelUnit, newFunctionText: string): string {
  const bytes = Buffer.from(sourceText, 'utf8');
  const { start, end } = unit.range;
  const current = bytes.subarray(start, end).toString('utf8');
  if (current !== unit.sourceText) {
    throw new Error(
      `spliceFunction: the source no longer holds kernel "${unit.name}" at bytes ${start}..${end}; re-extract the kernel from the current file`,
    );
  }

  const { includes, body } = splitLeadingIncludes(newFunctionText);
  const spliced = Buffer.concat([bytes.subarray(0, start), Buffer.from(body, 'utf8'), bytes.subarray(end)]);
  const existing = new Set(includeTargets(bytes.subarray(0, end).toString('utf8')));
  // Headers already in the file, or repeated in the new text, are added once.
  const toAdd: string[] = [];
  for (const inc of includes) {
    if (existing.has(inc.target)) continue;
    existing.add(inc.target);
    toAdd.push(`#include ${inc.target}\n`);
  }
  if (toAdd.length === 0) return spliced.toString('utf8');

  const at = includeInsertionOffset(bytes, start);
  return Buffer.concat([spliced.subarray(0, at), Buffer.from(toAdd.join(''), 'utf8'), spliced.subarray(at)]).toString('utf8');
}

interface IncludeLine {
  /** `<omp.h>` or `"local.h"`, as written. */
  target: string;
}

/** Separates the `#include` lines (and blank lines between them) at the head of a function text. */
export function splitLeadingIncludes(functionText: string): { includes: IncludeLine[]; body: string } {
  const lines = functionText.split('\n');
  const includes: IncludeLine[] = [];
  let i = 0;
  for (; i < lines.length; i++) {
    const line = lines[i]!.replace(/\r$/, '');
    const m = INCLUDE_LINE.exec(line);
    if (m) includes.push({ target: m[1]! });
    else if (line.trim() !== '') break;
  }
  return { includes, body: includes.length === 0 ? functionText : lines.slice(i).join('\n') };
}

/** Targets of every `#include` line in a text. */
function includeTargets(text: string): string[] {
  const targets: string[] = [];
  for (const line of text.split('\n')) {
    const m = INCLUDE_LINE.exec(line.replace(/\r$/, ''));
    if (m) targets.push(m[1]!);
  }
  return targets;
}

/**
 * Byte offset just after the last `#include` line that starts before `limit`
 * (the kernel), or 0 when the file has none there. Offsets before `limit` are the
 * same in the original and the spliced buffer, since the splice happens at `limit`.
 */
function includeInsertionOffset(bytes: Buffer, limit: number): number {
  let offset = 0;
  let lineStart = 0;
  while (lineStart < limit) {
    const nl = bytes.indexOf(0x0a, lineStart);
    const lineEnd = nl === -1 ? bytes.length : nl;
    if (lineEnd >= limit) break; // the kernel starts on this line
    const line = bytes.subarray(lineStart, lineEnd).toString('utf8').replace(/\r$/, '');
    if (INCLUDE_LINE.test(line)) offset = nl === -1 ? bytes.length : nl + 1;
    if (nl === -1) break;
    lineStart = nl + 1;
  }
  return offset;
}
