// How close `autopar spec init` gets to the hand-written specs of the eleven kernels of
// kernels/, field by field. Drafting only (no check, no timing): the comparison is of what
// the code and the analysis say. Lengths are "equivalent" when both expressions give the
// same value at every hand-written test size. Prints the table (kernel, equal, differs).
import { describe, expect, it } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { extractKernels } from '../../packages/core/src/kernel/extract';
import { draftSpec } from '../../packages/core/src/draft/draft';
import { evaluateExpression } from '../../packages/core/src/spec/expr';
import type { ArgSpec, KernelSpec } from '../../packages/core/src/spec/types';

const KERNELS = resolve(__dirname, '../../kernels');

interface Row {
  kernel: string;
  equal: string[];
  differs: string[];
}

const json = (v: unknown) => JSON.stringify(v ?? null);

function lengthsEquivalent(a: string, b: string, sizes: KernelSpec['sizes']['test']): boolean {
  try {
    // g_nnz (the generated graph's edge count) is a value of the run: any fixed value will do.
    return sizes.every((s) => evaluateExpression(a, { g_nnz: 1000, ...s }) === evaluateExpression(b, { g_nnz: 1000, ...s }));
  } catch {
    return false;
  }
}

function compare(name: string): Row {
  const hand = JSON.parse(readFileSync(join(KERNELS, name, 'autopar.spec.json'), 'utf8')).kernels[0] as KernelSpec;
  const path = join(KERNELS, name, hand.source);
  const [unit] = extractKernels(readFileSync(path, 'utf8'), path, [hand.name]);
  const draft = draftSpec(unit!, hand.source).spec;
  const equal: string[] = [];
  const differs: string[] = [];
  const field = (f: string, same: boolean, detail: string) => (same ? equal : differs).push(same ? f : `${f} (${detail})`);

  field('args order', json(draft.args.map((a) => a.name)) === json(hand.args.map((a) => a.name)), `${draft.args.map((a) => a.name)}`);
  for (const h of hand.args) {
    const d = draft.args.find((a) => a.name === h.name) as ArgSpec | undefined;
    if (!d) continue;
    field(`${h.name}.type`, d.type === h.type, `draft ${d.type}, hand ${h.type}`);
    field(`${h.name}.kind`, d.kind === h.kind, `draft ${d.kind}, hand ${h.kind}`);
    if (h.kind === 'scalar' && d.kind === 'scalar') field(`${h.name}.value`, json(d.value) === json(h.value), `draft ${json(d.value)}, hand ${json(h.value)}`);
    if (h.kind !== 'scalar' && d.kind !== 'scalar') {
      const eq = d.length === h.length || lengthsEquivalent(d.length, h.length, hand.sizes.test);
      field(`${h.name}.length`, eq, `draft ${d.length}, hand ${h.length}`);
      if (h.init || d.init) field(`${h.name}.init`, json(d.init) === json(h.init), `draft ${json(d.init)}, hand ${json(h.init)}`);
    }
  }
  const names = (s: KernelSpec) => Object.keys(s.sizes.bench).sort();
  field('size names', json(names(draft)) === json(names(hand)), `draft ${names(draft)}, hand ${names(hand)}`);
  field('sizes.test', json(draft.sizes.test) === json(hand.sizes.test), 'other values');
  field('generators', json(draft.generators?.map((g) => [g.kind, g.nodes])) === json(hand.generators?.map((g) => [g.kind, g.nodes])), `draft ${json(draft.generators?.map((g) => g.kind))}`);
  field('tolerance', json(draft.tolerance) === json(hand.tolerance), `draft ${json(draft.tolerance)}, hand ${json(hand.tolerance)}`);
  field('noalias', draft.noalias === hand.noalias, `draft ${draft.noalias}`);
  return { kernel: name, equal, differs };
}

describe('spec drafting against the hand-written specs of kernels/', () => {
  const rows = readdirSync(KERNELS, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => compare(e.name));

  it('prints the table', () => {
    const lines = ['| kernel | fields equal | fields that differ |', '| --- | --- | --- |'];
    for (const r of rows) lines.push(`| ${r.kernel} | ${r.equal.length}/${r.equal.length + r.differs.length} | ${r.differs.join('; ') || '—'} |`);
    const total = rows.reduce((a, r) => a + r.equal.length, 0);
    const all = rows.reduce((a, r) => a + r.equal.length + r.differs.length, 0);
    lines.push(`| all | ${total}/${all} | |`);
    console.log(lines.join('\n'));
    expect(rows).toHaveLength(11);
  });

  it('gets the signature-derived fields right for every kernel', () => {
    for (const r of rows) {
      expect(r.equal, r.kernel).toContain('args order');
      expect(r.differs.filter((d) => /\.type /.test(d)), r.kernel).toEqual([]);
      expect(r.equal, r.kernel).toContain('size names');
    }
  });
});
