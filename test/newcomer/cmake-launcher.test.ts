// A CMake project outside Nx, with autopar as its compiler launcher
// (examples/cmake-saxpy, built in a temp copy): the compile of the file whose kernels the
// spec declares gets the verified variants from the store; every other compile (main.c,
// CMake's own OpenMP probes) and the link run untouched; the program computes what the
// plain build computes.
//
// The store is filled first by `autopar build` on the same folder (the launcher itself only
// looks up). Its threshold is 0.01 and its proposer the analyzer (project.json of the copy):
// what is linked must not depend on this machine's load or on the models installed here.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { execa } from 'execa';

const REPO = resolve(__dirname, '../..');
const BIN = join(REPO, 'packages/core/bin/autopar.js');
const run = process.env.AUTOPAR_NEWCOMER !== '0';
let root: string;
let project: string;

describe.skipIf(!run)('CMake project through `autopar` as CMAKE_C_COMPILER_LAUNCHER', () => {
  let report: { kernels: Array<{ kernel: string; outcome: string; chosen: { label: string } | null }> };
  let cmakeOutput = '';

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'autopar-cmake-'));
    project = join(root, 'cmake-saxpy');
    cpSync(join(REPO, 'examples/cmake-saxpy'), project, { recursive: true });
    // The proposer is in the key: set in project.json, the build and the launcher's lookup use
    // the same one (with `auto`, an embedded model installed on this machine would be chosen).
    writeFileSync(join(project, 'project.json'), JSON.stringify({ name: 'cmake-saxpy', targets: { build: { executor: '@autopar/nx:build', options: { threshold: 0.01, proposer: 'analyzer' } } } }));
    const env = {};
    await execa('node', [BIN, 'build', project, '--output-path', join(root, 'out')], { env, timeout: 1_500_000 });
    report = JSON.parse(readFileSync(join(root, 'out/autopar-report.json'), 'utf8'));
    await execa('cmake', ['-S', project, '-B', join(project, 'build'), `-DCMAKE_C_COMPILER_LAUNCHER=node;${BIN}`], { timeout: 300_000 });
    const b = await execa('cmake', ['--build', join(project, 'build'), '--', 'VERBOSE=1'], { all: true, timeout: 300_000 });
    cmakeOutput = b.all ?? '';
  }, 2_000_000);
  afterAll(() => {
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('compiles kernels.c with the variants the build verified, from the store', () => {
    expect(report.kernels.some((k) => k.chosen), JSON.stringify(report.kernels)).toBe(true);
    for (const k of report.kernels) {
      const line = new RegExp(`autopar cc: src/kernels\\.c: ${k.kernel}: ${k.chosen ? `verified variant ${k.chosen.label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(cache-hit\\)` : 'original'}`);
      expect(cmakeOutput).toMatch(line);
    }
  });

  it('leaves every other compile and the link alone', () => {
    expect(cmakeOutput).not.toMatch(/autopar cc: .*main\.c/);
    expect(cmakeOutput).not.toMatch(/autopar cc: .*(failed|compiling the original)/);
  });

  it('builds a program that computes what the plain build computes', async () => {
    const plain = join(root, 'plain');
    await execa('gcc', ['-O2', '-o', plain, join(project, 'src/main.c'), join(project, 'src/kernels.c'), '-lm']);
    const value = (s: string) => Number(/checksum (\S+)/.exec(s)![1]);
    const want = value((await execa(plain, ['3000'])).stdout);
    const got = value((await execa(join(project, 'build/demo'), ['3000'])).stdout);
    // dot() may sum in another order: equal to a relative 1e-9.
    expect(Math.abs(got - want)).toBeLessThanOrEqual(1e-9 * Math.abs(want));
  });
});
