import { afterEach, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createNodesV2 } from './plugin';

let root: string;
afterEach(() => rmSync(root, { recursive: true, force: true }));

function workspace(files: Record<string, unknown>): string {
  root = mkdtempSync(join(tmpdir(), 'autopar-nodes-'));
  for (const [p, content] of Object.entries(files)) {
    mkdirSync(join(root, p, '..'), { recursive: true });
    writeFileSync(join(root, p), typeof content === 'string' ? content : JSON.stringify(content));
  }
  return root;
}

const run = (files: string[]) => createNodesV2[1](files, {}, { nxJsonConfiguration: {}, workspaceRoot: root });

describe('createNodes', () => {
  it('adds cache inputs and outputs to targets that use the autopar executor', async () => {
    workspace({
      'kernels/mm/autopar.spec.json': '{}',
      'kernels/mm/project.json': { name: 'mm', targets: { build: { executor: '@autopar/nx:build', options: { cc: 'clang-19' } } } },
    });
    const [[file, result]] = (await run(['kernels/mm/autopar.spec.json'])) as any;
    expect(file).toBe('kernels/mm/autopar.spec.json');
    const build = result.projects['kernels/mm'].targets.build;
    expect(build.cache).toBe(true);
    expect(build.parallelism).toBe(false);
    expect(build.outputs).toEqual(['{workspaceRoot}/dist/kernels/mm']);
    expect(build.inputs).toContainEqual({ runtime: 'clang-19 --version' });
    expect(build.inputs).toContainEqual({ env: 'OLLAMA_HOST' });
    expect(result.projects['kernels/mm'].targets['autopar-explain'].command).toContain('autopar explain kernels/mm');
  });

  it('uses named inputs, every result-changing env var, and never a bare `npx autopar`', async () => {
    workspace({
      'k/autopar.spec.json': '{}',
      'k/project.json': { name: 'k', targets: { build: { executor: '@autopar/nx:build' } } },
    });
    const withNamed = (namedInputs: Record<string, string[]>) =>
      createNodesV2[1](['k/autopar.spec.json'], {}, { nxJsonConfiguration: { namedInputs }, workspaceRoot: root }) as any;
    const [[, a]] = await withNamed({ autoparKernel: ['{projectRoot}/src/**/*'], production: ['default'] });
    const build = a.projects.k.targets.build;
    expect(build.inputs[0]).toBe('autoparKernel');
    expect(build.inputs).not.toContain('{projectRoot}/**/*');
    for (const env of ['AUTOPAR_SANDBOX', 'AUTOPAR_CACHE_DIR', 'AUTOPAR_RACE_CC', 'AUTOPAR_CC', 'OLLAMA_HOST']) expect(build.inputs).toContainEqual({ env });
    expect(build.inputs).toContainEqual({ runtime: 'npx --no-install autopar proposer' });
    expect(a.projects.k.targets['autopar-explain'].command).toBe('npx --no-install autopar explain k');
    const [[, b]] = await withNamed({ production: ['default'] });
    expect(b.projects.k.targets.build.inputs[0]).toBe('production');
    // The workspace's own CLI, by path, once @autopar/core is installed there.
    mkdirSync(join(root, 'node_modules/@autopar/core/bin'), { recursive: true });
    writeFileSync(join(root, 'node_modules/@autopar/core/bin/autopar.js'), '');
    const [[, c]] = await withNamed({});
    expect(c.projects.k.targets['autopar-explain'].command).toBe('node node_modules/@autopar/core/bin/autopar.js explain k');
  });

  it('leaves the proposer probe out when the target never asks a model', async () => {
    workspace({
      'k/autopar.spec.json': '{}',
      'k/project.json': { name: 'k', targets: { build: { executor: '@autopar/nx:build', options: { proposer: 'analyzer' } } } },
    });
    const [[, r]] = (await run(['k/autopar.spec.json'])) as any;
    expect(r.projects.k.targets.build.inputs.some((i: { runtime?: string }) => i.runtime?.includes('proposer'))).toBe(false);
  });

  it('leaves projects alone that did not opt in through project.json', async () => {
    workspace({
      'a/autopar.spec.json': '{}',
      'a/project.json': { name: 'a', targets: { build: { executor: 'nx:run-commands' } } },
      'b/autopar.spec.json': '{}',
    });
    expect(await run(['a/autopar.spec.json', 'b/autopar.spec.json'])).toEqual([]);
  });

  it('does nothing when disabled by AUTOPAR_NX_DISABLE', async () => {
    workspace({
      'k/autopar.spec.json': '{}',
      'k/project.json': { name: 'k', targets: { build: { executor: '@autopar/nx:build' } } },
    });
    process.env.AUTOPAR_NX_DISABLE = 'true';
    try {
      expect(await run(['k/autopar.spec.json'])).toEqual([]);
    } finally {
      delete process.env.AUTOPAR_NX_DISABLE;
    }
  });
});
