// What a machine can check is part of the key: a verdict made with less checking (no
// race detector, sandbox off, a check allowed to be skipped) is never served to a build
// that has more. These tests compute the key the way buildProject does.
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { computeKey, type KeyInputs } from '../kernel/key.js';
import { verifyPolicyKeyPart } from '../pipeline/build.js';
import { FsStore } from '../store/fs-store.js';
import type { Manifest } from '../store/types.js';
import { AllowUnverifiedError, parseAllowUnverified, quickConditionsKeyPart } from './conditions.js';
import { resolvePolicy } from './policy.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const policy = resolvePolicy(undefined);
// A machine with a "race detector": any existing files stand in for clang and Archer, so the
// test holds on machines without them.
const baseEnv = { PATH: process.env.PATH, AUTOPAR_RACE_CC: process.execPath, AUTOPAR_ARCHER_LIB: process.execPath } as NodeJS.ProcessEnv;

/** Key inputs of one fixed kernel, varying only the environment the build runs in. */
function keyFor(env: NodeJS.ProcessEnv) {
  const inputs = {
    schema: 'autopar-key-v1',
    kernel: { name: 'k', language: 'c', signature: 'void k(void)', normalizedText: 'void k ( void ) { }', closure: [] },
    spec: { name: 'k' },
    target: { cflags: ['-O3'], ldflags: [], kind: 'executable' },
    toolchain: { cc: 'gcc' },
    proposer: { kind: 'analyzer' },
    verifyPolicy: verifyPolicyKeyPart(policy, true, quickConditionsKeyPart(policy, env)),
    autoparVersion: '0.0.0-test',
  } as unknown as KeyInputs;
  return computeKey(inputs);
}

describe('AUTOPAR_ALLOW_UNVERIFIED', () => {
  it('takes race / memory and the stage names, sorted and once each', () => {
    expect(parseAllowUnverified('race')).toEqual(['sanitize-race']);
    expect(parseAllowUnverified(' memory, race ,sanitize-race')).toEqual(['sanitize-memory', 'sanitize-race']);
    expect(parseAllowUnverified('')).toEqual([]);
    expect(parseAllowUnverified(undefined)).toEqual([]);
  });
  it('refuses an unknown name, saying which names it takes', () => {
    expect(() => parseAllowUnverified('race,differential')).toThrow(AllowUnverifiedError);
    expect(() => parseAllowUnverified('everything')).toThrow(/AUTOPAR_ALLOW_UNVERIFIED: unknown check "everything"; use a comma-separated list of race, memory/);
  });
});

describe('verification conditions in the key', () => {
  it('sees the sandbox switched off and the race detector missing without running anything', () => {
    expect(quickConditionsKeyPart(policy, baseEnv).raceDetector).toBe('present');
    expect(quickConditionsKeyPart(policy, { ...baseEnv, AUTOPAR_SANDBOX: 'off' }).sandbox).toBe('off');
    expect(quickConditionsKeyPart(policy, { ...baseEnv, AUTOPAR_RACE_CC: 'clang-autopar-missing' }).raceDetector).toBe('missing');
    expect(quickConditionsKeyPart(policy, { ...baseEnv, AUTOPAR_ARCHER_LIB: '/nonexistent/libarcher.so' }).raceDetector).toBe('missing');
    expect(quickConditionsKeyPart({ ...policy, sanitizers: { memory: true, race: false } }, baseEnv).raceDetector).toBe('not');
    expect(quickConditionsKeyPart(policy, { ...baseEnv, AUTOPAR_ALLOW_UNVERIFIED: 'race' }).allowUnverified).toEqual(['sanitize-race']);
  });

  it('sandbox off, detector missing and an opt-out each change the key', () => {
    const full = keyFor(baseEnv).key;
    const variants = [
      { AUTOPAR_SANDBOX: 'off' },
      { AUTOPAR_RACE_CC: 'clang-autopar-missing' },
      { AUTOPAR_ALLOW_UNVERIFIED: 'race' },
      { AUTOPAR_RACE_CC: 'clang-autopar-missing', AUTOPAR_ALLOW_UNVERIFIED: 'race' },
    ].map((extra) => keyFor({ ...baseEnv, ...extra }).key);
    for (const k of variants) expect(k).not.toBe(full);
    expect(new Set(variants).size).toBe(variants.length);
    // Stable on one machine: the same environment gives the same key.
    expect(keyFor(baseEnv).key).toBe(full);
  });

  it('a verdict stored with less checking is not served to a build with more', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'autopar-conditions-'));
    dirs.push(dir);
    const store = new FsStore(dir);
    // A machine without the race detector, whose user allowed that, stored an accepted variant.
    const weak = keyFor({ ...baseEnv, AUTOPAR_RACE_CC: 'clang-autopar-missing', AUTOPAR_ALLOW_UNVERIFIED: 'race' });
    const digest = await store.putBlob('void k(void) { }\n');
    const m: Manifest = {
      schema: 'autopar-manifest-v1',
      key: weak.key,
      keyInputs: weak.inputs,
      kernel: 'k',
      createdAt: new Date().toISOString(),
      candidates: [
        {
          label: 'v',
          proposer: { kind: 'analyzer' },
          sourceDigest: digest,
          verdict: { accepted: true, kind: 'speed', stage: 'benchmark', reason: 'verified; NOT checked: sanitize-race (allowed by AUTOPAR_ALLOW_UNVERIFIED)', stages: [] },
        },
      ],
      chosen: digest,
      chosenLabel: 'v',
    };
    await store.putManifest(m);
    expect(await store.getManifest(weak.key, weak.inputs)).not.toBeNull();
    // A machine with the detector, and one with the sandbox off, look elsewhere: a miss, so they verify.
    const strong = keyFor(baseEnv);
    expect(strong.key).not.toBe(weak.key);
    expect(await store.getManifest(strong.key, strong.inputs)).toBeNull();
    const noSandbox = keyFor({ ...baseEnv, AUTOPAR_SANDBOX: 'off' });
    expect(await store.getManifest(noSandbox.key, noSandbox.inputs)).toBeNull();
  });
});
