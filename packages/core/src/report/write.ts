// The build's HTML report, written next to autopar-report.json. A page that cannot be rendered
// is a warning: the build, its artifact and its JSON report stand.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BuildReport } from '../pipeline/build.js';

export const HTML_REPORT_NAME = 'autopar-report.html';

export async function writeHtmlReportBeside(report: BuildReport, outputPath: string, log: (line: string) => void): Promise<string | null> {
  const path = join(outputPath, HTML_REPORT_NAME);
  try {
    // Loaded here, not with the pipeline: the lookup path of a no-change rebuild stays lean.
    const { renderHtmlReportBytes } = await import('./html-report.js');
    await writeFile(path, renderHtmlReportBytes([report], { sources: [join(outputPath, 'autopar-report.json')] }));
    return path;
  } catch (err) {
    log(`warning: ${path} not written (${err instanceof Error ? err.message : String(err)}); autopar-report.json has everything it would show (\`autopar report\` renders it again)`);
    return null;
  }
}
