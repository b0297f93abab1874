// The cache key of a kernel's verified variants: sha256 over the canonical JSON of
// everything that can change which variant is proposed, whether it passes
// verification, or how it is compiled. See KEY.md.
import { createHash } from 'node:crypto';
import type { ProposerIdentity } from '../propose/types.js';
import type { KernelSpec } from '../spec/types.js';
import type { ToolchainFingerprint } from '../toolchain/fingerprint.js';
import type { VerifyPolicy } from '../verify/types.js';
import type { ClosureItem, KernelUnit } from './types.js';

export const KEY_SCHEMA = 'autopar-key-v1';

/** The kernel as the key sees it: tokens, not bytes or positions. */
export interface KernelKeyPart {
  /** The function's name: variants are written for one name and one call site. */
  name: string;
  /** 'c' or 'cuda': the same tokens mean different programs to different compilers. */
  language: 'c' | 'cuda';
  /** Normalized signature text: candidates must keep it, and the harness calls through it. */
  signature: string;
  /** Normalized token text of the definition: any token edit is a new kernel; comments and layout are not. */
  normalizedText: string;
  /** What the kernel uses from its TU (includes, macros, types, callees, globals), normalized: an edit there changes behaviour. */
  closure: Array<Pick<ClosureItem, 'kind' | 'name' | 'text'>>;
}

/** What the variant is built for. */
export interface TargetKeyPart {
  /** Compile flags in order (-O, -D, -march...): they change both code generation and the meaning of macros. */
  cflags: string[];
  /** Link flags: the OpenMP/CUDA runtime a variant runs against. */
  ldflags: string[];
  /** Target kind, e.g. 'cpu' or 'cuda': which variants may be proposed at all. */
  kind: string;
  /** Minimum speedup to accept a variant, when the target sets one: it changes which variant is chosen. */
  threshold?: number;
}

export interface KeyInputs {
  /** Salt and format version ('autopar-key-v1'): bumping it invalidates every entry when key semantics change. */
  schema: string;
  /** The kernel's tokens and closure (not its byte range or raw text): comment and whitespace edits keep the key. */
  kernel: KernelKeyPart;
  /** The kernel's contract (arguments, sizes, tolerances, generators): it decides what verification accepts. */
  spec: KernelSpec;
  /** Flags and target kind the variant is compiled and linked with. */
  target: TargetKeyPart;
  /** Compiler identity (content hash, version, machine, expanded -march, OpenMP version): a new compiler can break or slow a variant. */
  toolchain: ToolchainFingerprint;
  /** Who proposes (kind, model digest, strategy, template version, sampling options), without the host: another model gives other variants. */
  proposer: Omit<ProposerIdentity, 'host'>;
  /**
   * Verification settings (thread counts, sanitizers, benchmark pairs, timeouts) and, from
   * the build, `impliedPlanCheck` and `conditions` (sandbox, race detector, allowed-unverified
   * checks): a stricter policy, or a machine that can check more, must re-verify.
   */
  verifyPolicy: VerifyPolicy & { impliedPlanCheck?: boolean; conditions?: { sandbox: string; raceDetector: string; allowUnverified: string[]; memoryLimit?: number } };
  /** autopar's own version: harness generation, splicing and gates live in this code. */
  autoparVersion: string;
}

/** The documentation of each key field, in key order, for `autopar explain-key`. */
const FIELD_DOCS: Array<[keyof KeyInputs, string]> = [
  ['schema', "Salt and format version ('autopar-key-v1'); bumping it invalidates every entry when key semantics change."],
  ['kernel', 'Name, language, normalized signature, normalized token text and closure (includes, macros, types, callees, globals) of the kernel. Not its byte range or raw text: comment and whitespace edits keep the key; any token edit in the kernel or in what it uses changes it.'],
  ['spec', 'The kernel contract (arguments, sizes, tolerances, generators): it decides what verification accepts.'],
  ['target', 'cflags and ldflags in order, target kind and speedup threshold: they change code generation and which variant is chosen.'],
  ['toolchain', 'Compiler fingerprint: resolved path, sha256 of the binary, --version, -dumpmachine, flags with -march=native expanded, OpenMP version.'],
  ['proposer', 'Proposer identity without the host: kind, model, model digest, strategy, prompt-template version, sampling options, proposer version.'],
  ['verifyPolicy', 'Verification policy: thread counts, seeds, edge sizes, sanitizers, benchmark pairs, limits and warm-ups, timeouts; whether implied plans are checked; and the conditions: sandbox (bubblewrap / off / unavailable), race detector (present / missing) the checks the user allowed to go unverified (AUTOPAR_ALLOW_UNVERIFIED) and the sandbox memory cap when AUTOPAR_MEMORY_LIMIT sets it (a spec memoryLimit is keyed with the spec). A verdict made with less checking is never served to a build that has more.'],
  ['autoparVersion', "autopar's own version: harness generation, splicing and the static gate live in its code."],
];

/** One line per key field: its name and why it is in the key. */
export function describeKeyFields(): string {
  return FIELD_DOCS.map(([field, doc]) => `${field}: ${doc}`).join('\n');
}

