// Bench A — the no-change rebuild: autopar's lookup path for every kernel
// project (key + store lookup + compile + link of the chosen sources) as a ratio
// to a plain gcc compile + link of the same sources, measured in this run.
// Target: <= 1.10. Run after the kernels were built once (npm run setup) so the
// store is warm; a cold store is warmed first and said so.
import { readdirSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { tmpdir } from 'node:os';
import { execFileSync, execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);
import { buildProject, resolveBuildOptions } from '../packages/core/dist/index.js';
import { readProject } from '../packages/core/dist/cli/project.js';

const REPO = resolve(import.meta.dirname, '..');
const REPS = Number(process.env.BENCH_REPS ?? 5);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export async function benchLookup({ log = console.log } = {}) {
  const projects = readdirSync(join(REPO, 'kernels'))
    .filter((d) => existsSync(join(REPO, 'kernels', d, 'autopar.spec.json')))
    .map((d) => readProject(join(REPO, 'kernels', d)));
  const scratch = mkdtempSync(join(tmpdir(), 'autopar-bench-'));
  const optionsFor = (p, quietLog) =>
    resolveBuildOptions(
      { ...p.options, outputPath: join(scratch, 'autopar', p.projectName) },
      { workspaceRoot: p.workspaceRoot, projectRoot: p.projectRoot, projectName: p.projectName, log: quietLog },
    );

  // Warm the store (a no-op when `npm run setup` already built everything).
  const warmLines = [];
  for (const p of projects) await buildProject(optionsFor(p, (l) => warmLines.push(l)));
  const generated = warmLines.filter((l) => / generated | verifying /.test(l)).length;
  if (generated) log(`bench: store was cold; ${generated} verification lines while warming (not timed)`);

  // Same parallelism as autopar's link step: a project's sources compile side by side (2 cores).
  const plainOnce = async () => {
    const t0 = performance.now();
    for (const p of projects) {
      const o = optionsFor(p, () => {});
      const out = join(scratch, 'plain', p.projectName);
      execFileSync('mkdir', ['-p', out]);
      const objs = o.sources.map((s, i) => ({ src: resolve(p.projectRoot, s), obj: join(out, `${i}.o`) }));
      await Promise.all(objs.map(({ src, obj }) => run(o.cc, [...o.cflags, '-c', src, '-o', obj])));
      await run(o.cc, [...o.cflags, ...objs.map((x) => x.obj), '-o', join(out, p.projectName), ...o.ldflags]);
    }
    return performance.now() - t0;
  };
  const autoparOnce = async () => {
    const t0 = performance.now();
    const lines = [];
    for (const p of projects) await buildProject({ ...optionsFor(p, (l) => lines.push(l)) });
    const misses = lines.filter((l) => /: (generated|original) →/.test(l) && !/cache-hit/.test(l));
    if (misses.length) throw new Error(`no-change rebuild was not all cache hits:\n${misses.join('\n')}`);
    return performance.now() - t0;
  };

  // Interleaved, so both see the same machine state.
  const plain = [];
  const autopar = [];
  await autoparOnce();
  await plainOnce();
  for (let i = 0; i < REPS; i++) {
    plain.push(await plainOnce());
    autopar.push(await autoparOnce());
  }
  rmSync(scratch, { recursive: true, force: true });
  const ratio = median(autopar) / median(plain);
  const perPair = plain.map((p, i) => autopar[i] / p);
  return {
    projects: projects.length,
    reps: REPS,
    ratio,
    spread: [Math.min(...perPair), Math.max(...perPair)],
    target: 1.1,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await benchLookup();
  console.log(
    `no-change rebuild of ${r.projects} kernel projects: autopar lookup path / plain gcc compile+link = ${r.ratio.toFixed(3)} ` +
      `(per-rep ${r.spread.map((x) => x.toFixed(3)).join('–')}, ${r.reps} reps, target <= ${r.target})`,
  );
}
