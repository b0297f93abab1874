// Gives unscheduled worksharing loops round-robin chunks of one iteration, for one race
// build (RACE_BUILDS' -O0). A `for` without a schedule clause runs with the
// implementation's default (libomp: static, contiguous blocks), and OMP_SCHEDULE changes
// only `schedule(runtime)` loops; so a race between neighbouring iterations (an index
// set whose colliding entries lie a few iterations apart) stays inside one thread's
// block and TSan never sees it. `schedule(static, 1)` puts neighbouring iterations on
// different threads every run (dynamic,1 lets one early thread take a short loop's
// every iteration), and the compiler lays it out inline: unlike `schedule(runtime)` with
// OMP_SCHEDULE=static,1, no runtime call per iteration (a 2e8-iteration loop ran past
// a 60 s limit that way). The OpenMP spec leaves an unscheduled loop's schedule to the implementation, so a
// correct program cannot depend on it: the rewrite adds no race to a race-free program.

/** Directive names that may precede `for` in a worksharing-loop construct that accepts `schedule`. */
const LOOP_DIRECTIVE = /^\s*#\s*pragma\s+omp\s+((?:(?:target|teams|distribute|parallel|for|simd)\b\s*)+)/;

export const CHUNK_ONE_SCHEDULE = 'schedule(static, 1)';

/**
 * `text` with ` schedule(static, 1)` added to every worksharing-loop pragma (`for`,
 * `parallel for`, their `simd` forms; not `distribute parallel for`) that has no schedule
 * clause, and how many were changed. Line count and numbering stay the same.
 */
export function withChunkOneSchedules(text: string): { text: string; changed: number } {
  const lines = text.split('\n');
  let changed = 0;
  for (let i = 0; i < lines.length; i++) {
    const m = LOOP_DIRECTIVE.exec(lines[i]!);
    if (!m) continue;
    // The pragma may continue over backslash-ended lines: its last line gets the clause.
    let last = i;
    while (/\\\s*$/.test(lines[last]!) && last + 1 < lines.length) last++;
    const whole = lines.slice(i, last + 1).join(' ');
    const words = m[1]!.trim().split(/\s+/);
    // order(concurrent) forbids a schedule clause (OpenMP 5.0 and later).
    // `distribute parallel for` is left alone: libomp 19's host teams give wrong results
    // with schedule(static, 1) and two teams (a race-free matrix-vector product failed).
    if (!words.includes('for') || words.includes('distribute') || /\b(schedule|order)\s*\(/.test(whole)) {
      i = last;
      continue;
    }
    // A trailing // comment would swallow the clause: put it before the comment.
    const line = lines[last]!;
    const comment = line.search(/\/\/|\/\*/);
    lines[last] = comment >= 0 ? `${line.slice(0, comment).trimEnd()} ${CHUNK_ONE_SCHEDULE} ${line.slice(comment)}` : `${line.trimEnd()} ${CHUNK_ONE_SCHEDULE}`;
    changed++;
    i = last;
  }
  return { text: lines.join('\n'), changed };
}
