import { describe, expect, it } from 'vitest';
import { firstTimeInRun, isProposerNote } from './once-per-run';

describe('once per nx run', () => {
  it('lets the first task of a run print a line and silences the others', () => {
    const line = `autopar: test note ${process.pid}-${Date.now()} — using the built-in analyzer`;
    // Tasks of one run share their parent (the nx process): same parent pid, same answer.
    expect(firstTimeInRun(line, process.pid)).toBe(true);
    expect(firstTimeInRun(line, process.pid)).toBe(false);
    // Another run (another parent) prints it again.
    expect(firstTimeInRun(line, process.ppid)).toBe(true);
  });

  it('recognizes the proposer notes of pipeline/proposer.ts', () => {
    expect(isProposerNote('autopar: Ollama at x did not answer — using the built-in analyzer')).toBe(true);
    expect(isProposerNote('autopar: x — cached variants are used, changed kernels keep their original code')).toBe(true);
    expect(isProposerNote('autopar: matmul: cache hit')).toBe(false);
  });
});
