// "Says so once": Nx runs each project's build in its own process, so a line the pipeline
// prints once per build (no model server reachable) would appear once per kernel project
// in `nx run-many`. Tasks of one Nx run share their parent process (the nx command), so a
// marker named after that process and the line lets the first task print it and the others
// stay quiet.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const DIR = join(tmpdir(), 'autopar-once');
const DAY_MS = 24 * 3600 * 1000;

/** The pipeline's note that the configured proposer is not reachable (pipeline/proposer.ts). */
export function isProposerNote(line: string): boolean {
  return / — (using the built-in analyzer|cached variants are used, changed kernels keep their original code)$/.test(line);
}

/** True the first time this Nx run (the parent process) shows `line`; false afterwards. */
export function firstTimeInRun(line: string, parentPid = process.ppid): boolean {
  try {
    mkdirSync(DIR, { recursive: true });
    const run = `${parentPid}-${processStart(parentPid)}`;
    const marker = join(DIR, `${run}-${createHash('sha256').update(line).digest('hex').slice(0, 16)}`);
    writeFileSync(marker, line, { flag: 'wx' });
    sweep();
    return true;
  } catch (err) {
    // EEXIST: another task of this run printed it. Anything else: print rather than lose it.
    return (err as NodeJS.ErrnoException).code !== 'EEXIST';
  }
}

/** Start time of a process (Linux: /proc/<pid>/stat field 22), so a reused pid is another run. */
function processStart(pid: number): string {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? '0';
  } catch {
    return '0';
  }
}

function sweep(): void {
  for (const f of readdirSync(DIR)) {
    try {
      if (Date.now() - statSync(join(DIR, f)).mtimeMs > DAY_MS) rmSync(join(DIR, f), { force: true });
    } catch {
      /* another process swept it */
    }
  }
}
