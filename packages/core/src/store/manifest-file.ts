// The bytes of a manifest file, the same on the local disk and on a remote (`ac/<key>`):
//
//   autopar-ac-v2 <sha256 of body> <body length>\n
//   <canonical JSON of the key inputs>\n
//   <JSON of the rest of the manifest>
//
// The header's length catches truncation before hashing; the hash catches everything else.
// The key inputs are most of a manifest's bytes, and a lookup only needs to know that they
// equal the request's: written first and canonical, they are compared as bytes with the
// request's canonical JSON (which computing the key produced anyway), never parsed or
// re-encoded on the lookup path. Files of the first format (`autopar-ac-v1`: the whole
// manifest as one JSON body) are still read.
import { hash } from 'node:crypto';
import { canonicalJson, keyInputsJson } from '../kernel/key.js';
import type { Manifest } from './types.js';

const MAGIC_V1 = 'autopar-ac-v1';
const MAGIC = 'autopar-ac-v2';

export function sha256Hex(data: string | Buffer): string {
  return hash('sha256', data, 'hex'); // one call, no Hash object: lookups hash two small files each
}

export function encodeManifest(m: Manifest): Buffer {
  const { keyInputs, ...rest } = m;
  const body = Buffer.from(`${canonicalJson(keyInputs)}\n${JSON.stringify(rest)}`, 'utf8');
  const header = Buffer.from(`${MAGIC} ${sha256Hex(body)} ${body.length}\n`, 'utf8');
  return Buffer.concat([header, body]);
}

/** A checked file, split: the canonical key-input JSON and the rest of the manifest, still as text. */
export interface SplitManifest {
  keyInputsJson: string;
  /** JSON of the manifest without `keyInputs`. */
  restJson: string;
}

function splitManifest(file: Buffer): SplitManifest | { error: string } {
  if (file.length === 0) return { error: 'empty file' };
  const nl = file.indexOf(0x0a);
  if (nl < 0 || nl > 200) return { error: 'no header line' };
  const parts = file.subarray(0, nl).toString('utf8').split(' ');
  if (parts.length !== 3 || (parts[0] !== MAGIC && parts[0] !== MAGIC_V1)) return { error: 'bad header' };
  const [magic, digest, lengthText] = parts as [string, string, string];
  const body = file.subarray(nl + 1);
  if (String(body.length) !== lengthText) {
    return { error: `body is ${body.length} bytes, header says ${lengthText} (truncated?)` };
  }
  if (sha256Hex(body) !== digest) return { error: 'checksum mismatch' };
  if (magic === MAGIC_V1) {
    // The key inputs sit inside the one JSON body: split them out as v2 keeps them.
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch {
      return { error: 'body is not JSON' };
    }
    if (typeof parsed !== 'object' || parsed === null || !('keyInputs' in parsed)) return { error: 'body is not an autopar-manifest-v1' };
    const { keyInputs, ...rest } = parsed as { keyInputs: unknown };
    try {
      return { keyInputsJson: canonicalJson(keyInputs), restJson: JSON.stringify(rest) };
    } catch {
      return { error: 'key inputs are not plain JSON' };
    }
  }
  const split = body.indexOf(0x0a);
  if (split < 0) return { error: 'no line between key inputs and manifest' };
  return { keyInputsJson: body.subarray(0, split).toString('utf8'), restJson: body.subarray(split + 1).toString('utf8') };
}

/** Parses the rest of a manifest and puts `keyInputs` on it. */
function assemble(s: SplitManifest, keyInputs: () => unknown): { manifest: Manifest } | { error: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(s.restJson);
  } catch {
    return { error: 'body is not JSON' };
  }
  if (typeof parsed !== 'object' || parsed === null) return { error: 'body is not an autopar-manifest-v1' };
  try {
    (parsed as { keyInputs?: unknown }).keyInputs = keyInputs();
  } catch {
    return { error: 'key inputs are not JSON' };
  }
  if (!isManifest(parsed)) return { error: 'body is not an autopar-manifest-v1' };
  return { manifest: parsed };
}

/** Parses and checks a whole manifest file; returns the reason when it does not check out. */
export function decodeManifest(file: Buffer): { manifest: Manifest } | { error: string } {
  const s = splitManifest(file);
  if ('error' in s) return s;
  return assemble(s, () => JSON.parse(s.keyInputsJson));
}

/** What a lookup learns from a manifest file: the manifest, corruption, or other key inputs. */
export type ManifestMatch = { manifest: Manifest; split: SplitManifest } | { error: string } | { otherInputs: true };

/**
 * Checks a manifest file against a lookup of `key` for `expectedKeyInputs`. On a match the
 * manifest's `keyInputs` is the request's own object (equal, as canonical JSON, to what was
 * recorded), so the recorded inputs are never parsed on the lookup path.
 */
export function matchManifest(file: Buffer, key: string, expectedKeyInputs: unknown): ManifestMatch {
  const s = splitManifest(file);
  if ('error' in s) return s;
  return matchSplit(s, key, expectedKeyInputs);
}

/** matchManifest for text already split and checked (the store's in-memory layer). */
export function matchSplit(s: SplitManifest, key: string, expectedKeyInputs: unknown): ManifestMatch {
  const decoded = assemble(s, () => expectedKeyInputs);
  if ('error' in decoded) return decoded;
  if (decoded.manifest.key !== key) return { error: `records key ${decoded.manifest.key}` };
  if (s.keyInputsJson !== keyInputsJson(expectedKeyInputs)) return { otherInputs: true };
  return { manifest: decoded.manifest, split: s };
}

function isManifest(v: unknown): v is Manifest {
  if (typeof v !== 'object' || v === null) return false;
  const m = v as Partial<Manifest>;
  return (
    m.schema === 'autopar-manifest-v1' &&
    typeof m.key === 'string' &&
    'keyInputs' in m &&
    Array.isArray(m.candidates) &&
    m.candidates.every((c) => typeof c === 'object' && c !== null && typeof c.sourceDigest === 'string') &&
    (m.chosen === null || typeof m.chosen === 'string')
  );
}

/** Digests a manifest depends on: the chosen variant and every candidate's source. */
export function manifestBlobs(m: Manifest): string[] {
  const digests = new Set(m.candidates.map((c) => c.sourceDigest));
  if (m.chosen !== null) digests.add(m.chosen);
  return [...digests];
}
