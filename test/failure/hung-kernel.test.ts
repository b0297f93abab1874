// A candidate that never returns for some sizes: rejected as timed out within a bounded
// time, its processes are gone, the original is linked and the build succeeds.
import { afterEach, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { buildProject } from '../../packages/core/src/pipeline/build.js';
import { startScriptedOllama } from '../../tools/scripted-ollama/server.mjs';
import { buildOptions, fenced, FAST_POLICY, makeProject, modelScript, type TempProject } from './project.js';

const HANGS_AT_7 = `void scale(int n, const double *x, double *y)
{
    volatile int spin = (n == 7);
    while (spin) { }
    #pragma omp parallel for
    for (int i = 0; i < n; i++)
        y[i] = sqrt(x[i] * x[i] + 1.0) * 2.0;
}`;

let p: TempProject | undefined;
afterEach(() => {
  p?.dispose();
  p = undefined;
});

async function processesUnder(dir: string): Promise<string[]> {
  const ps = await execa('ps', ['-eo', 'pid,args'], { reject: false });
  return ps.stdout.split('\n').filter((l) => l.includes(dir) && !l.includes('ps -eo'));
}

it('a candidate that loops forever at n=7 is rejected with "timed out", the original is linked', async () => {
  p = makeProject();
  const srv = await startScriptedOllama({ script: modelScript(fenced(`#include <math.h>\n${HANGS_AT_7}`)) as never, port: 0 });
  try {
    const started = Date.now();
    const o = buildOptions(p, {
      proposer: 'ollama',
      ollamaHost: srv.url,
      policy: { ...FAST_POLICY, timeouts: { compileMs: 60_000, testMs: 1_500, benchFactor: 20 } },
    });
    const report = await buildProject(o);
    expect(Date.now() - started).toBeLessThan(30_000);
    const k = report.kernels[0]!;
    expect(k.outcome).toBe('original');
    expect(k.candidates).toHaveLength(1);
    const v = k.candidates[0]!.verdict;
    expect(v.accepted).toBe(false);
    expect(v.stage).toBe('differential');
    expect(v.reason).toMatch(/timed out/);
    expect(v.reason).toMatch(/n=7/);
    // Nothing was spliced: the original source is compiled as is.
    expect(report.splicedSources).toEqual([]);
    expect(existsSync(join(p.out(), 'autopar-src/kern.c'))).toBe(false);
    expect(existsSync(report.artifact)).toBe(true);
    expect(await processesUnder(p.root)).toEqual([]);
  } finally {
    await srv.close();
  }
});
