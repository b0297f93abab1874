// Few-shot examples from the local store: kernels this store already parallelized and
// verified, as worked examples for the few-shot strategy (strategy/examples.ts picks the
// nearest; its bundled examples are the fallback).
//
// An entry qualifies when its manifest chose a variant whose own verdict is accepted,
// that variant is new source text (not a compile recipe: its text is the original's),
// and its proposer is not a scripted test server (canned answers teach nothing). The
// original is the kernel's token-normalized text from the key inputs (one line: the key
// keeps tokens, not layout); the answer is the chosen text from cas/.
//
// Best effort and bounded: at most `limit` manifests are read, newest first; a manifest
// or blob that is missing, unreadable or does not check out is skipped without a word.
// Reads have the store's usual side effects only for blobs (FsStore.getBlob: a damaged
// blob is quarantined, a used one has its LRU clock refreshed).
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import type { ProposerIdentity } from '../propose/types.js';
import { decodeManifest, FsStore } from '../store/fs-store.js';
import type { CandidateRecord, Manifest } from '../store/types.js';
import type { Verdict } from '../verify/types.js';
import { BUNDLED_EXAMPLES, nearestExamples, type FewShotExample } from '../strategy/examples.js';
import type { ShownExample } from '../strategy/few-shot.js';
import type { KernelUnit } from '../kernel/types.js';
import { kernelFeatures, type KernelFeatures } from '../strategy/kernel-features.js';

export const DEFAULT_MANIFEST_LIMIT = 200;

const HEX64 = /^[0-9a-f]{64}$/;

export interface StoreExampleOptions {
  /** normalizedText of the kernel being asked about: its own entry is never an example for it. */
  exclude?: string;
  /** At most this many manifests are read, newest first by mtime (default 200). */
  limit?: number;
}

/** A proposer that is, or includes, a scripted test server. */
function isScripted(p: ProposerIdentity | undefined): boolean {
  return p !== undefined && (p.scripted === true || (p.members ?? []).some(isScripted));
}

function normalizedTextOf(keyInputs: unknown): string | null {
  const kernel = (keyInputs as { kernel?: { normalizedText?: unknown } } | null)?.kernel;
  const text = kernel?.normalizedText;
  return typeof text === 'string' && text.trim() !== '' ? text : null;
}

/** The candidate record of the chosen variant (by digest and label; by digest alone for older records). */
function chosenRecord(m: Manifest): CandidateRecord | undefined {
  return m.candidates.find((c) => c.sourceDigest === m.chosen && c.label === m.chosenLabel) ?? m.candidates.find((c) => c.sourceDigest === m.chosen);
}

const GRAMMAR_TRANSFORMS = new Set(['restrict-params', 'interchange', 'tile', 'hoist-parallel-region', 'distribute', 'scalar-replace']);
const GRAMMAR_TILE_SIZES = new Set([16, 32, 64, 128]);
const GRAMMAR_SCHEDULES = new Set(['static', 'dynamic', 'guided']);
const ACTIONS = new Set(['parallel-for', 'simd', 'parallel-for-simd', 'none']);

const stringList = (x: unknown): x is string[] => Array.isArray(x) && x.every((s) => typeof s === 'string');
const nonEmpty = (x: unknown) => x !== undefined && !(Array.isArray(x) && x.length === 0);

/**
 * A stored plan ({version, kernel, loops: [{loop, action, private?, reduction?: [{op, vars}],
 * collapse?, schedule?: {kind}}], transforms?}) in the grammar form the plan prompt asks for:
 * {"loops": [{"loop", "action", "private": [], "reduction": [{"op", "var"}], "collapse": 1,
 * "schedule": "default"}], "transforms": []}. Undefined when it is not a plan or uses what
 * the grammar form cannot say (firstprivate, lastprivate, atomic, select, ifThreshold,
 * schedule chunks, ':point' ids, other tile sizes): an example must be answerable in the form it shows.
 */
