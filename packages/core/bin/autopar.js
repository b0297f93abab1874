#!/usr/bin/env node
// The `autopar` command. This file is committed (dist/ is not) so that `npm ci` on a
// fresh clone links node_modules/.bin/autopar before the CLI is compiled: npm links a
// bin only when its target exists. It loads the compiled CLI, or says how to build it.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const main = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(fileURLToPath(main))) {
  process.stderr.write(
    `autopar: the CLI is not compiled yet (${fileURLToPath(main)} is missing); ` +
      'run `npm run build:packages` in the autopar repository, or reinstall @autopar/core\n',
  );
  process.exit(2);
}
await import(main.href);