/** The kernel part of the key for an extracted unit (drops range and raw source on purpose). */
export function kernelKeyPart(unit: KernelUnit): KernelKeyPart {
  return {
    name: unit.name,
    language: unit.language,
    signature: unit.signature.text,
    normalizedText: unit.normalizedText,
    closure: unit.closure.map(({ kind, name, text }) => ({ kind, name, text })),
  };
}

/** The proposer part of the key: the identity without `host` and without absent fields. */
export function proposerKeyPart(identity: ProposerIdentity): Omit<ProposerIdentity, 'host'> {
  const { host: _host, ...rest } = identity;
  return Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined)) as Omit<ProposerIdentity, 'host'>;
}

/** sha256 hex of the canonical JSON of the inputs; the inputs come back to be stored with the entry. */
export function computeKey(inputs: KeyInputs): { key: string; inputs: KeyInputs } {
  const json = canonicalJson(inputs);
  canonicalOfInputs.set(inputs, json);
  const key = createHash('sha256').update(json, 'utf8').digest('hex');
  return { key, inputs };
}

// The canonical JSON computeKey made for an inputs object, kept so that a store lookup with
// the same object compares it with the recorded bytes instead of encoding it a second time.
// Weak: it lives as long as the inputs object does.
const canonicalOfInputs = new WeakMap<object, string>();

/** canonicalJson(inputs), reusing what computeKey produced for this same object. */
export function keyInputsJson(inputs: unknown): string {
  if (typeof inputs === 'object' && inputs !== null) {
    const known = canonicalOfInputs.get(inputs);
    if (known !== undefined) return known;
  }
  return canonicalJson(inputs);
}

/**
 * JSON with object keys sorted (by UTF-16 code unit order), no whitespace, and numbers
 * as JavaScript prints them (shortest round-trip form, so stable across runs).
 * Throws on anything JSON would silently drop or distort: undefined, functions,
 * symbols, bigints, NaN/Infinity, non-plain objects (Date, Map, class instances) and cycles.
 */
export function canonicalJson(value: unknown): string {
  // Every build encodes every kernel's inputs (a no-change build is mostly this), so the
  // common case takes a lean path; anything it cannot encode is encoded again by the
  // careful path, which names where in the value the problem is.
  const fast = encodeLean(value, 0);
  return fast ?? encode(value, [], new Set());
}

// Deeper than any key input: a cycle (or absurd nesting) leaves the lean path.
const LEAN_MAX_DEPTH = 64;

/** canonicalJson without path bookkeeping; undefined where the careful path must decide. */
function encodeLean(value: unknown, depth: number): string | undefined {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      return Number.isFinite(value) ? String(value) : undefined; // String(-0) is "0", as in JSON
    case 'object': {
      if (value === null) return 'null';
      if (depth > LEAN_MAX_DEPTH) return undefined;
      let out: string;
      if (Array.isArray(value)) {
        out = '[';
        for (let i = 0; i < value.length; i++) {
          const item = encodeLean(value[i], depth + 1);
          if (item === undefined) return undefined;
          out += i ? ',' + item : item;
        }
        return out + ']';
      }
      const proto = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) return undefined;
      const record = value as Record<string, unknown>;
      const keys = Object.keys(record).sort();
      out = '{';
      for (let i = 0; i < keys.length; i++) {
        const k = keys[i]!;
        const item = encodeLean(record[k], depth + 1);
        if (item === undefined) return undefined;
        out += (i ? ',' : '') + JSON.stringify(k) + ':' + item;
      }
      return out + '}';
    }
    default:
      return undefined;
  }
}

// `at` is the path to `value` as segments, turned into text only for an error message: a key is
// computed for every kernel of every build, so the hot path builds no path strings.
type PathSegments = Array<string | number>;

function pathText(at: PathSegments): string {
  return '$' + at.map((s) => (typeof s === 'number' ? `[${s}]` : `.${s}`)).join('');
}

function encode(value: unknown, at: PathSegments, ancestors: Set<object>): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`canonicalJson: ${pathText(at)} is ${value}, which JSON cannot represent`);
      return JSON.stringify(value); // -0 prints as 0
    case 'object':
      return encodeObject(value, at, ancestors);
    default:
      throw new TypeError(`canonicalJson: ${pathText(at)} is ${typeof value}; key inputs must be plain JSON data (omit absent fields instead of setting them to undefined)`);
  }
}

function encodeObject(value: object, at: PathSegments, ancestors: Set<object>): string {
  if (ancestors.has(value)) throw new TypeError(`canonicalJson: ${pathText(at)} refers back to itself`);
  ancestors.add(value);
  try {
    if (Array.isArray(value)) {
      let out = '[';
      for (let i = 0; i < value.length; i++) {
        at.push(i);
        out += (i ? ',' : '') + encode(value[i], at, ancestors);
        at.pop();
      }
      return out + ']';
    }
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) {
      throw new TypeError(`canonicalJson: ${pathText(at)} is a ${value.constructor?.name ?? 'non-plain object'}, not a plain object`);
    }
    const record = value as Record<string, unknown>;
    let out = '{';
    let first = true;
    for (const k of Object.keys(record).sort()) {
      at.push(k);
      out += (first ? '' : ',') + JSON.stringify(k) + ':' + encode(record[k], at, ancestors);
      at.pop();
      first = false;
    }
    return out + '}';
  } finally {
    ancestors.delete(value);
  }
}
