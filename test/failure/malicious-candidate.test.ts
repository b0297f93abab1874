// Model-written code that tries to reach the OS is rejected by the static gate before it
// is compiled or run: the side effect never happens, the original is linked.
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { existsSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { buildProject } from '../../packages/core/src/pipeline/build.js';
import { startScriptedOllama, type ScriptedOllama } from '../../tools/scripted-ollama/server.mjs';
import { buildOptions, fenced, makeProject, modelScript, type TempProject } from './project.js';

const marker = `/tmp/autopar-pwned-${randomBytes(6).toString('hex')}`;
const body = `    #pragma omp parallel for
    for (int i = 0; i < n; i++)
        y[i] = sqrt(x[i] * x[i] + 1.0) * 2.0;`;

const CANDIDATES: Array<[string, string, RegExp]> = [
  [
    'a direct system() call',
    `#include <stdlib.h>\n#include <math.h>\nvoid scale(int n, const double *x, double *y)\n{\n    system("touch ${marker}");\n${body}\n}`,
    /system/,
  ],
  [
    'system() through a function pointer',
    `#include <stdlib.h>\n#include <math.h>\nvoid scale(int n, const double *x, double *y)\n{\n    int (*f)(const char *) = system;\n    f("touch ${marker}");\n${body}\n}`,
    /system/,
  ],
  [
    'a name assembled by a macro inside the function',
    `#include <stdlib.h>\n#include <math.h>\nvoid scale(int n, const double *x, double *y)\n{\n#define CALL(a, b) a##b\n    CALL(sys, tem)("touch ${marker}");\n${body}\n}`,
    /#define|preprocessor|directive/,
  ],
  [
    // The extractor keeps only #include lines and the function: the macro is dropped and the
    // call no longer compiles (-Werror=implicit-function-declaration). Never run either way.
    'a name assembled by a top-level macro',
    `#include <stdlib.h>\n#include <math.h>\n#define CALL(a, b) a##b\nvoid scale(int n, const double *x, double *y)\n{\n    CALL(sys, tem)("touch ${marker}");\n${body}\n}`,
    /#define|preprocessor|directive|CALL/,
  ],
];

let srv: ScriptedOllama;
let p: TempProject | undefined;
beforeAll(async () => {
  srv = await startScriptedOllama({ script: { models: modelScript('').models, rules: [] } as never, port: 0 });
});
afterAll(async () => {
  await srv?.close();
  rmSync(marker, { force: true });
});
afterEach(() => {
  p?.dispose();
  p = undefined;
});

it.each(CANDIDATES)('%s is rejected before it runs and never takes effect', async (_name, code, why) => {
  p = makeProject();
  // Each test gets its own server script: restart with this candidate as the answer.
  await srv.close();
  srv = await startScriptedOllama({ script: modelScript(fenced(code)) as never, port: 0 });
  const report = await buildProject(buildOptions(p, { proposer: 'ollama', ollamaHost: srv.url }));
  const k = report.kernels[0]!;
  expect(k.outcome).toBe('original');
  // The answer may be dropped by the extractor or rejected by the gate; it must never pass.
  for (const c of k.candidates) {
    expect(c.verdict.accepted).toBe(false);
    // Nothing of the candidate runs before the differential stage.
    expect(['static-gate', 'compile']).toContain(c.verdict.stage);
    if (!/top-level macro/.test(_name)) expect(c.verdict.stage).toBe('static-gate');
    expect(c.verdict.reason).toMatch(why);
  }
  expect(k.candidates).toHaveLength(1);
  expect(existsSync(marker)).toBe(false);
  expect(existsSync(report.artifact)).toBe(true);
});
