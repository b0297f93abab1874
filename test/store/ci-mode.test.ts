// CI mode through the real CLI: --no-generate with a dead remote, and the regression gate's
// exit code (3) when a kernel loses the variant it had in main's report.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { cli, makeProject, type TempProject } from '../failure/project.js';
import { freePort } from './nginx.js';

let p: TempProject;
let baseline: string;
beforeAll(() => {
  p = makeProject();
  baseline = join(p.root, 'main-report.json');
  // main's report: `scale` had a verified variant there.
  writeFileSync(baseline, JSON.stringify({ schema: 'autopar-report-v1', kernels: [{ kernel: 'scale', chosen: { label: 'analyzer#1' } }] }));
});
afterAll(() => p?.dispose());

const report = () => JSON.parse(readFileSync(join(p.root, 'dist/kernels/demo/autopar-report.json'), 'utf8'));

describe('autopar build in CI mode', () => {
  it('--no-generate with a dead remote: exit 0, the original, one warning, the miss listed, no proposer', async () => {
    const dead = `http://127.0.0.1:${await freePort()}/store/`;
    const r = await cli(['build', p.projectRoot, '--no-generate', '--remote-cache', dead, '--store-readonly', '--regression-baseline', baseline], {
      AUTOPAR_CACHE_DIR: mkdtempSync(join(tmpdir(), 'autopar-ci-')),
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.split('\n').filter((l) => /remote .* is unusable/.test(l))).toHaveLength(1);
    expect(r.stdout).toMatch(/no-generate: 1 kernel\(s\) missed the store and keep the original: scale/);
    // Lost only because nothing was generated here: listed, not failed.
    expect(r.stdout).toMatch(/regression gate: scale had analyzer#1 .*not checked/);
    expect(report().missed).toEqual(['scale']);
    expect(report().kernels[0].reason).toMatch(/no-generate: not in the store/);
    expect(report().regressionGate).toMatchObject({ failed: false, lost: [{ kernel: 'scale', cause: 'not-verified-here' }] });
  });

  it('a kernel that lost its variant by a verdict: exit 3, artifact and report written', async () => {
    // No candidate can clear a 1e9x threshold: the verdict is "original".
    const r = await cli(['build', p.projectRoot, '--proposer', 'analyzer', '--threshold', '1e9', '--regression-baseline', baseline], {
      AUTOPAR_CACHE_DIR: mkdtempSync(join(tmpdir(), 'autopar-ci-')),
    });
    expect(r.code, r.stdout + r.stderr).toBe(3);
    expect(r.stderr).toMatch(/regression gate: 1 kernel\(s\) lost the verified variant they had in .*main-report\.json: scale \(had analyzer#1/);
    expect(report().regressionGate).toMatchObject({ failed: true, lost: [{ kernel: 'scale', cause: 'verdict' }] });
    expect(existsSync(join(p.root, 'dist/kernels/demo/demo'))).toBe(true);
  }, 300_000);

  it('a baseline that is not a report: exit 2 naming the file and the field', async () => {
    const bad = join(p.root, 'bad.json');
    writeFileSync(bad, '[]');
    const r = await cli(['build', p.projectRoot, '--no-generate', '--regression-baseline', bad]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/bad\.json: field "schema" is not "autopar-report-v1"/);
  });
});
