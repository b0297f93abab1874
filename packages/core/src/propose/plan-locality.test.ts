// Distribution + interchange, selection (argmin/argmax) reductions and if-thresholds:
// legality (legal and illegal cases) and applied text that compiles and computes the same.
import { describe, expect, test } from 'vitest';
import { checkPlan } from '../analysis/legality.js';
import { candidatesFor } from './analyzer.js';
import { validatePlan, type Plan } from './plan.js';
import { applyPlan } from './plan-apply.js';
import { plan, runBoth, spec, stateOf } from './locality-corpus.testkit.js';

describe('distribution + interchange', () => {
  test('gemm with an init statement: distribute j, interchange j/k (i-k-j), simd on j; same results bitwise', () => {
    const s = stateOf('gemm_init');
    const p = plan('gemm_init', [{ loop: 'L1', action: 'parallel-for' }, { loop: 'L1.1', action: 'simd' }],
      [{ kind: 'distribute', loop: 'L1.1' }, { kind: 'interchange', loop: 'L1.1', with: 'L1.1.1' }]);
    expect(validatePlan(p).ok).toBe(true);
    const r = checkPlan(s, p);
    expect(r.errors).toEqual([]);
    const { functionText } = applyPlan(s, p);
    expect(functionText.indexOf('for (int k')).toBeLessThan(functionText.lastIndexOf('for (int j'));
    const driver = `int main(void){ int n=37; static double A[37*37],B[37*37],C[37*37]; for(int i=0;i<n*n;i++){A[i]=sin(i);B[i]=cos(3*i);} gemm_init(n,A,B,C); for(int i=0;i<n*n;i++) printf("%a\\n",C[i]); return 0; }`;
    const [a, b] = runBoth('gemm_init', functionText, driver);
    expect(b).toBe(a);
  });
  test('interchange of the imperfect nest without distribution is refused, and says why', () => {
    const s = stateOf('gemm_init');
    const r = checkPlan(s, plan('gemm_init', [], [{ kind: 'interchange', loop: 'L1.1', with: 'L1.1.1' }]));
    expect(r.ok).toBe(false);
    expect(r.errors.join()).toMatch(/not perfectly nested.*distribute/);
  });
  test('PolyBench gemm (C *= beta) gets a distribute-interchange candidate', () => {
    const s = stateOf('gemm_beta');
    const labels = candidatesFor(s).map((c) => c.label);
    expect(labels).toContain('analyzer:distribute-interchange');
  });
  test('distribution that would reverse a dependence is refused', () => {
    const s = stateOf('dist_backward');
    const r = checkPlan(s, plan('dist_backward', [], [{ kind: 'distribute', loop: 'L1' }]));
    expect(r.ok).toBe(false);
    expect(r.errors.join()).toMatch(/distribute loop L1.*y\[j - 1\].*later iteration/);
  });
  test('distribution that separates a scalar from its use is refused', () => {
    const s = stateOf('dist_scalar');
    const r = checkPlan(s, plan('dist_scalar', [], [{ kind: 'distribute', loop: 'L1' }]));
    expect(r.errors.join()).toMatch(/scalar s/);
  });
  test('interchange blocked by a (<,>) dependence', () => {
    const s = stateOf('skew', false);
    const r = checkPlan(s, plan('skew', [], [{ kind: 'interchange', loop: 'L1', with: 'L1.1' }]));
    expect(r.ok).toBe(false);
    expect(r.errors.join()).toMatch(/would reverse the dependence/);
  });
});

