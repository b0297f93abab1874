import { describe, it, expect } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runStep } from './run-step.js';

const cwd = mkdtempSync(join(tmpdir(), 'autopar-step-'));

describe('runStep', () => {
  it('returns output and exit code', async () => {
    const r = await runStep(['sh', '-c', 'echo hi; exit 3'], { cwd, timeoutMs: 5000 });
    expect(r.exitCode).toBe(3);
    expect(r.stdout.trim()).toBe('hi');
    expect(r.timedOut).toBe(false);
  });
  it('kills the whole process group on timeout', async () => {
    const r = await runStep(['sh', '-c', 'sleep 30 & sleep 30; wait'], { cwd, timeoutMs: 300 });
    expect(r.timedOut).toBe(true);
    expect(r.durationMs).toBeLessThan(5000);
  });
  it('keeps only the tail of huge output', async () => {
    const r = await runStep(['sh', '-c', 'yes x | head -c 3000000'], { cwd, timeoutMs: 5000, maxOutputBytes: 1000 });
    expect(r.stdout.length).toBe(1000);
  });
});
