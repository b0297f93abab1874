// Compile recipes: names, what carries over from the build's flags, and what is skipped
// (with why) on a machine that cannot run a recipe.
import { describe, expect, it } from 'vitest';
import { availableParallelism } from 'node:os';
import { extractKernels } from '../kernel/extract.js';
import { availableRecipes, CompilerRecipeProposer, parseRecipeNames, RECIPE_NAMES } from './compiler.js';
import type { Candidate } from './types.js';

const KERNEL = `static int counter;
static double twice(double x) { return 2 * x; }
void k(int n, double *a) { for (int i = 0; i < n; i++) a[i] = twice(a[i]); }
void bumps(int n, double *a) { for (int i = 0; i < n; i++) { a[i] += 1; counter++; } }
`;

describe('compile recipes', () => {
  it('reads names, "all" and "none", and names the option when a name is wrong', () => {
    expect(parseRecipeNames('clang-O3, clang-polly', 'x')).toEqual(['clang-O3', 'clang-polly']);
    expect(parseRecipeNames(['gcc-autopar'], 'x')).toEqual(['gcc-autopar']);
    expect(parseRecipeNames('all', 'x')).toEqual([...RECIPE_NAMES]);
    expect(parseRecipeNames('none', 'x')).toEqual([]);
    expect(parseRecipeNames(undefined, 'x')).toEqual([]);
    expect(() => parseRecipeNames('polly', 'option "compilerRecipes"')).toThrow(/option "compilerRecipes": unknown compile recipe "polly"; use any of clang-O3, clang-polly, clang-polly-parallel, gcc-autopar/);
  });

  it('carries -D/-I/-std flags over, not -O or -fopenmp; gcc bakes the core count into its name', async () => {
    const { recipes, unavailable } = await availableRecipes(['clang-polly', 'gcc-autopar'], { cc: 'gcc', cflags: ['-O2', '-fopenmp', '-DN=4', '-std=c11', '-I', 'inc', '-g'] });
    expect(unavailable).toEqual([]);
    const polly = recipes.find((r) => r.name === 'clang-polly')!;
    expect(polly.cflags).toEqual(['-O3', '-mllvm', '-polly', '-mllvm', '-polly-pattern-matching-nc-quotient=32', '-DN=4', '-std=c11', '-I', 'inc']);
    expect(polly.version).toMatch(/clang version 19/);
    const gcc = recipes.find((r) => r.name.startsWith('gcc-autopar'))!;
    expect(gcc.name).toBe(`gcc-autopar-${availableParallelism()}`);
    expect(gcc.raceFlags).toBeNull();
  });

  it('skips what this machine cannot run and says why', async () => {
    const missing = await availableRecipes(['clang-O3'], { cc: 'gcc', cflags: ['-O3', '-fopenmp'], clang: '/nonexistent/clang' });
    expect(missing.recipes).toEqual([]);
    expect(missing.unavailable).toEqual(['clang-O3: /nonexistent/clang not found (apt-get install clang-19 libpolly-19-dev)']);
    const noOpenmp = await availableRecipes(['clang-polly-parallel'], { cc: 'gcc', cflags: ['-O3'] });
    expect(noOpenmp.unavailable[0]).toMatch(/^clang-polly-parallel: the build's cflags have no -fopenmp/);
  });

  it('proposes the kernel unchanged once per recipe, and nothing for a kernel that uses file-static state', async () => {
    const { recipes } = await availableRecipes(['clang-O3', 'clang-polly'], { cc: 'gcc', cflags: ['-O3', '-fopenmp'] });
    const proposer = new CompilerRecipeProposer(recipes);
    const [k, bumps] = extractKernels(KERNEL, 'k.c', ['k', 'bumps']);
    const req = (unit: typeof k) => ({ unit: unit!, spec: {} as never, sourceText: KERNEL, sourcePath: 'k.c' });
    const cands = await proposer.propose(req(k));
    expect(cands.map((c) => c.label)).toEqual(['recipe:clang-O3', 'recipe:clang-polly']);
    expect(cands.every((c) => c.functionText === k!.sourceText && c.proposer.kind === 'compiler')).toBe(true);
    expect(await proposer.propose(req(bumps))).toEqual([]);
  });

  it('aligned-loops keeps the build flags and composes with the other proposer\'s candidates; the other recipes do not', async () => {
    const { recipes } = await availableRecipes(['clang-O3', 'aligned-loops'], { cc: 'gcc', cflags: ['-O2', '-fopenmp', '-DN=4', '-falign-loops=16'] });
    const aligned = recipes.find((r) => r.name === 'aligned-loops')!;
    expect(aligned.cc).toBe('gcc');
    expect(aligned.cflags).toEqual(['-O2', '-fopenmp', '-DN=4', '-falign-loops=32']);
    expect(aligned.raceFlags).toEqual([]);
    const proposer = new CompilerRecipeProposer(recipes);
    const [k, bumps] = extractKernels(KERNEL, 'k.c', ['k', 'bumps']);
    const req = (unit: typeof k) => ({ unit: unit!, spec: {} as never, sourceText: KERNEL, sourcePath: 'k.c' });
    const analyzer = { kind: 'analyzer', version: 'x' } as const;
    const parallel = 'void k(int n, double *a) {\n#pragma omp parallel for\nfor (int i = 0; i < n; i++) a[i] = twice(a[i]); }';
    const base: Candidate[] = [
      { label: 'analyzer:outer', proposer: analyzer, functionText: parallel },
      { label: 'analyzer:refused', proposer: analyzer, functionText: '' },
    ];
    const twins = proposer.combine(req(k), base);
    expect(twins.map((c) => c.label)).toEqual(['analyzer:outer+aligned-loops']);
    expect(twins[0]!.functionText).toBe(parallel);
    expect(twins[0]!.recipe).toBe(aligned);
    expect(twins[0]!.proposer).toBe(analyzer);
    // A kernel that cannot live in its own unit gets no twin (its plain candidate is still verified).
    expect(proposer.combine(req(bumps), [{ label: 'analyzer:outer', proposer: analyzer, functionText: bumps!.sourceText }])).toEqual([]);
  });
});
