// The tiny shell that starts every sandboxed step: it joins the step's cgroups,
// sets resource limits, then exec's the sandbox (or the program itself when
// bubblewrap is unavailable). Limits set here are inherited by bwrap and
// everything inside it, and cannot be raised there (hard = soft, except CPU below).
//
// Never RLIMIT_AS: ASan and TSan reserve huge shadow mappings and die under it.
// Never relied on: RLIMIT_NPROC, which does not stop forks of a real uid 0.

export interface Rlimits {
  /** RLIMIT_CPU, seconds of CPU per process (all its threads together). */
  cpuSeconds: number;
  /** RLIMIT_FSIZE, the largest file the step may write. */
  fileSizeBytes: number;
  /** RLIMIT_NOFILE. */
  openFiles: number;
}

/** Exit status of the wrapper itself when it cannot set the sandbox up. */
export const SETUP_FAILED_EXIT = 125;
export const SETUP_FAILED_MARK = 'autopar-sandbox: setup failed';

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

function fail(what: string): string {
  return `{ echo ${shellQuote(`${SETUP_FAILED_MARK}: ${what}`)} >&2; exit ${SETUP_FAILED_EXIT}; }`;
}

export function wrapperArgv(procsFiles: string[], limits: Rlimits | undefined, argv: string[]): string[] {
  const lines: string[] = [];
  for (const file of procsFiles) lines.push(`echo $$ > ${shellQuote(file)} || ${fail(`cannot join ${file}`)}`);
  if (limits) {
    // POSIX `ulimit -f` counts 512-byte blocks; no -H/-S sets both limits.
    const blocks = Math.max(1, Math.floor(limits.fileSizeBytes / 512));
    // CPU: soft limit sends SIGXCPU (reported as a CPU-limit stop); the hard limit,
    // one second later, SIGKILLs a program that ignores it. Equal limits would SIGKILL at once.
    const cpu = Math.max(1, Math.ceil(limits.cpuSeconds));
    lines.push(`ulimit -S -t ${cpu} && ulimit -H -t ${cpu + 1} || ${fail('RLIMIT_CPU')}`);
    lines.push(`ulimit -f ${blocks} || ${fail('RLIMIT_FSIZE')}`);
    lines.push(`ulimit -n ${limits.openFiles} || ${fail('RLIMIT_NOFILE')}`);
    // No core files in the work dir (they could be huge, and would be read back).
    lines.push('ulimit -c 0');
  }
  lines.push('exec "$@"');
  return ['/bin/sh', '-c', lines.join('\n'), 'autopar-sandbox', ...argv];
}
