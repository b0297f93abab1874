// A bad spec stops the build before anything is proposed, verified or stored, with one
// error that names the spec file, the field and what to do.
import { afterEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { buildProject } from '../../packages/core/src/pipeline/build.js';
import { startScriptedOllama } from '../../tools/scripted-ollama/server.mjs';
import { SPEC, buildOptions, cli, fenced, GOOD_VARIANT, listFiles, makeProject, modelScript, scaleKernelSpec, type TempProject } from './project.js';

const UNKNOWN_SIZE = {
  version: 1,
  kernels: [
    scaleKernelSpec({
      args: [
        { name: 'n', kind: 'scalar', type: 'int', value: 'n' },
        { name: 'x', kind: 'input', type: 'double', length: 'm', init: { gen: 'uniform', min: 0, max: 4 } },
        { name: 'y', kind: 'output', type: 'double', length: 'n' },
      ],
    }),
  ],
};

// Two parameters where the C function has three (y is missing).
const WRONG_ARG_COUNT = {
  version: 1,
  kernels: [
    scaleKernelSpec({
      args: [
        { name: 'n', kind: 'scalar', type: 'int', value: 'n' },
        { name: 'x', kind: 'input', type: 'double', length: 'n', init: { gen: 'uniform', min: 0, max: 4 } },
      ],
    }),
  ],
};

const INVALID_JSON = JSON.stringify(SPEC, null, 2).replace('"kernels":', '"kernels"');

let p: TempProject | undefined;
afterEach(() => {
  p?.dispose();
  p = undefined;
});

describe('bad spec: in-process build', () => {
  it('an unknown size name in a length names the file, the field and the known sizes', async () => {
    p = makeProject({ spec: UNKNOWN_SIZE });
    const err = await buildProject(buildOptions(p)).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    const msg = (err as Error).message;
    expect(msg).toContain(join(p.projectRoot, 'autopar.spec.json'));
    expect(msg).toContain('kernels[0].args[1].length');
    expect(msg).toMatch(/unknown name 'm'/);
    expect(msg).toMatch(/known sizes here: n/);
    expect(listFiles(p.cacheDir)).toEqual([]);
  });

  it('an argument count that differs from the C signature names the spec file, the field and the missing parameter', async () => {
    p = makeProject({ spec: WRONG_ARG_COUNT });
    const err = await buildProject(buildOptions(p)).catch((e: Error) => e);
    const msg = (err as Error).message;
    expect(msg).toContain(join(p.projectRoot, 'autopar.spec.json'));
    expect(msg).toContain('kernels[scale].args');
    expect(msg).toMatch(/lists 2 argument\(s\) but scale\(n, x, y\) has 3/);
    expect(msg).toMatch(/add parameter\(s\) y/);
    expect(listFiles(p.cacheDir)).toEqual([]);
  });

  it('invalid JSON names the file and says to fix the syntax', async () => {
    p = makeProject({ spec: INVALID_JSON });
    const err = await buildProject(buildOptions(p)).catch((e: Error) => e);
    const msg = (err as Error).message;
    expect(msg).toContain(join(p.projectRoot, 'autopar.spec.json'));
    expect(msg).toMatch(/not valid JSON [\s\S]*; fix the syntax$/);
    expect(listFiles(p.cacheDir)).toEqual([]);
  });

  it('a signature mismatch in a later kernel fails the build before any kernel is proposed or stored', async () => {
    // Kernel 1 is fine, kernel 2 does not match its C function: no model call, no store entry.
    const kern = `#include <math.h>\n\nvoid scale(int n, const double *x, double *y)\n{\n    for (int i = 0; i < n; i++)\n        y[i] = sqrt(x[i] * x[i] + 1.0) * 2.0;\n}\n\nvoid twice(int n, double *y)\n{\n    for (int i = 0; i < n; i++)\n        y[i] *= 2.0;\n}\n`;
    const twice = scaleKernelSpec({
      name: 'twice',
      args: [
        { name: 'n', kind: 'scalar', type: 'int', value: 'n' },
        { name: 'y', kind: 'input', type: 'double', length: 'n', init: { gen: 'uniform', min: 0, max: 1 } },
        { name: 'z', kind: 'output', type: 'double', length: 'n' },
      ],
    });
    p = makeProject({ kern, spec: { version: 1, kernels: [scaleKernelSpec(), twice] } });
    const srv = await startScriptedOllama({ script: modelScript(fenced(GOOD_VARIANT)) as never, port: 0 });
    try {
      const err = await buildProject(buildOptions(p, { proposer: 'ollama', ollamaHost: srv.url })).catch((e: Error) => e);
      const msg = (err as Error).message;
      expect(msg).toContain('kernels[twice].args');
      expect(msg).toContain(join(p.projectRoot, 'autopar.spec.json'));
      expect(srv.requests.filter((r) => r.path === '/api/chat' || r.path === '/api/generate')).toHaveLength(0);
      expect(listFiles(join(p.cacheDir, 'ac'))).toEqual([]);
      expect(listFiles(join(p.cacheDir, 'cas'))).toEqual([]);
    } finally {
      await srv.close();
    }
  });
});

describe('bad spec: autopar build', () => {
  it.each([
    ['unknown size name', UNKNOWN_SIZE, /kernels\[0\]\.args\[1\]\.length: unknown name 'm'/],
    ['argument count', WRONG_ARG_COUNT, /kernels\[scale\]\.args: the spec lists 2 argument/],
    ['invalid JSON', INVALID_JSON, /not valid JSON .*fix the syntax/],
  ] as const)('%s: exit 2, one line on stderr naming the spec file, nothing stored', async (_name, spec, pattern) => {
    p = makeProject({ spec });
    const r = await cli(['build', p.projectRoot, '--proposer', 'none', '--cache-dir', p.cacheDir, '--output-path', p.out()]);
    expect(r.code).toBe(2);
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^autopar: /);
    expect(lines[0]).toContain(join(p.projectRoot, 'autopar.spec.json'));
    expect(lines[0]).toMatch(pattern);
    expect(listFiles(p.cacheDir)).toEqual([]);
  });
});
