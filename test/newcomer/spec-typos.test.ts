// A typo in a spec's kernel `name` or `source` is a spec error: the spec file, the field
// and the fix — from `autopar build` (the pipeline), `explain`, `verify` and `spec check`,
// never raw ENOENT or extractKernels text. And `spec init` refuses what it cannot draft.
import { afterEach, describe, expect, it } from 'vitest';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { execa } from 'execa';

const REPO = resolve(__dirname, '../..');
const BIN = join(REPO, 'packages/core/bin/autopar.js');
let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function projectWith(edit: (spec: { kernels: Array<{ name: string; source: string }> }) => void): string {
  dir = mkdtempSync(join(tmpdir(), 'autopar-typo-'));
  cpSync(join(REPO, 'kernels/matmul/src'), join(dir, 'src'), { recursive: true });
  const spec = JSON.parse(readFileSync(join(REPO, 'kernels/matmul/autopar.spec.json'), 'utf8'));
  edit(spec);
  writeFileSync(join(dir, 'autopar.spec.json'), JSON.stringify(spec));
  writeFileSync(join(dir, 'project.json'), JSON.stringify({ name: 'mm', targets: { build: { executor: '@autopar/nx:build', options: { sources: ['src/matmul.c', 'src/main.c'] } } } }));
  return dir;
}

const cli = (args: string[]) => execa('node', [BIN, ...args], { reject: false, all: true, env: { AUTOPAR_PROPOSER: 'none' } });

describe('spec typos name the spec file and the field', () => {
  for (const cmd of [['build'], ['explain'], ['spec', 'check']]) {
    it(`kernel name typo: autopar ${cmd.join(' ')}`, async () => {
      const p = projectWith((s) => (s.kernels[0]!.name = 'matmull'));
      const r = await cli([...cmd, p]);
      expect(r.exitCode).toBe(2);
      expect(r.all).toMatch(/autopar\.spec\.json: kernels\[0\]\.name: kernel "matmull" is not defined in .*matmul\.c; functions defined there: matmul; fix the name/);
      expect(r.all).not.toMatch(/extractKernels:/);
    });
    it(`source path typo: autopar ${cmd.join(' ')}`, async () => {
      const p = projectWith((s) => (s.kernels[0]!.source = 'src/matmull.c'));
      const r = await cli([...cmd, p]);
      expect(r.exitCode).toBe(2);
      expect(r.all).toMatch(/autopar\.spec\.json: kernels\[0\]\.source: cannot read src\/matmull\.c \(ENOENT; paths are relative to the spec file's folder\); fix the path/);
    });
  }

  it('spec init: a function the file does not define, and a file that does not exist', async () => {
    const p = projectWith(() => {});
    const a = await cli(['spec', 'init', join(p, 'src/matmul.c'), 'matmull', '--spec', join(p, 'new.spec.json')]);
    expect(a.exitCode).toBe(2);
    expect(a.all).toMatch(/kernel "matmull" is not defined in .*matmul\.c; functions defined there: matmul/);
    const b = await cli(['spec', 'init', join(p, 'src/nope.c'), 'matmul']);
    expect(b.exitCode).toBe(2);
    expect(b.all).toMatch(/cannot read .*nope\.c \(ENOENT\); pass the C file that defines matmul/);
    const c = await cli(['spec', 'init', join(p, 'src/matmul.c'), 'matmul', '--no-check', '--no-calibrate']);
    expect(c.exitCode).toBe(2);
    expect(c.all).toMatch(/autopar\.spec\.json already describes kernel matmul; remove that entry first, or pass --spec <other file>/);
  });
});