describe('tiled interchange (i-k-j with k and j tiled)', () => {
  const tiledPlan = (size: number, loops: Plan['loops'] = [{ loop: 'L1', action: 'parallel-for' }, { loop: 'L1.1:point', action: 'simd' }]) =>
    plan('gemm_init', loops, [{ kind: 'distribute', loop: 'L1.1' }, { kind: 'interchange', loop: 'L1.1', with: 'L1.1.1' }, { kind: 'tile', loop: 'L1.1.1', size }]);
  test('distribute, interchange j/k, tile (k, j): legal, compiles, same results bitwise (k order per element kept)', () => {
    const s = stateOf('gemm_init');
    const p = tiledPlan(8);
    expect(validatePlan(p).ok).toBe(true);
    expect(checkPlan(s, p).errors).toEqual([]);
    const { functionText } = applyPlan(s, p);
    expect(functionText).toMatch(/for \(int k_tile[^]*for \(int j_tile[^]*for \(int k = k_tile[^]*#pragma omp simd\s*for \(int j = j_tile/);
    const driver = `int main(void){ int n=37; static double A[37*37],B[37*37],C[37*37]; for(int i=0;i<n*n;i++){A[i]=sin(i);B[i]=cos(3*i);} gemm_init(n,A,B,C); for(int i=0;i<n*n;i++) printf("%a\\n",C[i]); return 0; }`;
    const [a, b] = runBoth('gemm_init', functionText, driver);
    expect(b).toBe(a);
  });
  test('the analyzer proposes at most two tile sizes for gemm shapes', () => {
    const labels = candidatesFor(stateOf('gemm_beta')).map((c) => c.label).filter((l) => l.includes('tiled'));
    expect(labels).toEqual(['analyzer:tiled-64', 'analyzer:tiled-256']);
  });
  test('simd on the k point loop (which carries C[i][j] +=) is refused', () => {
    const s = stateOf('gemm_init');
    const r = checkPlan(s, tiledPlan(16, [{ loop: 'L1.1.1:point', action: 'simd' }]));
    expect(r.ok).toBe(false);
    expect(r.errors.join()).toMatch(/L1\.1\.1.*carries a dependence on C/);
  });
  test('tiling the old outer loop of an interchanged pair is refused and names the loop to tile', () => {
    const s = stateOf('gemm_init');
    const p = plan('gemm_init', [], [{ kind: 'distribute', loop: 'L1.1' }, { kind: 'interchange', loop: 'L1.1', with: 'L1.1.1' }, { kind: 'tile', loop: 'L1.1', size: 16 }]);
    expect(checkPlan(s, p).errors.join()).toMatch(/tile L1\.1\.1/);
  });
  test('a band with a (<,>) dependence is not fully permutable: interchange + tile refused', () => {
    const s = stateOf('skew', false);
    const r = checkPlan(s, plan('skew', [], [{ kind: 'interchange', loop: 'L1', with: 'L1.1' }, { kind: 'tile', loop: 'L1.1', size: 16 }]));
    expect(r.ok).toBe(false);
    expect(r.errors.join()).toMatch(/would reverse the dependence/);
    const t = checkPlan(s, plan('skew', [], [{ kind: 'tile', loop: 'L1', size: 16 }]));
    expect(t.ok).toBe(false);
  });
});

describe('hoisted region with simd rows; per-iteration scratch arrays', () => {
  test('jacobi-shaped time loop gets a hoist-simd candidate that computes the same', () => {
    const s = stateOf('jacobi_t');
    const c = candidatesFor(s).find((x) => x.label === 'analyzer:hoist-simd');
    expect(c).toBeDefined();
    expect(c!.functionText).toMatch(/#pragma omp parallel[^]*#pragma omp for[^]*#pragma omp simd/);
    const driver = `int main(void){ int n=29; static double A[29*29],B[29*29]; for(int i=0;i<n*n;i++){A[i]=sin(i);B[i]=0;} jacobi_t(5,n,A,B); for(int i=0;i<n*n;i++) printf("%a\\n",A[i]); return 0; }`;
    const [a, b] = runBoth('jacobi_t', c!.functionText, driver);
    expect(b).toBe(a);
  });
  test('a VLA declared in the row loop makes the row loop parallel (outer candidate), same results', () => {
    const s = stateOf('softmax_rows');
    expect(s.factsById.get('L1')!.parallel).toBe(true);
    const c = candidatesFor(s).find((x) => x.label === 'analyzer:outer')!;
    expect(c.plan.loops.map((l) => l.loop)).toEqual(['L1']);
    const driver = `int main(void){ int n=300, m=37; static double x[300*37], y[300*37]; for(int i=0;i<n*m;i++) x[i]=sin(i); softmax_rows(n,m,x,y); for(int i=0;i<n*m;i++) printf("%a\\n",y[i]); return 0; }`;
    const [a, b] = runBoth('softmax_rows', c.functionText, driver);
    expect(b).toBe(a);
  });
});

describe('slices', () => {
  test('slice stride n with 0 <= i < n: batch loop parallel; stride m unknown to cover n: not', () => {
    expect(stateOf('slice_ok', false).factsById.get('L1')!.parallel).toBe(true);
    expect(stateOf('slice_short', false).factsById.get('L1')!.parallel).toBe(false);
    const u = stateOf('slice_unknown', false).factsById.get('L1')!;
    expect(u.parallel).toBe(false);
    expect(u.reasons.join()).toMatch(/xr\[j\]/);
  });
});

describe('selection (argmin / argmax)', () => {
  test('guarded argmin becomes a parallel selection with the serial result (ties to the lowest index)', () => {
    const s = stateOf('argmin_sel');
    const cands = candidatesFor(s);
    const c = cands.find((x) => x.label === 'analyzer:select');
    expect(c).toBeDefined();
    expect(checkPlan(s, c!.plan).ok).toBe(true);
    // Ties everywhere (values in {0,1,2}), a guard, n large enough to run in parallel.
    const driver = `int main(void){ int n=10007; static double d[10007]; static int done[10007]; for(int i=0;i<n;i++){d[i]=(double)((i*7919)%3); done[i]=(i%5)==0;} int out=0; argmin_sel(n,d,done,&out); printf("%d\\n",out); for(int i=0;i<n;i++) done[i]=1; argmin_sel(n,d,done,&out); printf("%d\\n",out); return 0; }`;
    const [a, b] = runBoth('argmin_sel', c!.functionText, driver);
    expect(b).toBe(a);
  });
  test('argmax written as bd < d[v] is recognised', () => {
    const s = stateOf('argmax_sel');
    const p = plan('argmax_sel', [{ loop: 'L1', action: 'parallel-for', select: { op: 'max', value: 'bd', index: 'best' } }]);
    expect(checkPlan(s, p).errors).toEqual([]);
    const driver = `int main(void){ int n=5003; static double d[5003]; for(int i=0;i<n;i++) d[i]=(double)((i*31)%17); int out=0; argmax_sel(n,d,&out); printf("%d\\n",out); return 0; }`;
    const [a, b] = runBoth('argmax_sel', applyPlan(s, p).functionText, driver);
    expect(b).toBe(a);
  });
  test('<= (last index of a tie) is not a selection; a wrong op is refused', () => {
    const le = stateOf('argmin_le');
    expect(checkPlan(le, plan('argmin_le', [{ loop: 'L1', action: 'parallel-for', select: { op: 'min', value: 'bd', index: 'best' } }])).ok).toBe(false);
    const s = stateOf('argmin_sel');
    expect(checkPlan(s, plan('argmin_sel', [{ loop: 'L1', action: 'parallel-for', select: { op: 'max', value: 'bd', index: 'best' } }])).ok).toBe(false);
    expect(checkPlan(s, plan('argmin_sel', [{ loop: 'L1', action: 'parallel-for' }])).ok).toBe(false);
  });
});

// Prim's rounds on a dense graph: ties everywhere (weights in {1,2,3}), so the lowest-index
// rule decides most rounds; an unreachable tail; then n = 0 and n = 1.
const primDriver = `int main(void){ int n=301; static double w[301*301], key[301]; static int parent[301], in_tree[301];
      for(int i=0;i<n;i++) for(int j=0;j<n;j++) w[i*n+j] = (i>=290||j>=290) ? HUGE_VAL : (double)(1 + (i*7+j*13)%3);
      for (int rep=0; rep<2; rep++) { prim_rounds(n,w,key,parent,in_tree); for(int i=0;i<n;i++) printf("%d %a %d\\n",parent[i],key[i],in_tree[i]); }
      prim_rounds(0,w,key,parent,in_tree); prim_rounds(1,w,key,parent,in_tree); printf("%d %a\\n",parent[0],key[0]); return 0; }`;

describe('selection in a serial round loop (hoisted region)', () => {
  test("Prim's rounds: one region around the rounds, the selection combined by every thread after a barrier; same tree", () => {
    const s = stateOf('prim_rounds');
    const c = candidatesFor(s).find((x) => x.label === 'analyzer:hoist-select');
    expect(c).toBeDefined();
    expect(checkPlan(s, c!.plan).errors).toEqual([]);
    expect(c!.plan.transforms).toContainEqual({ kind: 'hoist-parallel-region', loop: 'L2' });
    // One region for the rounds (besides the init loop's), no critical section, the exit outside the single block.
    expect(c!.functionText.match(/#pragma omp parallel\n/g)).toHaveLength(1);
    expect(c!.functionText).not.toContain('critical');
    expect(c!.functionText).toMatch(/#pragma omp barrier[\s\S]*if \(u < 0\)\s*break;\s*#pragma omp single\s*\{\s*in_tree\[u\] = 1;\s*\}\s*#pragma omp for/);
    const [a, b] = runBoth('prim_rounds', c!.functionText, primDriver);
    expect(b).toBe(a);
  });
  test('refused, and says why: selection scalars outside the round loop; an exit that reads memory; a return', () => {
    const sel = (value: string, index: string) => [{ loop: 'L1.1', action: 'parallel-for' as const, select: { op: 'min' as const, value, index }, schedule: { kind: 'static' as const } }];
    const hoist = [{ kind: 'hoist-parallel-region' as const, loop: 'L1' }];
    const outer = checkPlan(stateOf('rounds_outer_scalars'), plan('rounds_outer_scalars', sel('bd', 'best'), hoist));
    expect(outer.errors.join()).toMatch(/bd and best must be declared in the body of L1/);
    const exits = checkPlan(stateOf('rounds_memory_exit'), plan('rounds_memory_exit', sel('bd', 'best'), hoist));
    expect(exits.errors.join()).toMatch(/break \(line 13\) would leave the parallel region/);
    expect(exits.errors.join()).toMatch(/return \(line 15\) would leave the parallel region/);
    for (const fn of ['rounds_outer_scalars', 'rounds_memory_exit']) expect(candidatesFor(stateOf(fn)).map((x) => x.label)).not.toContain('analyzer:hoist-select');
  });
});

describe('if thresholds', () => {
  test('parallel loops get an if() clause over the trip counts, accepted by the gate', () => {
    const s = stateOf('gemm_init');
    const c = candidatesFor(s).find((x) => x.label === 'analyzer:outer')!;
    const lp = c.plan.loops.find((l) => l.loop === 'L1')!;
    expect(lp.ifThreshold).toMatch(/^\(double\)n \* n \* n > \d+$/);
    expect(c.functionText).toContain(`if(${lp.ifThreshold})`);
    expect(checkPlan(s, c.plan).ok).toBe(true);
  });
});

describe('owner-computes rounds (one barrier per round)', () => {
  test("Prim's rounds: the key update runs on each thread's own block, no single block and one barrier per round; same tree", () => {
    const s = stateOf('prim_rounds');
    const c = candidatesFor(s).find((x) => x.label === 'analyzer:hoist-select-owner');
    expect(c).toBeDefined();
    expect(checkPlan(s, c!.plan).errors).toEqual([]);
    expect(c!.plan.transforms).toContainEqual({ kind: 'owner-computes', loop: 'L2' });
    expect(c!.functionText).not.toMatch(/omp single|omp for|critical/);
    expect(c!.functionText.match(/#pragma omp barrier/g)).toHaveLength(1);
    // in_tree[u] only by u's owner; the update loop over the thread's block.
    expect(c!.functionText).toMatch(/\(long long\)\(u\) >= autopar_lo\)[^\n]*\) in_tree\[u\] = 1;/);
    expect(c!.functionText).toMatch(/for \(int v = \(int\)autopar_lo; v < \(int\)autopar_hi; v\+\+\) \{\s*if \(!in_tree\[v\] && w\[u \* n \+ v\] < key\[v\]\)/);
    const [a, b] = runBoth('prim_rounds', c!.functionText, primDriver);
    expect(b).toBe(a);
  });
  test('Dijkstra over CSR: the relaxation runs on the target\'s owner, dist[best] from a shadow; same distances with self loops of negative weight', () => {
    const s = stateOf('sssp_rounds');
    const c = candidatesFor(s).find((x) => x.label === 'analyzer:hoist-select-owner');
    expect(c).toBeDefined();
    expect(c!.functionText).toContain('double dist_shadow = bd;');
    expect(c!.functionText).toContain('double nd = dist_shadow + wt[e];');
    expect(c!.functionText).toMatch(/if \(\(\(autopar_t == 0 \|\| \(long long\)\(u\) >= autopar_lo\)[^\n]*\) \|\| u == best\) \{/);
    expect(c!.functionText).toContain('if (nd < (u == best ? dist_shadow : dist[u]))');
    // Every third vertex has a self loop of weight -0.25 among its out-edges (columns sorted): it
    // lowers dist[best] in the middle of the round, and the later edges of the round add to the
    // lowered value. Unreachable vertices at the end; several thread counts through the sizes.
    const driver = `int main(void){ enum { N = 211, D = 4 }; static int rowptr[N+1], cols[N*D]; static double wt[N*D], dist[N]; static int done[N];
      for (int v=0; v<N; v++) { int c[D] = { (v*7+1)%N, (v*13+5)%N, (v+1)%N, v }; int m = v%3==0 ? D : D-1;
        for (int a=0; a<m; a++) for (int b=a+1; b<m; b++) if (c[b] < c[a]) { int t=c[a]; c[a]=c[b]; c[b]=t; }
        rowptr[v+1] = rowptr[v];
        for (int a=0; a<m; a++) { if (v >= N-6 || c[a] >= N-6) continue; int e = rowptr[v+1]++; cols[e] = c[a]; wt[e] = c[a]==v ? -0.25 : 0.5 + ((v*31 + c[a]*17) % 23) / 7.0; } }
      for (int n=0; n<=N; n += (n < 8 ? 1 : 41)) { sssp_rounds(n,rowptr,cols,wt,dist,done); for (int v=0; v<n; v++) printf("%d %a %d\\n", n, dist[v], done[v]); }
      return 0; }`;
    const [a, b] = runBoth('sssp_rounds', c!.functionText, driver);
    expect(a).toMatch(/-0x/); // the self loops made some distances negative
    expect(b).toBe(a);
    const laned = candidatesFor(s).find((x) => x.label === 'analyzer:hoist-select-owner-lanes')!;
    expect(runBoth('sssp_rounds', laned.functionText, driver)[1]).toBe(a);
  });
  test('four (value, index) pairs per thread: interleaved elements, combined by value then lower index; same results with ties everywhere', () => {
    for (const fn of ['prim_rounds', 'sssp_rounds']) {
      const s = stateOf(fn);
      const c = candidatesFor(s).find((x) => x.label === 'analyzer:hoist-select-owner-lanes');
      expect(c, fn).toBeDefined();
      expect(checkPlan(s, c!.plan).errors).toEqual([]);
      expect(c!.plan.loops.find((l) => l.select)!.select!.lanes).toBe(4);
      expect(c!.functionText).toMatch(/for \(; autopar_hi - v > 3; v \+= 4\) \{/);
    }
    const prim = candidatesFor(stateOf('prim_rounds')).find((x) => x.label === 'analyzer:hoist-select-owner-lanes')!;
    expect(prim.functionText).toContain('if (ku_lane3 < ku || (ku_lane3 == ku && u_lane3 < u)) { ku = ku_lane3; u = u_lane3; }');
    const [a, b] = runBoth('prim_rounds', prim.functionText, primDriver);
    expect(b).toBe(a);
    // Lanes outside an owner-computes round are refused.
    const lanesAlone = checkPlan(stateOf('prim_rounds'), plan('prim_rounds', [{ loop: 'L2.1', action: 'parallel-for', select: { op: 'min', value: 'ku', index: 'u', lanes: 4 }, schedule: { kind: 'static' } }], [{ kind: 'hoist-parallel-region', loop: 'L2' }]));
    expect(lanesAlone.errors.join()).toMatch(/L2\.1: select lanes only in the selection loop of an owner-computes round/);
  });
  test('refused, and says why: a read of another element than the target or the selected one; a store at the round\'s index', () => {
    const neighbour = stateOf('rounds_neighbour');
    const hoist = [{ kind: 'hoist-parallel-region' as const, loop: 'L1' }, { kind: 'owner-computes' as const, loop: 'L1' }];
    const sel = [{ loop: 'L1.1', action: 'parallel-for' as const, select: { op: 'min' as const, value: 'bd', index: 'best' }, schedule: { kind: 'static' as const } }];
    expect(checkPlan(neighbour, plan('rounds_neighbour', sel, hoist)).errors.join()).toMatch(/owner-computes L1: .*reads dist\[u \+ 1\] \(line 17\); only dist\[best\] and, after its declaration, dist\[u\] may be read here/);
    expect(checkPlan(stateOf('rounds_order'), plan('rounds_order', sel, hoist)).errors.join()).toMatch(/owner-computes L1: line 15: order\[k\] is not a store at the selected index best/);
    // The shadow starts as the selected value: only right when something was selected.
    expect(checkPlan(stateOf('rounds_no_exit'), plan('rounds_no_exit', sel, hoist)).errors.join()).toMatch(/owner-computes L1: L1\.2 reads best's element before an exit such as `if \(best < 0\) break;` leaves the rounds when the selection found nothing/);
    expect(checkPlan(stateOf('rounds_value_exit'), plan('rounds_value_exit', sel, hoist)).errors).toEqual([]);
    expect(checkPlan(stateOf('rounds_decay_first'), plan('rounds_decay_first', sel, hoist)).errors.join()).toMatch(/owner-computes L1: L1\.2 stores to dist, whose selected element the round reads from a per-thread copy/);
    for (const fn of ['rounds_neighbour', 'rounds_order', 'rounds_no_exit', 'rounds_decay_first']) {
      const labels = candidatesFor(stateOf(fn)).map((x) => x.label);
      expect(labels).toContain('analyzer:hoist-select');
      expect(labels).not.toContain('analyzer:hoist-select-owner');
    }
  });
  test('the plan must hoist the region and leave the round\'s other loops to the transform', () => {
    const s = stateOf('prim_rounds');
    const sel = { loop: 'L2.1', action: 'parallel-for' as const, select: { op: 'min' as const, value: 'ku', index: 'u' }, schedule: { kind: 'static' as const } };
    const unhoisted = checkPlan(s, plan('prim_rounds', [sel], [{ kind: 'owner-computes', loop: 'L2' }]));
    expect(unhoisted.errors.join()).toMatch(/owner-computes loop L2 .*needs hoist-parallel-region of L2/);
    const withAction = checkPlan(s, plan('prim_rounds', [sel, { loop: 'L2.2', action: 'parallel-for' }], [{ kind: 'hoist-parallel-region', loop: 'L2' }, { kind: 'owner-computes', loop: 'L2' }]));
    expect(withAction.errors.join()).toMatch(/owner-computes loop L2 .*L2\.2 must have no action/);
    expect(validatePlan(plan('prim_rounds', [sel], [{ kind: 'hoist-parallel-region', loop: 'L2' }, { kind: 'owner-computes', loop: 'L2' }])).ok).toBe(true);
  });
});
