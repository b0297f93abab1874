// Turns ThreadSanitizer's stderr into one line a human can act on:
// the kind of report and, for data races, the two racing accesses with file:line.
import { basename } from 'node:path';

export interface TsanAccess {
  /** e.g. "Write of size 8", "Previous read of size 8" */
  what: string;
  /** e.g. "thread T2", "main thread" */
  by: string;
  /** The innermost frame in our code: "kernel.c:12", or "kernel.c" when TSan has no line for it. */
  location?: string;
  func?: string;
}

export interface TsanReport {
  /** "data race", "heap-use-after-free", ... */
  kind: string;
  accesses: TsanAccess[];
  /** The SUMMARY line, when present. */
  summary?: string;
}

const WARNING_RE = /WARNING: ThreadSanitizer: ([^(\n]+?)\s*(?:\(pid=\d+\))?\s*$/m;
// "  Write of size 8 at 0x7b04 by thread T2:" / "  Previous read of size 8 at 0x.. by main thread:"
const ACCESS_RE = /^\s{2}((?:Previous )?(?:atomic )?(?:read|write)[^\n]*?) at 0x[0-9a-f]+ by ([^:\n]+?)(?: \(mutexes:[^)]*\))?:\s*$/i;
// "    #0 sum.omp_outlined_debug__ /w/kernel.c:12:9 (bin+0x..)"; the file is "<null>"
// for uninstrumented code, and the line can be missing at -O1 in outlined regions.
const FRAME_RE = /^\s+#\d+\s+(\S+)\s+(\S+?)(?::(\d+))?(?::\d+)?\s/;

export function hasTsanReport(stderr: string): boolean {
  return WARNING_RE.test(stderr);
}

/** The first report in stderr, or undefined when there is none. */
export function parseTsanReport(stderr: string): TsanReport | undefined {
  const warning = WARNING_RE.exec(stderr);
  if (!warning) return undefined;
  const lines = stderr.slice(warning.index).split('\n');
  const accesses: TsanAccess[] = [];
  let current: TsanAccess | undefined;
  for (const line of lines.slice(1)) {
    if (line.startsWith('SUMMARY:') || line.startsWith('=====')) break;
    const access = ACCESS_RE.exec(line);
    if (access) {
      current = { what: access[1]!, by: access[2]! };
      accesses.push(current);
      continue;
    }
    const frame = FRAME_RE.exec(line);
    if (frame && current && !current.location && frame[2] !== '<null>') {
      current.location = frame[3] ? `${basename(frame[2]!)}:${frame[3]}` : `${basename(frame[2]!)} (no line)`;
      current.func = frame[1]!;
    }
    // A blank line ends an access's stack.
    if (line.trim() === '') current = undefined;
  }
  const summary = /^SUMMARY: ThreadSanitizer: (.*)$/m.exec(stderr)?.[1];
  return { kind: warning[1]!.trim(), accesses, summary };
}

/** "data race: Write of size 8 at kernel.c:12 (thread T2) vs Previous read of size 8 at kernel.c:12 (main thread)" */
export function describeTsanReport(report: TsanReport): string {
  const racing = report.accesses
    .slice(0, 2)
    .map((a) => `${a.what} at ${a.location ?? 'unknown location'}${a.func ? ` in ${a.func}` : ''} (${a.by})`);
  if (racing.length > 0) return `${report.kind}: ${racing.join(' vs ')}`;
  return report.summary ? report.summary : report.kind;
}
