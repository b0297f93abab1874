// Compilers as proposers: the original kernel compiled with a different compiler or
// optimizer (clang + Polly, gcc's autoparallelizer) is a candidate like any other. No
// classical tool is safe blindly (Polly makes some kernels much faster and others slower),
// so each recipe goes through the same verifier and benchmark as a model's candidate, and
// the build links the fastest verified one. A recipe's variant is the kernel's own text
// compiled with the recipe in a translation unit of its own (kernel/own-tu.ts).
import { availableParallelism } from 'node:os';
import { execa } from 'execa';
import { OwnTuError, splitKernelTu } from '../kernel/own-tu.js';
import type { Rejection } from './model-forms.js';
import type { Candidate, CompileRecipe, ProposeRequest, Proposer, ProposerIdentity } from './types.js';

// compiler-recipes/2: Polly's packing buffers bounded (POLLY below).
// compiler-recipes/3: aligned-loops, also applied to the other proposer's candidates.
export const COMPILER_PROPOSER_VERSION = 'compiler-recipes/3';

export const RECIPE_NAMES = ['clang-O3', 'clang-polly', 'clang-polly-parallel', 'gcc-autopar', 'aligned-loops'] as const;
export type RecipeName = (typeof RECIPE_NAMES)[number];

/**
 * Recipes that compose with rewritten text: besides the original kernel, every candidate of
 * the proposer beside them (the analyzer's plans, a model's functions) is also proposed
 * compiled with them. The others transform the code themselves (Polly, gcc's
 * autoparallelizer) or use another OpenMP runtime (clang -fopenmp needs LLVM's libomp, the
 * build links gcc's libgomp), so they apply to the original only.
 */
const COMBINES_WITH_CANDIDATES: ReadonlySet<string> = new Set(['aligned-loops']);

/** The label of the candidate a twin was made from (`<label>+<recipe>`), or undefined for any other candidate. */
export function twinBaseLabel(label: string, recipeName: string | undefined): string | undefined {
  if (!recipeName || !COMBINES_WITH_CANDIDATES.has(recipeName) || !label.endsWith(`+${recipeName}`)) return undefined;
  return label.slice(0, -(recipeName.length + 1));
}

// Where a small hot loop starts relative to the 32-byte instruction fetch and op-cache
// windows changed its speed 1.7x on this project's machine (conv2d's accumulated row loop:
// the same instructions, moved 16 bytes by an unrelated `if`). With the kernel in a
// translation unit of its own and its loops aligned to 32 bytes, the loop's placement no
// longer depends on where the linker puts the file: the speed the verifier measured in its
// harness is the speed of the linked program. The padding runs once per loop entry, so it
// can cost where inner loops are very short — the benchmark decides, as for any candidate.
const ALIGN_LOOPS = '-falign-loops=32';

/** What the recipes need that the build's options say. */
export interface RecipeContext {
  /** The build's compiler (gcc's autoparallelizer recipe uses it). */
  cc: string;
  /** The build's flags: -D, -U, -I, -std= and -m flags carry over (they can change what the kernel means). */
  cflags: string[];
  /** clang with Polly (default clang-19, or AUTOPAR_RECIPE_CLANG). */
  clang?: string;
}

/** The build's -D, -U, -I, -std= and -m flags (with the value of a separate `-I dir`). */
function carried(cflags: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < cflags.length; i++) {
    const f = cflags[i]!;
    if (/^-[DUI]$/.test(f) && i + 1 < cflags.length) out.push(f, cflags[++i]!);
    else if (/^-(D|U|I|std=|m)/.test(f)) out.push(f);
  }
  return out;
}
// Polly's matrix-multiply optimization packs operands into local arrays sized from the
// target's caches: 3.3 MB of stack frame for a plain dense matmul here, which the verifier's
// stack-headroom check (a caller or worker with 1/8 of the usual stack) rightly refuses.
// A smaller macro-kernel width (Nc = 32 × Nr) bounds the frame to about 0.6 MB and kept
// about three quarters of the speed in one measurement on this machine (5.5x vs 7.5x over
// gcc -O3 on a 768² matmul); kernels Polly does not pattern-match are unaffected.
const POLLY = ['-mllvm', '-polly', '-mllvm', '-polly-pattern-matching-nc-quotient=32'];
const POLLY_PARALLEL = [...POLLY, '-mllvm', '-polly-parallel'];

