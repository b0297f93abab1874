// Reading a spec'd kernel's source with errors that name the spec file and the field:
// a typo in `source` or `name` is a spec error, not a raw ENOENT or extractKernels text.
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { extractKernels } from '../kernel/extract.js';
import { SpecError } from './errors.js';
import type { KernelSpec } from './types.js';
import type { KernelUnit } from '../kernel/types.js';

export interface KernelSource {
  unit: KernelUnit;
  sourceText: string;
  sourcePath: string;
}

export async function readKernelSource(specPath: string, specDir: string, k: KernelSpec, index: number): Promise<KernelSource> {
  const sourcePath = resolve(specDir, k.source);
  const sourceText = await readSpecSource(specPath, sourcePath, k, index);
  return { unit: extractSpecKernel(specPath, sourceText, sourcePath, k, index), sourceText, sourcePath };
}

/** The text of a kernel's `source`; a missing file is a SpecError on kernels[i].source. */
export async function readSpecSource(specPath: string, sourcePath: string, k: KernelSpec, index: number): Promise<string> {
  try {
    return await readFile(sourcePath, 'utf8');
  } catch (err) {
    const why = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new SpecError(specPath, `kernels[${index}].source`, `cannot read ${k.source} (${why}; paths are relative to the spec file's folder); fix the path`);
  }
}

/** The kernel `name` in its source; a function that is not there is a SpecError on kernels[i].name. */
export function extractSpecKernel(specPath: string, sourceText: string, sourcePath: string, k: KernelSpec, index: number): KernelUnit {
  try {
    return extractKernels(sourceText, sourcePath, [k.name])[0]!;
  } catch (err) {
    throw new SpecError(specPath, `kernels[${index}].name`, `${(err as Error).message.replace(/^extractKernels: /, '')}; fix the name`);
  }
}
