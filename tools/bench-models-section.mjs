// Section M of `npm run bench`: runs tools/bench-models.mjs in its own process (it starts
// one process per model and form, so that load time and peak RSS are that model's) and
// returns what it wrote. With no model installed the section says so and what to run:
// it is skipped, never reported as a figure.
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

import { REPO } from './bench-common.mjs';

const DEFAULT_MODELS = ['smollm2-135m', 'gemma3-270m'];

async function installed(name) {
  const { locateModel } = await import('../packages/core/dist/models/resolve.js');
  try {
    await locateModel(name);
    return true;
  } catch {
    return false;
  }
}

export async function runModelSection({ models, kernel, forced, out, log }) {
  const wanted = models ? models.split(',').map((s) => s.trim()).filter(Boolean) : DEFAULT_MODELS;
  const present = [];
  for (const m of wanted) if (await installed(m)) present.push(m);
  const absent = wanted.filter((m) => !present.includes(m));
  for (const m of absent) out(`M: ${m} is not installed (npx autopar models pull ${m}); its rows are skipped`);
  if (!present.length) {
    out('M: skipped: no model installed');
    if (forced) process.exitCode = 1;
    return { skipped: `no model installed (${wanted.join(', ')})` };
  }
  const file = join(REPO, 'dist/bench/models.json');
  const argv = [join(REPO, 'tools/bench-models.mjs'), '--models', present.join(','), '--out', file];
  if (kernel) argv.push('--kernel', kernel);
  log(`M: node ${argv.map((a) => a.replace(REPO + '/', '')).join(' ')}`);
  const code = await new Promise((resolve, reject) => {
    const child = spawn(process.execPath, argv, { stdio: ['ignore', 'pipe', 'inherit'] });
    child.stdout.on('data', (d) => out(d.toString().trimEnd()));
    child.on('error', reject);
    child.on('close', resolve);
  });
  if (code !== 0) return { failed: `tools/bench-models.mjs exited ${code}`, skippedModels: absent };
  const { table: _t, ...json } = JSON.parse(await readFile(file, 'utf8'));
  return { ...json, skippedModels: absent };
}