export function grammarPlanOf(plan: unknown): unknown {
  if (!plan || typeof plan !== 'object' || Array.isArray(plan)) return undefined;
  const p = plan as { loops?: unknown; transforms?: unknown };
  if (!Array.isArray(p.loops)) return undefined;
  const loops: object[] = [];
  for (const raw of p.loops) {
    if (!raw || typeof raw !== 'object') return undefined;
    const l = raw as Record<string, unknown>;
    if (typeof l.loop !== 'string' || !/^L\d+(\.\d+)*$/.test(l.loop) || typeof l.action !== 'string' || !ACTIONS.has(l.action)) return undefined;
    if (['firstprivate', 'lastprivate', 'atomic', 'select', 'ifThreshold'].some((k) => nonEmpty(l[k]))) return undefined;
    const priv = l.private ?? [];
    if (!stringList(priv)) return undefined;
    const reduction: Array<{ op: string; var: string }> = [];
    for (const r of (l.reduction ?? []) as unknown[]) {
      const { op, vars } = (r ?? {}) as { op?: unknown; vars?: unknown };
      if (typeof op !== 'string' || !stringList(vars)) return undefined;
      for (const v of vars) reduction.push({ op, var: v });
    }
    if (!Array.isArray(l.reduction ?? [])) return undefined;
    const collapse = l.collapse ?? 1;
    if (typeof collapse !== 'number' || !Number.isInteger(collapse) || collapse < 1) return undefined;
    let schedule = 'default';
    if (l.schedule !== undefined) {
      const s = l.schedule as { kind?: unknown; chunk?: unknown } | null;
      if (!s || typeof s.kind !== 'string' || !GRAMMAR_SCHEDULES.has(s.kind) || s.chunk !== undefined) return undefined;
      schedule = s.kind;
    }
    loops.push({ loop: l.loop, action: l.action, private: [...priv], reduction, collapse, schedule });
  }
  const transforms = p.transforms ?? [];
  if (!Array.isArray(transforms)) return undefined;
  for (const t of transforms) {
    const kind = (t as { kind?: unknown } | null)?.kind;
    if (typeof kind !== 'string' || !GRAMMAR_TRANSFORMS.has(kind)) return undefined;
    if (kind === 'tile' && !GRAMMAR_TILE_SIZES.has((t as { size?: unknown }).size as number)) return undefined;
    const loop = (t as { loop?: unknown }).loop;
    if (loop !== undefined && (typeof loop !== 'string' || !/^L\d+(\.\d+)*$/.test(loop))) return undefined;
  }
  return { loops, transforms: transforms.map((t) => ({ ...(t as object) })) };
}

/** The one-sentence note of a store example: what it passed and how fast it measured. */
function storeNote(v: Verdict): string {
  const passed = (v.stages ?? []).filter((s) => s.ok && !s.skipped && (s.status ?? 'ran') === 'ran' && s.stage !== 'benchmark').map((s) => s.stage);
  const checks = passed.length > 0 ? `its checks (${[...new Set(passed)].join(', ')}) passed` : 'it passed verification';
  const median = v.speedup?.median;
  const speed = typeof median === 'number' && Number.isFinite(median) ? ` and it measured ${median.toFixed(2)}x the original's speed` : '';
  return `A variant autopar verified on this machine: ${checks}${speed}.`;
}