/** The recipe's flags, before the compiler is probed. */
function recipeFlags(name: RecipeName, ctx: RecipeContext): Omit<CompileRecipe, 'version'> {
  const clang = ctx.clang ?? process.env.AUTOPAR_RECIPE_CLANG ?? 'clang-19';
  const keep = carried(ctx.cflags);
  switch (name) {
    case 'clang-O3':
      return { name, cc: clang, cflags: ['-O3', ...keep], transformFlags: [], raceFlags: [] };
    case 'clang-polly':
      // Single-thread tiling and interchange.
      return { name, cc: clang, cflags: ['-O3', ...POLLY, ...keep], transformFlags: POLLY, raceFlags: POLLY };
    case 'clang-polly-parallel':
      // Polly's default (GNU) OpenMP backend calls libgomp, which the build already links.
      return { name, cc: clang, cflags: ['-O3', ...POLLY_PARALLEL, ...keep], transformFlags: POLLY_PARALLEL, raceFlags: POLLY_PARALLEL };
    case 'aligned-loops':
      // The build's own compiler and every flag of the build (the kernel's OpenMP pragmas
      // need -fopenmp), plus the alignment; nothing changes what the code computes.
      return { name, cc: ctx.cc, cflags: [...ctx.cflags.filter((f) => !f.startsWith('-falign-loops')), ALIGN_LOOPS], transformFlags: [], raceFlags: [] };
    case 'gcc-autopar': {
      // gcc bakes the thread count into the binary: it is in the name, so the key and the
      // report say which machine shape the variant was verified for.
      const n = availableParallelism();
      const flag = `-ftree-parallelize-loops=${n}`;
      return { name: `gcc-autopar-${n}`, cc: ctx.cc, cflags: ['-O3', flag, ...keep], transformFlags: [flag], raceFlags: null };
    }
  }
}

const probes = new Map<string, Promise<{ ok: true; version: string } | { ok: false; why: string }>>();

/** Whether `cc` exists and accepts the recipe's flags; memoized per (cc, flags). */
function probe(cc: string, flags: string[]): Promise<{ ok: true; version: string } | { ok: false; why: string }> {
  const id = `${cc}\0${flags.join(' ')}`;
  let p = probes.get(id);
  if (!p) {
    p = (async () => {
      const v = await execa(cc, ['--version'], { reject: false, timeout: 30_000 });
      if (v.exitCode !== 0) return { ok: false as const, why: `${cc} not found` };
      const c = await execa(cc, [...flags, '-x', 'c', '-c', '-', '-o', '/dev/null'], { input: 'int f(int n, double *a) { for (int i = 0; i < n; i++) a[i] += 1; return 0; }\n', reject: false, timeout: 60_000 });
      if (c.exitCode !== 0) return { ok: false as const, why: `${cc} rejects ${flags.join(' ')} (${String(c.stderr).split('\n')[0]})` };
      return { ok: true as const, version: String(v.stdout).split('\n')[0]!.trim() };
    })();
    probes.set(id, p);
  }
  return p;
}

/** The recipes usable here, and why the others are not (for the build's note). */
export async function availableRecipes(names: readonly RecipeName[], ctx: RecipeContext): Promise<{ recipes: CompileRecipe[]; unavailable: string[] }> {
  const recipes: CompileRecipe[] = [];
  const unavailable: string[] = [];
  for (const name of names) {
    const r = recipeFlags(name, ctx);
    if (r.transformFlags.some((f) => /parallel/.test(f)) && !ctx.cflags.includes('-fopenmp')) {
      unavailable.push(`${name}: the build's cflags have no -fopenmp, so the OpenMP runtime its threads need is not linked`);
      continue;
    }
    const p = await probe(r.cc, r.cflags);
    if (p.ok) recipes.push({ ...r, version: p.version });
    else unavailable.push(`${name}: ${p.why}${/clang/.test(r.cc) ? ' (apt-get install clang-19 libpolly-19-dev)' : ''}`);
  }
  return { recipes, unavailable };
}

export function parseRecipeNames(value: string | readonly string[] | undefined, where: string): RecipeName[] {
  if (value === undefined) return [];
  const list = typeof value === 'string' ? value.split(',').map((s) => s.trim()).filter(Boolean) : [...value];
  if (list.length === 1 && list[0] === 'none') return [];
  if (list.length === 1 && list[0] === 'all') return [...RECIPE_NAMES];
  for (const n of list) {
    if (!(RECIPE_NAMES as readonly string[]).includes(n)) throw new Error(`${where}: unknown compile recipe "${n}"; use any of ${RECIPE_NAMES.join(', ')}, "all" or "none"`);
  }
  return list as RecipeName[];
}

