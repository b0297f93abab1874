// The linked text of a variant with a size guard: the original definition (renamed, static),
// the variant (renamed) and, under the kernel's own name and signature, a dispatch that calls
// the variant from a measured size up and the original below it (verify/size-guard.ts
// measures where). Both callees are verified functions; the dispatch only compares a product
// of the kernel's integer parameters with a constant.
import { parse, type SyntaxNode } from './parse.js';
import { splitLeadingIncludes } from './splice.js';
import type { KernelUnit } from './types.js';

export const serialName = (kernel: string) => `${kernel}__autopar_serial`;
export const variantName = (kernel: string) => `${kernel}__autopar_variant`;

export interface GuardForText {
  /** C expression over the kernel's parameters. */
  measure: string;
  /** The variant runs when measure >= threshold. */
  threshold: number;
}

/** The guard a link applies, from a verdict's: only a measured threshold on a measure the kernel has. */
export function guardForText(g: { measure: string | null; threshold: number | null } | undefined): GuardForText | undefined {
  return g && g.measure !== null && g.threshold !== null ? { measure: g.measure, threshold: g.threshold } : undefined;
}

/** For reports: `original below seq*d = 102` (the casts of the C expression left out). */
export function describeGuard(guard: { measure: string | null; threshold: number | null } | undefined): string | undefined {
  if (!guard || guard.measure === null || guard.threshold === null) return undefined;
  return `original below ${guard.measure.replace(/\(double\)/g, '').replace(/ \* /g, '*')} = ${guard.threshold}`;
}

export class SizeGuardTextError extends Error {
  override name = 'SizeGuardTextError';
}

/**
 * `unit` is the original kernel as it stands in its file; `variantText` the variant's
 * definition (leading `#include` lines allowed). `variantExtern`: the variant is moved to a
 * translation unit of its own (a compiler recipe), so it must keep external linkage.
 */
export function guardedKernelText(unit: KernelUnit, variantText: string, guard: GuardForText, opts: { variantExtern: boolean }): string {
  const where = `kernel ${unit.name}`;
  const params = unit.signature.params.filter((p) => p.name !== '' || p.type !== 'void');
  if (params.some((p) => p.name === '...' || p.name === '')) throw new SizeGuardTextError(`${where}: a variadic kernel or one with unnamed parameters cannot be wrapped in a size guard`);
  const original = definitionOf(unit.sourceText, unit.name, where);
  const { includes, body } = splitLeadingIncludes(variantText);
  const variant = definitionOf(body, unit.name, `${where} (variant)`);

  const serial = renamed(original, serialName(unit.name), 'static');
  const fast = renamed(variant, variantName(unit.name), opts.variantExtern ? 'extern' : 'static');
  const header = unit.sourceText.slice(0, original.body.startIndex - original.fn.startIndex).trimEnd();
  const args = params.map((p) => p.name).join(', ');
  const returns = !/^void$/.test(unit.signature.returnType.trim());
  const call = (name: string) => (returns ? `return ${name}(${args});` : `${name}(${args});\n        return;`);
  const dispatch = [
    `${header}`,
    '{',
    '    /* autopar size guard: measured slower than the original below this size (see the build report). */',
    `    if (${guard.measure} >= ${guard.threshold}.0) {`,
    `        ${call(variantName(unit.name))}`,
    '    }',
    `    ${returns ? `return ${serialName(unit.name)}(${args});` : `${serialName(unit.name)}(${args});`}`,
    '}',
  ].join('\n');
  const includeLines = includes.map((i) => `#include ${i.target}\n`).join('');
  return `${includeLines}${serial}\n\n${fast}\n\n${dispatch}\n`;
}

interface Definition {
  text: string;
  fn: SyntaxNode;
  body: SyntaxNode;
  /** The function's own name in the declarator. */
  name: SyntaxNode;
  /** Text before and after the definition (a variant may carry helpers around it). */
  before: string;
  after: string;
}

function definitionOf(text: string, name: string, where: string): Definition {
  const root = parse(text, 'c').rootNode;
  const fn = root.namedChildren.find((n) => n.type === 'function_definition' && declaredName(n)?.text === name);
  if (!fn) throw new SizeGuardTextError(`${where}: no top-level definition of ${name} to wrap in a size guard`);
  return { text, fn, body: fn.childForFieldName('body')!, name: declaredName(fn)!, before: text.slice(0, fn.startIndex), after: text.slice(fn.endIndex) };
}

function declaredName(fn: SyntaxNode): SyntaxNode | undefined {
  let node = fn.childForFieldName('declarator');
  while (node && node.type !== 'identifier') node = node.childForFieldName('declarator');
  return node ?? undefined;
}

/** The definition under a new name, with the linkage asked for (surrounding text kept). */
function renamed(d: Definition, newName: string, linkage: 'static' | 'extern'): string {
  const storage = d.fn.children.filter((c) => c.type === 'storage_class_specifier');
  let head = d.text.slice(d.fn.startIndex, d.name.startIndex);
  const rest = d.text.slice(d.name.endIndex, d.fn.endIndex);
  const offset = (n: SyntaxNode) => n.startIndex - d.fn.startIndex;
  // Storage specifiers come before the declarator: drop them, then put the one wanted in front.
  for (const s of [...storage].reverse()) head = head.slice(0, offset(s)) + head.slice(offset(s) + s.text.length).replace(/^\s+/, '');
  return `${d.before}${linkage === 'static' ? 'static ' : ''}${head}${newName}${rest}${d.after}`;
}
