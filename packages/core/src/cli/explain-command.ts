// `autopar explain`: the analyzer's per-loop findings for each kernel of a project.
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { loadSpecFile } from '../spec/load.js';
import { extractKernels } from '../kernel/extract.js';
import { explainKernel } from '../analysis/index.js';

export async function explainProject(projectRoot: string, spec: string, only?: string): Promise<string> {
  const { file, dir } = await loadSpecFile(resolve(projectRoot, spec));
  const kernels = file.kernels.filter((k) => !only || k.name === only);
  if (only && kernels.length === 0) {
    throw new Error(`kernel "${only}" is not in ${spec}; kernels there: ${file.kernels.map((k) => k.name).join(', ')}`);
  }
  const parts: string[] = [];
  for (const k of kernels) {
    const path = resolve(dir, k.source);
    const [unit] = extractKernels(await readFile(path, 'utf8'), path, [k.name]);
    parts.push(explainKernel(unit!, k));
  }
  return parts.join('\n') + '\n';
}
