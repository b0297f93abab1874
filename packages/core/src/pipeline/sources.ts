// The target's `sources` option: file paths or glob patterns (`src/*.c`), relative to
// the project folder, expanded here so the default `["src/*.c"]` means what it says.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { globSync, isDynamicPattern } from 'tinyglobby';

export class SourcesError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SourcesError';
  }
}

/** Absolute paths, in the order given (a pattern's matches sorted), each once. */
export function expandSources(projectRoot: string, sources: readonly string[]): string[] {
  if (sources.length === 0) throw new SourcesError(`option "sources" is empty in ${projectRoot}; list the C files to build (e.g. ["src/*.c"])`);
  const out: string[] = [];
  for (const pattern of sources) {
    let matches: string[];
    if (isDynamicPattern(pattern)) {
      matches = globSync(pattern, { cwd: projectRoot, absolute: true, onlyFiles: true, expandDirectories: false }).sort();
      if (matches.length === 0) {
        throw new SourcesError(`option "sources": the pattern "${pattern}" matches no file in ${projectRoot}; fix the pattern or list the C files of the target`);
      }
    } else {
      const path = resolve(projectRoot, pattern);
      if (!existsSync(path)) throw new SourcesError(`option "sources": ${pattern} does not exist in ${projectRoot}; fix the path or remove it`);
      matches = [path];
    }
    for (const m of matches) if (!out.includes(m)) out.push(m);
  }
  return out;
}