/** Proposes the original kernel once per available recipe. */
export class CompilerRecipeProposer implements Proposer {
  constructor(private readonly recipes: CompileRecipe[]) {}

  async identify(): Promise<ProposerIdentity> {
    // The compiler versions are in the identity: an upgraded clang re-verifies its variants.
    return { kind: 'compiler', version: COMPILER_PROPOSER_VERSION, options: { recipes: this.recipes.map(({ name, cc, cflags, version }) => ({ name, cc, cflags, version })) } };
  }

  async propose(req: ProposeRequest): Promise<Candidate[]> {
    if (this.recipes.length === 0) return [];
    try {
      // A kernel that cannot live in a translation unit of its own (file-static state) gets no recipe candidates.
      splitKernelTu(req.sourceText, req.sourcePath, req.unit);
    } catch (e) {
      if (e instanceof OwnTuError) return [];
      throw e;
    }
    const identity = await this.identify();
    return this.recipes.map((recipe) => ({ label: `recipe:${recipe.name}`, proposer: identity, functionText: req.unit.sourceText, recipe }));
  }

  /**
   * The other proposer's candidates compiled with each recipe that composes with rewritten
   * text (COMBINES_WITH_CANDIDATES): `analyzer:outer` becomes `analyzer:outer+aligned-loops`
   * beside itself. Candidates without text (a plan refused before it was applied), with a
   * recipe already, or whose text cannot be split into its own unit get no twin.
   */
  combine(req: ProposeRequest, candidates: Candidate[]): Candidate[] {
    const combining = this.recipes.filter((r) => COMBINES_WITH_CANDIDATES.has(r.name));
    const out: Candidate[] = [];
    for (const c of candidates) {
      if (!c.functionText || c.recipe || combining.length === 0) continue;
      try {
        splitKernelTu(req.sourceText, req.sourcePath, req.unit, c.functionText);
      } catch {
        // File-static state (OwnTuError), or text the splicer cannot place: the candidate
        // itself is still verified, and its compile stage says why.
        continue;
      }
      for (const recipe of combining) out.push({ ...c, label: `${c.label}+${recipe.name}`, recipe });
    }
    return out;
  }
}

/**
 * The build's proposer and the compilers side by side. When the proposer fails (model down,
 * budget spent) the failure is passed on as it would be without recipes: the kernel keeps
 * its original code and nothing is stored, so a later build asks again. With no proposer
 * at all (none could be resolved), the recipes propose alone.
 */
export class RecipePortfolio implements Proposer {
  constructor(
    private readonly base: Proposer | null,
    private readonly compiler: CompilerRecipeProposer,
    private readonly baseIdentity: ProposerIdentity,
    private readonly compilerIdentity: ProposerIdentity,
  ) {}

  async identify(): Promise<ProposerIdentity> {
    const keyed = ({ host: _host, ...rest }: ProposerIdentity): ProposerIdentity => rest;
    return { kind: 'portfolio', members: [keyed(this.baseIdentity), this.compilerIdentity] };
  }

  async propose(req: ProposeRequest): Promise<Candidate[]> {
    return (await this.proposeDetailed(req)).candidates;
  }

  /** As a model proposer's: why answers gave no candidate, kept for the report. */
  async proposeDetailed(req: ProposeRequest): Promise<{ candidates: Candidate[]; rejected: Rejection[] }> {
    const detailed = (this.base as { proposeDetailed?: (r: ProposeRequest) => Promise<{ candidates: Candidate[]; rejected: Rejection[] }> } | null)?.proposeDetailed;
    const fromBase = !this.base ? { candidates: [], rejected: [] } : detailed ? await detailed.call(this.base, req) : { candidates: await this.base.propose(req), rejected: [] };
    const combined = this.compiler.combine(req, fromBase.candidates);
    return { candidates: [...fromBase.candidates, ...combined, ...(await this.compiler.propose(req))], rejected: fromBase.rejected };
  }

  /** An analyzer + model portfolio's model failure for the last kernel, passed on for the log. */
  get lastModelFailure(): string | null {
    return (this.base as { lastModelFailure?: string | null } | null)?.lastModelFailure ?? null;
  }
}
