// Can this compiler link a program with the memory sanitizers (ASan + UBSan)? Where the
// runtimes are not installed (libasan, libubsan), every candidate's sanitizer build fails;
// that says nothing about the candidate, so the stage is "skipped" (the verdict is then
// incomplete, and not stored) instead of a failure cached as the candidate's.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ResolvedToolchain } from './policy.js';
import { runStep } from './run-step.js';

export type SanitizerProbe = { ok: true } | { ok: false; reason: string };

const memo = new Map<string, Promise<SanitizerProbe>>();

/** Links an empty program with the sanitizer toolchain, once per toolchain and process. */
export function memorySanitizersLink(tc: ResolvedToolchain): Promise<SanitizerProbe> {
  const key = JSON.stringify([tc.cc, tc.cflags, tc.ldflags]);
  let found = memo.get(key);
  if (!found) {
    found = probe(tc);
    memo.set(key, found);
  }
  return found;
}

async function probe(tc: ResolvedToolchain): Promise<SanitizerProbe> {
  const dir = await mkdtemp(join(tmpdir(), 'autopar-sanitizer-probe-'));
  try {
    const src = join(dir, 'probe.c');
    await writeFile(src, 'int main(void) { return 0; }\n');
    const r = await runStep([tc.cc, ...tc.cflags, src, '-o', join(dir, 'probe'), ...tc.ldflags], { cwd: dir, timeoutMs: 60_000 });
    if (r.exitCode === 0 && !r.timedOut) return { ok: true };
    const lines = r.stderr.trim().split('\n');
    const why = r.timedOut ? 'timed out' : (lines.find((l) => /cannot find|not found|No such file|unsupported|error/i.test(l)) ?? lines[0] ?? `exit ${r.exitCode}`).trim();
    return { ok: false, reason: `${tc.cc} cannot link an empty program with ${tc.cflags.filter((f) => /sanitize/.test(f)).join(' ')} (${why})` };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
