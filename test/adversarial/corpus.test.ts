// Adversarial corpus: every case under test/adversarial/<kernel>/*.c goes through
// `autopar verify --json` and must get what its header expects (accept, or reject at one
// of the named stages with a reason matching the header's regex).
//
// One case costs 5-60 s of verifier time (compile, differential test at 3 thread counts,
// sanitizers), so the whole corpus takes about 20 minutes. It is part of `npm test`:
//   npx vitest run test/adversarial
//   AUTOPAR_ADVERSARIAL_KERNEL=bfs AUTOPAR_ADVERSARIAL_CASE=race npx vitest run test/adversarial
//   AUTOPAR_ADVERSARIAL=0 npm test                  (everything else, quickly)
// Needs the CLI built: npx tsc -b packages/core.
import { existsSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
// @ts-ignore — plain ESM helper shared with tools/adversarial-table.mjs (no type declarations)
import { CLI, DEFAULT_TIMEOUT_S, judge, loadCases, runCase } from '../../tools/adversarial-table.mjs';

interface Case {
  kernel: string;
  name: string;
  file: string;
  category: string;
  header: { expect: 'accept' | 'reject'; stages?: string[]; reason?: RegExp; reasonText?: string; why: string };
}

const cases: Case[] = loadCases({
  kernel: process.env.AUTOPAR_ADVERSARIAL_KERNEL || undefined,
  caseFilter: process.env.AUTOPAR_ADVERSARIAL_CASE || undefined,
});
// Part of `npm test` (CI). Skipped only where the CLI was not built (`npx tsc -b packages/core`)
// or when AUTOPAR_ADVERSARIAL=0 asks for a quick local run.
const run = process.env.AUTOPAR_ADVERSARIAL !== '0' && existsSync(CLI);

describe('adversarial corpus: headers', () => {
  test('corpus size and spread (>= 60 reject, >= 20 accept, every kernel >= 4)', () => {
    const all: Case[] = loadCases();
    const perKernel = new Map<string, number>();
    for (const c of all) perKernel.set(c.kernel, (perKernel.get(c.kernel) ?? 0) + 1);
    expect(all.filter((c) => c.header.expect === 'reject').length).toBeGreaterThanOrEqual(60);
    expect(all.filter((c) => c.header.expect === 'accept').length).toBeGreaterThanOrEqual(20);
    expect(perKernel.size).toBe(11);
    for (const [, n] of perKernel) expect(n).toBeGreaterThanOrEqual(4);
  });
});

describe.skipIf(!run)('adversarial corpus through `autopar verify` (run: npx vitest run test/adversarial)', () => {
  // Sequential on purpose: benchmarks and timing-based limits must not share the 2 cores.
  test.each(cases.map((c) => [`${c.kernel}/${c.name}`, c] as const))(
    '%s',
    async (_label, c) => {
      const r = await runCase(c, { timeoutS: DEFAULT_TIMEOUT_S, skipBench: true });
      const j = judge(c, r);
      const got = r.error ?? (r.verdict.accepted ? `accepted: ${r.verdict.reason}` : `${r.verdict.stage}: ${r.verdict.reason}`);
      const want = c.header.expect === 'accept' ? 'accept' : `reject at ${c.header.stages!.join('|')} with /${c.header.reasonText}/i`;
      // One assertion with everything a reader needs when it fails.
      expect({ ok: j.ok, problem: j.why, want, got }).toEqual({ ok: true, problem: '', want, got: expect.any(String) });
    },
    (DEFAULT_TIMEOUT_S + 30) * 1000,
  );
});
