import { describe, expect, it } from 'vitest';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { addProjectConfiguration, readNxJson, readProjectConfiguration, type Tree } from '@nx/devkit';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { initGenerator } from './init/init';
import { kernelGenerator } from './kernel/kernel';

const SAXPY = readFileSync(join(__dirname, '../../../core/src/verify/fixtures/saxpy/saxpy.c'), 'utf8');

function workspaceWithLib(): Tree {
  const tree = createTreeWithEmptyWorkspace();
  addProjectConfiguration(tree, 'mylib', { root: 'libs/mylib', targets: {} });
  tree.write('libs/mylib/src/saxpy.c', SAXPY);
  return tree;
}

describe('init generator', () => {
  it('registers the plugin, the named input, target defaults and ignores .autopar/, once', async () => {
    const tree = createTreeWithEmptyWorkspace();
    tree.write('.gitignore', 'node_modules');
    await initGenerator(tree, { skipFormat: true });
    await initGenerator(tree, { skipFormat: true });
    const nx = readNxJson(tree)!;
    expect(nx.plugins!.filter((p) => p === '@autopar/nx')).toHaveLength(1);
    expect(nx.namedInputs!.autoparKernel).toContain('{projectRoot}/autopar.spec.json');
    expect(nx.targetDefaults!['@autopar/nx:build']).toEqual({ cache: true, dependsOn: ['^build'] });
    const ignore = tree.read('.gitignore', 'utf-8')!;
    expect(ignore.match(/^\.autopar\/$/gm)).toHaveLength(1);
    expect(ignore.startsWith('node_modules\n')).toBe(true);
  });
});

describe('kernel generator', () => {
  it('opts the target in and drafts the spec from the code', async () => {
    const tree = workspaceWithLib();
    await kernelGenerator(tree, { project: 'mylib', source: 'src/saxpy.c', function: 'saxpy', check: false, calibrate: false, skipFormat: true });
    expect(readProjectConfiguration(tree, 'mylib').targets!.build!.executor).toBe('@autopar/nx:build');
    const spec = JSON.parse(tree.read('libs/mylib/autopar.spec.json', 'utf-8')!);
    const k = spec.kernels[0];
    expect(k.name).toBe('saxpy');
    expect(k.source).toBe('src/saxpy.c');
    expect(k.args.map((a: { name: string; kind: string }) => `${a.name}:${a.kind}`)).toEqual(
      ['n:scalar', 'a:scalar', 'x:input', 'y:inout'],
    );
    expect(k.confirm.length).toBeGreaterThan(0);
    expect(readNxJson(tree)!.plugins).toContain('@autopar/nx');
  });

  it('refuses a source that does not exist, naming the project root', async () => {
    const tree = workspaceWithLib();
    await expect(
      kernelGenerator(tree, { project: 'mylib', source: 'src/nope.c', function: 'saxpy', check: false, calibrate: false, skipFormat: true }),
    ).rejects.toThrow(/libs\/mylib\/src\/nope\.c does not exist; --source is relative to the project root/);
  });

  it('refuses a function the file does not define, listing those it does', async () => {
    const tree = workspaceWithLib();
    await expect(
      kernelGenerator(tree, { project: 'mylib', source: 'src/saxpy.c', function: 'saxpyy', check: false, calibrate: false, skipFormat: true }),
    ).rejects.toThrow(/"saxpyy" is not defined in .*saxpy\.c; functions defined there: saxpy/);
  });

  it('leaves a target with another executor alone unless --force', async () => {
    const tree = workspaceWithLib();
    const pc = readProjectConfiguration(tree, 'mylib');
    pc.targets = { build: { executor: 'nx:run-commands', options: { command: 'make' } } };
    addProjectConfiguration; // (kept: project was added above)
    const { updateProjectConfiguration } = await import('@nx/devkit');
    updateProjectConfiguration(tree, 'mylib', pc);
    await expect(
      kernelGenerator(tree, { project: 'mylib', source: 'src/saxpy.c', function: 'saxpy', check: false, calibrate: false, skipFormat: true }),
    ).rejects.toThrow(/already uses nx:run-commands; pass --target <another name> or --force/);
  });

  it('adds a second kernel to an existing spec and refuses a duplicate', async () => {
    const tree = workspaceWithLib();
    tree.write('libs/mylib/src/saxpy.c', `${SAXPY}\nvoid scale(int n, double a, double *y) { for (int i = 0; i < n; i++) y[i] *= a; }\n`);
    await kernelGenerator(tree, { project: 'mylib', source: 'src/saxpy.c', function: 'saxpy', check: false, calibrate: false, skipFormat: true });
    await kernelGenerator(tree, { project: 'mylib', source: 'src/saxpy.c', function: 'scale', check: false, calibrate: false, skipFormat: true });
    const spec = JSON.parse(tree.read('libs/mylib/autopar.spec.json', 'utf-8')!);
    expect(spec.kernels.map((k: { name: string }) => k.name)).toEqual(['saxpy', 'scale']);
    expect(spec.kernels[1].args.find((a: { name: string }) => a.name === 'y').kind).toBe('inout');
    await expect(
      kernelGenerator(tree, { project: 'mylib', source: 'src/saxpy.c', function: 'scale', check: false, calibrate: false, skipFormat: true }),
    ).rejects.toThrow(/already describes kernel scale/);
  });
});
