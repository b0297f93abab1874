// `autopar spec calibrate`: times each kernel's original at growing sizes and proposes (or
// writes) the bench size at which one serial call takes about the target time.
import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { loadSpecFile } from '../spec/load.js';
import { calibrateBench } from '../draft/calibrate.js';
import { draftSpec } from '../draft/draft.js';
import { formatSpecJson } from '../draft/init.js';
import { describeSize } from '../verify/harness.js';
import { readKernelSource } from '../spec/kernel-source.js';

export interface CalibrateProjectRequest {
  projectDir: string;
  spec?: string;
  kernel?: string;
  targetMs?: number;
  write?: boolean;
}

export async function calibrateProject(req: CalibrateProjectRequest): Promise<string[]> {
  const specPath = resolve(req.projectDir, req.spec ?? 'autopar.spec.json');
  const { file, dir } = await loadSpecFile(specPath);
  const chosen = file.kernels.map((k, i) => ({ k, i })).filter(({ k }) => !req.kernel || k.name === req.kernel);
  if (req.kernel && chosen.length === 0) {
    throw new Error(`kernel "${req.kernel}" is not in ${specPath}; kernels there: ${file.kernels.map((k) => k.name).join(', ')}`);
  }
  const lines: string[] = [];
  const raw = JSON.parse(await readFile(specPath, 'utf8')) as { kernels: Array<{ sizes: { bench: unknown }; confirm?: string[] }> };
  for (const { k, i } of chosen) {
    const src = await readKernelSource(specPath, dir, k, i);
    // Which size names grow with the problem and which only repeat it: the drafting heuristics.
    const d = draftSpec(src.unit, k.source);
    const names = Object.keys(k.sizes.bench);
    const repetitions = d.repetitionNames.filter((n) => names.includes(n));
    const spatial = names.filter((n) => !repetitions.includes(n));
    const start = { ...k.sizes.test[k.sizes.test.length - 1], ...Object.fromEntries(repetitions.map((n) => [n, k.sizes.bench[n]!])) };
    const c = await calibrateBench({
      spec: k,
      sourceText: src.sourceText,
      sourcePath: src.sourcePath,
      targetMs: req.targetMs,
      scale: spatial.length ? spatial : names,
      exponents: d.exponentNames,
      start,
      log: (l) => process.stderr.write(l + '\n'),
    });
    lines.push(
      `${k.name}: bench ${describeSize(c.bench)} — one serial call ${c.ms.toFixed(1)} ms (was ${describeSize(k.sizes.bench)})${c.stopped ? `; ${c.stopped}` : ''}`,
    );
    raw.kernels[i]!.sizes.bench = c.bench;
    raw.kernels[i]!.confirm = raw.kernels[i]!.confirm?.filter((l) => !l.startsWith('sizes.bench:'));
    if (raw.kernels[i]!.confirm?.length === 0) delete raw.kernels[i]!.confirm;
  }
  if (req.write) {
    await writeFile(specPath, formatSpecJson(raw));
    lines.push(`wrote ${specPath}`);
  }
  return lines;
}