/** Manifest files under root/ac (ac/<2 hex>/<64 hex>) with their mtimes; [] when there is no ac/. */
async function manifestFiles(root: string): Promise<Array<{ file: string; mtimeMs: number }>> {
  const ac = path.join(root, 'ac');
  const out: Array<{ file: string; mtimeMs: number }> = [];
  const shards = await fsp.readdir(ac, { withFileTypes: true }).catch(() => []);
  for (const shard of shards) {
    if (!shard.isDirectory() || !/^[0-9a-f]{2}$/.test(shard.name)) continue;
    const names = await fsp.readdir(path.join(ac, shard.name)).catch(() => []);
    for (const name of names) {
      if (!HEX64.test(name) || !name.startsWith(shard.name)) continue;
      const file = path.join(ac, shard.name, name);
      const st = await fsp.stat(file).catch(() => null);
      if (st?.isFile()) out.push({ file, mtimeMs: st.mtimeMs });
    }
  }
  // Newest first; the file name breaks ties so the order does not depend on the directory listing.
  return out.sort((a, b) => b.mtimeMs - a.mtimeMs || (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
}

/**
 * Verified variants of the local store (`cacheDir`, e.g. `.autopar/cache`) as few-shot
 * examples, with the features of their originals. Newest manifests first; one example per
 * original text (the newest). Never throws for the store's content; a missing store gives [].
 */
export async function storeExamples(cacheDir: string, opts: StoreExampleOptions = {}): Promise<Array<FewShotExample & { features: KernelFeatures }>> {
  const limit = Math.max(0, Math.floor(opts.limit ?? DEFAULT_MANIFEST_LIMIT));
  const store = new FsStore(cacheDir); // silent: retrieval is best effort
  const files = (await manifestFiles(store.root)).slice(0, limit);
  const seen = new Set<string>();
  const out: Array<FewShotExample & { features: KernelFeatures }> = [];
  for (const { file } of files) {
    try {
      const bytes = await fsp.readFile(file).catch(() => null);
      if (bytes === null) continue;
      const decoded = decodeManifest(bytes);
      if ('error' in decoded) continue;
      const m = decoded.manifest;
      if (m.key !== path.basename(file) || m.chosen === null || !HEX64.test(m.chosen)) continue;
      const original = normalizedTextOf(m.keyInputs);
      if (original === null || original === opts.exclude || seen.has(original)) continue;
      const record = chosenRecord(m);
      if (!record || record.verdict?.accepted !== true || record.verdict.kind === 'screening') continue;
      if (record.recipe !== undefined || isScripted(record.proposer)) continue;
      const blob = await store.getBlob(m.chosen);
      if (blob === null) continue;
      const parallel = blob.toString('utf8');
      if (parallel.trim() === '') continue;
      seen.add(original);
      const example: FewShotExample & { features: KernelFeatures } = {
        source: 'store',
        original,
        parallel,
        note: storeNote(record.verdict),
        features: kernelFeatures(original),
      };
      const grammarPlan = grammarPlanOf(record.plan);
      if (grammarPlan !== undefined) example.grammarPlan = grammarPlan;
      const speedup = record.verdict.speedup?.median;
      if (typeof speedup === 'number' && Number.isFinite(speedup)) example.speedup = speedup;
      out.push(example);
    } catch {
      // A record of an unexpected shape: skip it, retrieval is best effort.
    }
  }
  return out;
}

/** How many examples a few-shot prompt shows (strategy FEW_SHOT_EXAMPLES). */
const SHOWN = 2;

/**
 * The examples a few-shot prompt shows for `unit`: the store's verified variants nearest
 * by kernel features, filled up with the nearest bundled ones when the store has fewer.
 * Best effort: a store that cannot be read gives the bundled set.
 */
export async function fewShotExamples(cacheDir: string, unit: KernelUnit): Promise<ShownExample[]> {
  const query = kernelFeatures(unit.sourceText);
  let fromStore: FewShotExample[] = [];
  try {
    fromStore = nearestExamples(query, await storeExamples(cacheDir, { exclude: unit.normalizedText }), SHOWN);
  } catch {
    fromStore = [];
  }
  const fill = nearestExamples(query, BUNDLED_EXAMPLES, SHOWN - fromStore.length);
  return [...fromStore, ...fill].map((e) => ({
    source: e.source,
    // The key keeps the original as one line of tokens: give it lines again for the prompt.
    original: e.source === 'store' ? layoutC(joinTokens(e.original)) : e.original,
    parallel: e.parallel,
    note: e.note,
  }));
}

/** Fewer spaces in space-separated C tokens: none inside brackets, before , ; ++ -- or after a name before ( [. */
export function joinTokens(text: string): string {
  return text
    .replace(/ ([,;)\]]|\+\+|--)/g, '$1')
    .replace(/([([]) /g, '$1')
    .replace(/(\w) ([([])/g, '$1$2');
}

/** Lines and indentation for C written as one line of tokens: a break after `{`, `}` and `;` outside parentheses. */
export function layoutC(text: string): string {
  const lines: string[] = [];
  let line = '';
  let depth = 0;
  let parens = 0;
  const flush = () => {
    if (line.trim()) lines.push('    '.repeat(Math.max(depth, 0)) + line.trim());
    line = '';
  };
  for (const ch of text) {
    if (ch === '(') parens++;
    if (ch === ')') parens = Math.max(0, parens - 1);
    if (ch === '}' && parens === 0) {
      flush();
      depth--;
      line = '}';
      flush();
      continue;
    }
    if (ch === '\n') {
      flush();
      continue;
    }
    line += ch;
    if (ch === '{' && parens === 0) {
      flush();
      depth++;
    } else if (ch === ';' && parens === 0) {
      flush();
    }
  }
  flush();
  return lines.join('\n');
}
