// Reading a spec'd kernel's source with errors that name the spec file and the field:
// a typo in `source` or `name` is a spec error, not a raw ENOENT or extractKernels text.
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { extractKernels } from '../kernel/extract.js';
import { SpecError } from '../spec/errors.js';
import type { KernelSpec } from '../spec/types.js';
import type { KernelUnit } from '../kernel/types.js';

export interface KernelSource {
  unit: KernelUnit;
  sourceText: string;
  sourcePath: string;
}

export async function readKernelSource(specPath: string, specDir: string, k: KernelSpec, index: number): Promise<KernelSource> {
  const sourcePath = resolve(specDir, k.source);
  let sourceText: string;
  try {
    sourceText = await readFile(sourcePath, 'utf8');
  } catch (err) {
    const why = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new SpecError(specPath, `kernels[${index}].source`, `cannot read ${k.source} (${why}; paths are relative to the spec file's folder); fix the path`);
  }
  try {
    const [unit] = extractKernels(sourceText, sourcePath, [k.name]);
    return { unit: unit!, sourceText, sourcePath };
  } catch (err) {
    throw new SpecError(specPath, `kernels[${index}].name`, `${(err as Error).message.replace(/^extractKernels: /, '')}; fix the name`);
  }
}
