// Honest verdicts through buildProject: what did not run is said on the progress line and
// in the report and never counts as a pass; an inconclusive speed is re-measured by the
// next build; `sources` globs expand; a CUDA kernel keeps its original.
import { afterEach, describe, expect, it } from 'vitest';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildProject } from '../../packages/core/src/pipeline/build.js';
import { FsStore, decodeManifest } from '../../packages/core/src/store/fs-store.js';
import { buildOptions, cli, GOOD_VARIANT, makeProject, manifests, type TempProject } from './project.js';

let p: TempProject | undefined;
afterEach(() => {
  p?.dispose();
  p = undefined;
});

/** Runs fn with some environment variables set, restoring them after. */
async function withEnv<T>(vars: Record<string, string>, fn: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  Object.assign(process.env, vars);
  try {
    return await fn();
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

const withRace = { sanitizers: { memory: false, race: true } };

/** gcc whose links with -fsanitize fail as they do where libasan is not installed. */
function gccWithoutAsan(dir: string): string {
  const cc = join(dir, 'gcc-without-asan');
  writeFileSync(
    cc,
    '#!/bin/sh\nlink=1; san=0\nfor a in "$@"; do case "$a" in -c|-E|-S) link=0;; -fsanitize=*) san=1;; esac; done\n' +
      'if [ $san = 1 ] && [ $link = 1 ]; then echo "/usr/bin/ld: cannot find -lasan: No such file or directory" >&2; exit 1; fi\nexec gcc "$@"\n',
  );
  chmodSync(cc, 0o755);
  return cc;
}

describe('a check that did not run is never a pass (builds)', () => {
  it('race detector missing: nothing is linked or stored, and the progress line says why', async () => {
    p = makeProject();
    const opts = buildOptions(p, { proposer: 'analyzer', policy: { ...buildOptions(p).policy, ...withRace } });
    const report = await withEnv({ AUTOPAR_RACE_CC: 'clang-autopar-missing' }, () => buildProject(opts));
    const k = report.kernels[0]!;
    expect(k.outcome).toBe('original');
    expect(k.chosen).toBeNull();
    expect(k.candidates.length).toBeGreaterThan(0);
    expect(k.candidates.every((c) => !c.verdict.accepted)).toBe(true);
    expect(k.candidates.some((c) => c.verdict.kind === 'incomplete')).toBe(true);
    expect(k.skippedChecks?.join('\n')).toMatch(/sanitize-race skipped: race detection skipped: clang-autopar-missing not found/);
    expect(report.verification.raceDetector).toBe('missing');
    const line = opts.lines.find((l) => l.startsWith('autopar: scale: original'))!;
    expect(line).toMatch(/sanitize-race skipped: race detection skipped/);
    expect(line).toMatch(/race detector missing/);
    // An incomplete verdict is not kept: a machine with the detector must verify for itself.
    expect(manifests(p.cacheDir)).toEqual([]);
  });

  it('with AUTOPAR_ALLOW_UNVERIFIED=race the variant is linked and every report says the race check was skipped', async () => {
    p = makeProject();
    const opts = buildOptions(p, { proposer: 'analyzer', policy: { ...buildOptions(p).policy, ...withRace } });
    const report = await withEnv({ AUTOPAR_RACE_CC: 'clang-autopar-missing', AUTOPAR_ALLOW_UNVERIFIED: 'race' }, () => buildProject(opts));
    const k = report.kernels[0]!;
    expect(k.outcome).toBe('generated');
    const linked = k.candidates.find((c) => c.label === k.chosen?.label)!;
    expect(linked.verdict).toMatchObject({ accepted: true, kind: 'speed' });
    expect(linked.verdict.reason).toMatch(/^verified; NOT checked: sanitize-memory \(not asked for by the policy\), sanitize-race \(allowed by AUTOPAR_ALLOW_UNVERIFIED\)/);
    expect(report.verification).toMatchObject({ raceDetector: 'missing', allowUnverified: ['sanitize-race'] });
    expect(report.verification.note).toMatch(/allowed unverified by AUTOPAR_ALLOW_UNVERIFIED: sanitize-race/);
    const line = opts.lines.find((l) => l.startsWith('autopar: scale: generated'))!;
    expect(line).toMatch(/sanitize-race skipped \(allowed\)/);
    const [file] = manifests(p.cacheDir);
    const stored = decodeManifest(readFileSync(file!));
    expect('manifest' in stored && JSON.stringify(stored.manifest.keyInputs)).toMatch(/"allowUnverified":\["sanitize-race"\]/);
  });

  it('memory sanitizer runtimes missing: the stage is skipped (not the candidate failing), nothing is linked or stored', async () => {
    p = makeProject();
    const cc = gccWithoutAsan(p.root);
    const opts = buildOptions(p, { cc, proposer: 'analyzer', policy: { ...buildOptions(p).policy, sanitizers: { memory: true, race: false } } });
    // The sandbox sees only system folders and the work folder, not the wrapper's.
    const report = await withEnv({ AUTOPAR_SANDBOX: 'off' }, () => buildProject(opts));
    const k = report.kernels[0]!;
    expect(k.outcome).toBe('original');
    expect(k.candidates.length).toBeGreaterThan(0);
    for (const c of k.candidates) {
      expect(c.verdict.accepted).toBe(false);
      expect(c.verdict.kind).not.toBe('correctness');
    }
    expect(k.candidates.some((c) => c.verdict.kind === 'incomplete')).toBe(true);
    expect(k.skippedChecks?.join('\n')).toMatch(/sanitize-memory skipped: memory sanitizers unavailable: .*cannot find -lasan.*install the compiler's sanitizer runtimes/);
    expect(manifests(p.cacheDir)).toEqual([]);
  });

  it('with AUTOPAR_ALLOW_UNVERIFIED=memory and no sanitizer runtimes, the variant is linked and says the memory check was skipped', async () => {
    p = makeProject();
    const cc = gccWithoutAsan(p.root);
    const opts = buildOptions(p, { cc, proposer: 'analyzer', policy: { ...buildOptions(p).policy, sanitizers: { memory: true, race: false } } });
    const report = await withEnv({ AUTOPAR_ALLOW_UNVERIFIED: 'memory', AUTOPAR_SANDBOX: 'off' }, () => buildProject(opts));
    const k = report.kernels[0]!;
    expect(k.outcome).toBe('generated');
    const linked = k.candidates.find((c) => c.label === k.chosen?.label)!;
    expect(linked.verdict.reason).toMatch(/NOT checked: sanitize-memory \(allowed by AUTOPAR_ALLOW_UNVERIFIED\)/);
  });

  it('AUTOPAR_SANDBOX=off: the progress line, the report and the key say so', async () => {
    p = makeProject();
    const opts = buildOptions(p, { proposer: 'analyzer' });
    const on = await buildProject(opts);
    const offOpts = buildOptions(p, { proposer: 'analyzer' });
    const off = await withEnv({ AUTOPAR_SANDBOX: 'off' }, () => buildProject(offOpts));
    expect(on.verification.sandbox).toBe('bubblewrap');
    expect(off.verification.sandbox).toBe('off');
    expect(off.verification.note).toMatch(/sandbox OFF \(AUTOPAR_SANDBOX=off\)/);
    expect(off.kernels[0]!.key).not.toBe(on.kernels[0]!.key);
    // Not served the sandboxed build's verdict: verified again, and each verdict records the sandbox state.
    expect(off.kernels[0]!.outcome).not.toBe('cache-hit');
    for (const c of off.kernels[0]!.candidates) expect(c.verdict.conditions?.sandbox).toMatch(/^off/);
    expect(opts.lines.some((l) => l.includes('sandbox OFF'))).toBe(false);
    expect(offOpts.lines.find((l) => /^autopar: scale: (generated|original|cache-hit) /.test(l))).toMatch(/\[.*sandbox OFF \(AUTOPAR_SANDBOX=off\)/);
  });
});

describe('inconclusive speed is re-measured', () => {
  it('a pending manifest is re-measured by the next build and then stored as final', async () => {
    p = makeProject();
    const opts = buildOptions(p, { proposer: 'analyzer' });
    const first = await buildProject(opts);
    expect(first.kernels[0]!.outcome).toBe('generated');
    // Make the stored decision inconclusive, as a loaded machine would have left it.
    const [file] = manifests(p.cacheDir);
    const decoded = decodeManifest(readFileSync(file!));
    if (!('manifest' in decoded)) throw new Error(decoded.error);
    const m = decoded.manifest;
    for (const c of m.candidates) if (c.verdict.speedup) c.verdict.speedup.ci = { level: 0.95, low: 1e-12, high: 10 };
    // The verified candidates' correctness stages must survive the re-measurement untouched.
    const correctness = (cs: typeof m.candidates) => JSON.stringify(cs.filter((c) => c.verdict.accepted).map((c) => [c.label, c.verdict.stages.filter((s) => s.stage !== 'benchmark')]));
    const stages = correctness(m.candidates);
    expect(m.candidates.some((c) => c.verdict.accepted)).toBe(true);
    await new FsStore(p.cacheDir).putManifest({ ...m, chosen: null, chosenLabel: null, speedDecision: 'pending', speedMeasurements: 1 });

    const offline = await buildProject({ ...opts, offline: true });
    expect(offline.kernels[0]).toMatchObject({ outcome: 'cache-hit', speedPending: true });
    expect(offline.kernels[0]!.reason).toMatch(/speed inconclusive, original kept for now/);

    const second = await buildProject(opts);
    const k = second.kernels[0]!;
    expect(k.remeasured).toBe(true);
    expect(k.outcome).toBe('generated'); // threshold 1e-9: any real measurement decides
    expect(k.reason).toMatch(/^re-measured: /);
    const again = decodeManifest(readFileSync(file!));
    if (!('manifest' in again)) throw new Error(again.error);
    expect(again.manifest).toMatchObject({ speedDecision: 'final', speedMeasurements: 2 });
    // The correctness verdicts were kept, not re-run.
    expect(correctness(again.manifest.candidates.filter((c) => m.candidates.find((o) => o.label === c.label)?.verdict.accepted))).toBe(stages);

    const third = await buildProject(opts);
    expect(third.kernels[0]).toMatchObject({ outcome: 'cache-hit' });
    expect(third.kernels[0]!.remeasured).toBeUndefined();
  });
});

describe('sources and languages', () => {
  it('expands the default `src/*.c`', async () => {
    p = makeProject();
    const opts = buildOptions(p, { sources: ['src/*.c'] });
    const report = await buildProject(opts);
    expect(report.kernels[0]!.kernel).toBe('scale');
    // Both files came from the pattern: the kernel's source is among the target's sources.
    expect(opts.lines.some((l) => l.includes('is not among the target\'s sources'))).toBe(false);
    expect(report.artifact).toBe(join(p.out(), 'demo'));
  });

  it('a pattern that matches nothing is an error naming the option and the pattern', async () => {
    p = makeProject();
    const err = await buildProject(buildOptions(p, { sources: ['src/*.cpp'] })).catch((e: Error) => e);
    expect((err as Error).message).toBe(`option "sources": the pattern "src/*.cpp" matches no file in ${p.projectRoot}; fix the pattern or list the C files of the target`);
  });

  it('a CUDA kernel keeps its original with a clear reason instead of a crash', async () => {
    p = makeProject();
    writeFileSync(join(p.projectRoot, 'src/kern.cu'), readFileSync(join(p.projectRoot, 'src/kern.c'), 'utf8').replace('#include <math.h>', '#include <math.h>\n__global__ void unused_cuda(void) {}'));
    const spec = JSON.parse(readFileSync(join(p.projectRoot, 'autopar.spec.json'), 'utf8'));
    spec.kernels[0].source = 'src/kern.cu';
    writeFileSync(join(p.projectRoot, 'autopar.spec.json'), JSON.stringify(spec));
    const opts = buildOptions(p, { proposer: 'analyzer', sources: ['src/kern.c', 'src/main.c'] });
    const report = await buildProject(opts);
    expect(report.kernels[0]).toMatchObject({ outcome: 'original', reason: 'CUDA kernels are not verified yet; the original is kept', candidates: [] });
    expect(manifests(p.cacheDir)).toEqual([]);
  });
});

describe('`autopar verify` says what did not run', () => {
  it('race detector missing: exit 1, NOT VERIFIED, the skipped stage named; with the opt-out: exit 0 and the report says so', async () => {
    p = makeProject();
    const cand = join(p.root, 'cand.c');
    writeFileSync(cand, GOOD_VARIANT);
    const args = ['verify', p.projectRoot, '--kernel', 'scale', '--candidate', cand];
    const missing = await cli(args, { AUTOPAR_RACE_CC: 'clang-autopar-missing', AUTOPAR_VERIFY_SKIP_BENCH: '1' });
    expect(missing.code).toBe(1);
    expect(missing.stdout).toMatch(/^SKIP  sanitize-race +race detection skipped: clang-autopar-missing not found/m);
    expect(missing.stdout).toMatch(/^NOT VERIFIED at sanitize-race: not verified: sanitize-race did not run/m);

    const allowed = await cli(args, { AUTOPAR_RACE_CC: 'clang-autopar-missing', AUTOPAR_ALLOW_UNVERIFIED: 'race', AUTOPAR_VERIFY_SKIP_BENCH: '1', AUTOPAR_SANDBOX: 'off' });
    expect(allowed.code).toBe(0);
    expect(allowed.stdout).toMatch(/^NOTE  sanitize-race did not run \(.*\): allowed/m);
    expect(allowed.stdout).toMatch(/^NOTE  sandbox: off \(AUTOPAR_SANDBOX=off\)/m);
    expect(allowed.stdout).toMatch(/^ACCEPTED at benchmark: verified; NOT checked: sanitize-race \(allowed by AUTOPAR_ALLOW_UNVERIFIED\); bench-size outputs match; timing skipped/m);
  });

  it('an unknown name in AUTOPAR_ALLOW_UNVERIFIED is a usage error (exit 2) naming the variable', async () => {
    p = makeProject();
    const cand = join(p.root, 'cand.c');
    writeFileSync(cand, GOOD_VARIANT);
    const r = await cli(['verify', p.projectRoot, '--kernel', 'scale', '--candidate', cand], { AUTOPAR_ALLOW_UNVERIFIED: 'all' });
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toMatch(/^autopar: AUTOPAR_ALLOW_UNVERIFIED: unknown check "all"/);
  });
});
