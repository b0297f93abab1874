// A throw-away Nx workspace that uses this repo's built packages through a
// node_modules symlink, with the real nx CLI — what a user's monorepo looks like.
import { cpSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { execa } from 'execa';

export const REPO = resolve(__dirname, '../..');

export interface TempWorkspace {
  root: string;
  nx(args: string[], env?: Record<string, string>): Promise<{ exitCode: number; output: string }>;
  read(path: string): string;
  write(path: string, text: string): void;
  report(project: string): AutoparReport;
  dispose(): void;
}

export interface AutoparReport {
  kernels: Array<{
    kernel: string;
    outcome: 'cache-hit' | 'generated' | 'original';
    reason: string;
    key: string;
    chosen: { label: string; proposer: { kind: string; model?: string; modelDigest?: string } } | null;
    candidates: Array<{ label: string; proposer: { kind: string }; verdict: { accepted: boolean; stage: string; reason: string; stages: Array<{ stage: string }> } }>;
  }>;
  artifact: string;
}

export function createWorkspace(projects: Record<string, string>): TempWorkspace {
  const root = mkdtempSync(join(tmpdir(), 'autopar-e2e-'));
  writeFileSync(join(root, 'package.json'), JSON.stringify({ name: 'e2e-ws', private: true }, null, 2));
  writeFileSync(
    join(root, 'nx.json'),
    JSON.stringify({ plugins: ['@autopar/nx'], namedInputs: { default: ['{projectRoot}/**/*'] } }, null, 2),
  );
  symlinkSync(join(REPO, 'node_modules'), join(root, 'node_modules'));
  for (const [dir, fixture] of Object.entries(projects)) {
    mkdirSync(join(root, dir), { recursive: true });
    cpSync(fixture, join(root, dir), { recursive: true });
  }
  return {
    root,
    async nx(args, env = {}) {
      const r = await execa(join(root, 'node_modules/.bin/nx'), args, {
        cwd: root,
        reject: false,
        all: true,
        env: { NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false', NX_SKIP_NX_CACHE: 'true', CI: 'true', ...env },
        timeout: 600_000,
      });
      return { exitCode: r.exitCode ?? -1, output: r.all ?? '' };
    },
    read: (p) => readFileSync(join(root, p), 'utf8'),
    write: (p, t) => writeFileSync(join(root, p), t),
    report: (project) => JSON.parse(readFileSync(join(root, 'dist/kernels', project, 'autopar-report.json'), 'utf8')),
    dispose: () => rmSync(root, { recursive: true, force: true }),
  };
}
