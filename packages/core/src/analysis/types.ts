// What the analyzer reports about a kernel: one LoopFacts per loop. Plain data,
// safe to serialize into reports and prompts.
import type { ReductionOp } from './reductions.js';

export type { ReductionOp };

export interface CarriedDependence {
  /** Base array (or pointer) of the two accesses; 'a/b' when two possibly aliasing pointers. */
  array: string;
  /** flow (write then read), anti (read then write), output (write, write), or unknown order. */
  kind: 'flow' | 'anti' | 'output' | 'any';
  /** Direction vector over this loop and the loops inside it that hold both accesses, e.g. '(1)', '(=,<)', '(*)'. */
  direction: string;
  /** Exact iteration distance at this loop, when known. */
  distance?: number;
  /** Source lines of the two accesses (in the kernel function text, 1-based). */
  lines: [number, number];
  accesses: [string, string];
  /** Why the test could not rule it out. */
  cause: 'subscripts' | 'unknown-subscript' | 'alias' | 'rows-may-overlap';
  /** Made harmless by an array reduction (atomic update). */
  coveredBy?: 'array-reduction';
}

export interface ScalarDependence {
  name: string;
  reason: string;
  line?: number;
}

export interface Reduction {
  op: ReductionOp;
  vars: string[];
}

/** `h[e] op= v` updates of one array from many iterations (histogram). */
export interface ArrayReduction {
  array: string;
  op: ReductionOp;
  lines: number[];
  /** The updates can be made `#pragma omp atomic`. */
  atomicOk: boolean;
}

export interface LoopFacts {
  /** Nesting position: L1, L1.2, ... */
  id: string;
  line: number;
  kind: 'for' | 'while' | 'do';
  depth: number;
  parent?: string;
  children: string[];
  canonical: boolean;
  indexVar?: string;
  /** `lb <= i < ub` as written. */
  bounds?: string;
  step?: string;
  tripCount?: string;
  /** Safe as an OpenMP worksharing loop with the clauses below (array reductions made atomic). */
  parallel: boolean;
  /** Why not parallel (empty when parallel). */
  reasons: string[];
  /** Dependences carried by this loop (covered ones included, marked). */
  carried: CarriedDependence[];
  scalarCarried: ScalarDependence[];
  /** Calls that may have side effects. */
  impureCalls: string[];
  /** Scalars to privatize (written before read in every iteration). Index of inner loops included. */
  privates: string[];
  /** Privates whose last value is used after the loop. */
  lastprivates: string[];
  reductions: Reduction[];
  arrayReductions: ArrayReduction[];
  /** Scalars only read in the loop. */
  shared: string[];
  arraysRead: string[];
  arraysWritten: string[];
  /** The only statement of the body is this loop (perfect nest). */
  perfectChild?: string;
  /** The perfect child's bounds do not use this loop's index. */
  rectangularChild?: boolean;
  /** Innermost loop whose accesses all move by 0 or 1 element per iteration in their last dimension. */
  stride1?: boolean;
  notes: string[];
}

export interface KernelAnalysis {
  kernel: string;
  noalias: boolean;
  loops: LoopFacts[];
}
