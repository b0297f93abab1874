// `autopar report <reports...>`: the HTML page of any build's JSON reports (the same page a
// build writes next to autopar-report.json), optionally with bench.json for the baselines.
import type { Command } from 'commander';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';

export function registerReportCommand(program: Command): void {
  program
    .command('report')
    .description('render the HTML report (charts, verdicts, plans, diffs) of build reports; one file that opens from disk')
    .argument('<reports...>', 'autopar-report.json files of builds (and dist/bench/bench.json of `npm run bench` for the baselines)')
    .option('-o, --output <file.html>', 'where to write the page (default: autopar-report.html next to the first report)')
    .option('--title <text>', 'the page title')
    .action(async (files: string[], flags: { output?: string; title?: string }) => {
      const { readReportFile } = await import('../report/inputs.js');
      const { renderHtmlReport } = await import('../report/html-report.js');
      const paths = files.map((f) => resolve(f));
      const reports = [];
      for (const p of paths) reports.push(await readReportFile(p));
      const out = resolve(flags.output ?? join(dirname(paths[0]!), 'autopar-report.html'));
      const html = renderHtmlReport(reports, { sources: paths, title: flags.title });
      try {
        await mkdir(dirname(out), { recursive: true });
        await writeFile(out, html);
      } catch (err) {
        const why = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
        throw new Error(`cannot write ${out} (${why}); pass -o <file.html> in a folder you can write`);
      }
      process.stdout.write(`autopar: wrote ${out} (${reports.length} report${reports.length === 1 ? '' : 's'}; open it in a browser, no server needed)\n`);
    });
}
