// The manifest file format: what a lookup compares, and that files of the first format
// (autopar-ac-v1) are still read.
import { describe, expect, it } from 'vitest';
import { canonicalJson, computeKey } from '../kernel/key.js';
import { decodeManifest, encodeManifest, matchManifest, sha256Hex } from './manifest-file.js';
import type { Manifest } from './types.js';

function manifestFor(keyInputs: Record<string, unknown>): Manifest {
  const { key } = computeKey(keyInputs as never);
  return {
    schema: 'autopar-manifest-v1',
    key,
    keyInputs,
    kernel: 'saxpy',
    createdAt: '2026-11-30T00:00:00.000Z',
    candidates: [{ label: 'analyzer#1', proposer: { kind: 'analyzer' }, sourceDigest: 'a'.repeat(64), verdict: { accepted: true, stage: 'benchmark', reason: 'verified', stages: [] } }],
    chosen: 'a'.repeat(64),
    chosenLabel: 'analyzer#1',
  } as unknown as Manifest;
}

describe('manifest file', () => {
  it('writes the key inputs first, as canonical JSON on a line of their own', () => {
    const m = manifestFor({ schema: 'test', b: [2, 1], a: { z: 1, y: 'é' } });
    const text = encodeManifest(m).toString('utf8');
    const [header, inputs, rest] = text.split('\n');
    expect(header).toMatch(/^autopar-ac-v2 [0-9a-f]{64} \d+$/);
    expect(inputs).toBe(canonicalJson(m.keyInputs));
    expect(JSON.parse(rest!)).not.toHaveProperty('keyInputs');
    expect(decodeManifest(encodeManifest(m))).toEqual({ manifest: m });
  });

  it('a lookup matches on equal key inputs, whatever their member order', () => {
    const m = manifestFor({ schema: 'test', b: [2, 1], a: { z: 1, y: 2 } });
    const reordered = { a: { y: 2, z: 1 }, b: [2, 1], schema: 'test' };
    const r = matchManifest(encodeManifest(m), m.key, reordered);
    expect('manifest' in r && r.manifest.chosen).toBe('a'.repeat(64));
  });

  it('other key inputs (array order matters) are not a match, and not corruption', () => {
    const m = manifestFor({ schema: 'test', b: [2, 1] });
    expect(matchManifest(encodeManifest(m), m.key, { schema: 'test', b: [1, 2] })).toEqual({ otherInputs: true });
  });

  it('a manifest that records another key is corruption', () => {
    const m = manifestFor({ schema: 'test' });
    expect(matchManifest(encodeManifest(m), 'b'.repeat(64), m.keyInputs)).toEqual({ error: `records key ${m.key}` });
  });

  it('a file of the first format (one JSON body) is still read and matched', () => {
    const m = manifestFor({ schema: 'test', n: 3 });
    const body = JSON.stringify(m);
    const v1 = Buffer.from(`autopar-ac-v1 ${sha256Hex(body)} ${Buffer.byteLength(body)}\n${body}`);
    expect(decodeManifest(v1)).toEqual({ manifest: m });
    const r = matchManifest(v1, m.key, { n: 3, schema: 'test' });
    expect('manifest' in r).toBe(true);
  });

  it('a v2 body without the line between inputs and manifest is corruption, named', () => {
    const body = '{"schema":"test"}';
    const f = Buffer.from(`autopar-ac-v2 ${sha256Hex(body)} ${body.length}\n${body}`);
    expect(decodeManifest(f)).toEqual({ error: 'no line between key inputs and manifest' });
  });
});
