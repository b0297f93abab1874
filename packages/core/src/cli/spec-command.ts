// `autopar spec init | calibrate | check`: drafting and maintaining kernel specs outside Nx
// (the Nx kernel generator calls the same draftKernelSpec).
import type { Command } from 'commander';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';

export function registerSpecCommands(program: Command): void {
  const spec = program.command('spec').description('draft, time and check kernel specs (autopar.spec.json)');

  spec
    .command('init')
    .description('draft the spec of a kernel from its code, check it by running the original, time it for the bench size, and add it to the spec file')
    .argument('<file>', 'C file that defines the kernel')
    .argument('<function>', 'kernel function name')
    .option('--spec <file>', 'spec file to add it to (default: autopar.spec.json of the project folder)')
    .option('--no-check', 'do not run the original at the drafted test sizes')
    .option('--no-calibrate', 'do not time the original (the bench size stays a placeholder)')
    .option('--target-ms <ms>', 'time one serial call of the original should take at the bench size', parseFloat, 100)
    .option('--cc <compiler>', 'compiler for the check and the timing (default gcc, or AUTOPAR_CC)')
    .option('--print', 'print the spec file instead of writing it')
    .action(async (file: string, fn: string, flags) => {
      const { draftKernelSpec, formatSpecJson } = await import('../draft/init.js');
      const r = await draftKernelSpec({
        sourcePath: file,
        functionName: fn,
        specPath: flags.spec,
        check: flags.check,
        calibrate: flags.calibrate,
        targetMs: flags.targetMs,
        toolchain: { cc: flags.cc ?? process.env.AUTOPAR_CC },
        log: (l) => process.stderr.write(l + '\n'),
      });
      const text = formatSpecJson(r.file);
      if (flags.print) process.stdout.write(text);
      else {
        await mkdir(dirname(r.specPath), { recursive: true });
        await writeFile(r.specPath, text);
      }
      const out = flags.print ? process.stderr : process.stdout;
      out.write(`autopar: drafted ${r.kernel.name}${flags.print ? '' : ` into ${r.specPath}`}\n`);
      if (r.check) out.write(`autopar: check: ${r.check.ok ? 'ok' : 'FAILED'}: ${r.check.detail}\n`);
      out.write(`autopar: ${r.confirm.length} guesses to confirm (listed in the kernel's "confirm" field; delete each line once checked):\n`);
      for (const c of r.confirm) out.write(`  ${c.field}: ${c.guess}\n`);
      if (r.check && !r.check.ok) process.exitCode = 1;
    });

  spec
    .command('calibrate')
    .description('time the original kernel at growing sizes and choose the bench size where one serial call takes about --target-ms')
    .argument('<project-dir>', 'project folder holding autopar.spec.json')
    .option('--spec <file>', 'spec file relative to the project (default autopar.spec.json)')
    .option('--kernel <name>', 'only this kernel')
    .option('--target-ms <ms>', 'target time of one serial call', parseFloat, 100)
    .option('--write', 'write the chosen bench sizes into the spec file')
    .action(async (dir: string, flags) => {
      const { calibrateProject } = await import('./spec-calibrate.js');
      const lines = await calibrateProject({ projectDir: dir, spec: flags.spec, kernel: flags.kernel, targetMs: flags.targetMs, write: flags.write });
      process.stdout.write(lines.join('\n') + '\n');
    });

  spec
    .command('check')
    .description('validate a spec file against its sources and list the drafted guesses still to confirm')
    .argument('<project-dir>', 'project folder holding autopar.spec.json')
    .option('--spec <file>', 'spec file relative to the project (default autopar.spec.json)')
    .action(async (dir: string, flags) => {
      const { loadSpecFile, checkSpecAgainstSignature } = await import('../spec/load.js');
      const { readKernelSource } = await import('../spec/kernel-source.js');
      const specPath = resolve(dir, flags.spec ?? 'autopar.spec.json');
      const { file, dir: specDir } = await loadSpecFile(specPath);
      let open = 0;
      for (const [i, k] of file.kernels.entries()) {
        const { unit } = await readKernelSource(specPath, specDir, k, i);
        checkSpecAgainstSignature(k, unit, specPath);
        process.stdout.write(`ok    ${k.name}\n`);
        const { noaliasHint } = await import('./explain-command.js');
        const hint = noaliasHint(unit, k, i);
        if (hint) process.stdout.write(`    ${hint.trim()}\n`);
        for (const c of k.confirm ?? []) {
          process.stdout.write(`      to confirm: ${c}\n`);
          open++;
        }
      }
      process.stdout.write(open ? `${open} drafted guesses still to confirm\n` : 'nothing left to confirm\n');
    });
}
