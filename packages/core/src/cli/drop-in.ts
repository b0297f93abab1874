// `autopar verify --candidate file.c` accepts a drop-in file: the kernel function plus what
// the original file around it has (its #defines, helpers, types, includes). The verifier
// wants one function — it splices the candidate into the original file, so the original's
// closure is already there. This reconciles the two and says what it did:
//  - items identical to the original's (same kind, name and normalized text) are ignored;
//  - #defines the original does not have (KB 64) are expanded into the function text;
//  - angle-bracket includes are kept (the static gate checks them);
//  - anything else (a helper, type or global that is new or differs, a macro the original
//    defines differently) is an error naming it: the candidate would not mean the same
//    thing once spliced.
import { extractKernels } from '../kernel/extract.js';
import type { ClosureItem, KernelUnit } from '../kernel/types.js';

export interface DropInResult {
  /** What the verifier gets: includes + the kernel function. */
  candidateText: string;
  /** One line per thing left out or rewritten, for the user. */
  notes: string[];
}

export function reconcileDropIn(candidateText: string, candidatePath: string, original: KernelUnit, originalText: string): DropInResult {
  const [cand] = extractKernels(candidateText, candidatePath, [original.name]);
  const notes: string[] = [];
  const originalItems = new Map(original.closure.map((c) => [`${c.kind}:${c.name}`, c]));
  let fn = cand!.sourceText;
  const includes: string[] = [];
  const expand: ClosureItem[] = [];
  for (const item of cand!.closure) {
    const same = originalItems.get(`${item.kind}:${item.name}`);
    if (same && same.text === item.text) {
      notes.push(`ignored ${describe(item)}: the original file has the same`);
      continue;
    }
    if (item.kind === 'include') {
      if (item.name.startsWith('<')) includes.push(item.text);
      else throw new Error(`${candidatePath}: ${describe(item)} is not in the original file; a candidate may include system headers only`);
      continue;
    }
    if (item.kind === 'macro') {
      if (definesMacro(originalText, item.name)) {
        throw new Error(`${candidatePath}: #define ${item.name} differs from the original file's; use the original's definition or another name`);
      }
      expand.push(item);
      continue;
    }
    throw new Error(
      `${candidatePath}: ${describe(item)} ${same ? 'differs from the original file\'s' : 'is not in the original file'}; ` +
        'the verifier checks one function spliced into the original file: inline it into the kernel, or change the original file',
    );
  }
  // Expand in reverse definition order: a macro may use one defined before it.
  for (const m of expand.reverse()) {
    fn = expandMacro(fn, m.text);
    notes.push(`expanded #define ${m.name} into the function (the original file does not define it)`);
  }
  const others = topLevelFunctions(candidateText, candidatePath).filter((n) => n !== original.name && !cand!.closure.some((c) => c.name === n));
  for (const n of others) notes.push(`ignored function ${n}: the kernel does not use it`);
  return { candidateText: `${includes.join('\n')}${includes.length ? '\n\n' : ''}${fn}\n`, notes };
}

function describe(item: ClosureItem): string {
  return item.kind === 'include' ? item.text : item.kind === 'macro' ? `#define ${item.name}` : `${item.kind} ${item.name}`;
}

function definesMacro(text: string, name: string): boolean {
  return new RegExp(`^\\s*#\\s*define\\s+${name}\\b`, 'm').test(text);
}

function topLevelFunctions(text: string, path: string): string[] {
  try {
    return extractKernels(text, path).map((u) => u.name);
  } catch {
    return [];
  }
}

/** Expands one macro (normalized `#define NAME body` or `#define NAME( a , b ) body`) in `text`. */
export function expandMacro(text: string, definition: string): string {
  const m = /^#define\s+(\w+)(\(\s*([^)]*)\))?\s*(.*)$/s.exec(definition.trim());
  if (!m) throw new Error(`cannot read the macro ${definition}`);
  const [, name, paramList, params, body] = m;
  if (!paramList) return replaceIdentifier(text, name!, `(${body!.trim()})`);
  const names = params!.split(',').map((p) => p.trim()).filter(Boolean);
  let out = '';
  let i = 0;
  const re = new RegExp(`\\b${name}\\s*\\(`, 'g');
  for (let hit = re.exec(text); hit; hit = re.exec(text)) {
    if (hit.index < i) continue;
    // Arguments: split at top-level commas up to the matching parenthesis.
    let depth = 1;
    let j = hit.index + hit[0].length;
    const args: string[] = [];
    let start = j;
    for (; j < text.length && depth > 0; j++) {
      const ch = text[j];
      if (ch === '(') depth++;
      else if (ch === ')') depth--;
      if ((ch === ',' && depth === 1) || depth === 0) {
        args.push(text.slice(start, j).trim());
        start = j + 1;
      }
    }
    let expansion = body!;
    names.forEach((p, k) => (expansion = replaceIdentifier(expansion, p, `(${args[k] ?? ''})`)));
    out += text.slice(i, hit.index) + `(${expansion.trim()})`;
    i = j;
    re.lastIndex = j;
  }
  return out + text.slice(i);
}

function replaceIdentifier(text: string, name: string, by: string): string {
  return text.replace(new RegExp(`(?<![\\w.])${name}(?!\\w)`, 'g'), by);
}
