// The kernel contract: what differential testing needs to call a kernel on inputs.
// A spec file (`autopar.spec.json`, next to the project's project.json) lists the
// kernels of the project that autopar may touch. A kernel without a spec is never touched.

/** C element types a buffer or scalar may have. */
export type ElemType =
  | 'float' | 'double'
  | 'char' | 'int8_t' | 'uint8_t'
  | 'short' | 'int16_t' | 'uint16_t'
  | 'int' | 'unsigned' | 'int32_t' | 'uint32_t'
  | 'long' | 'int64_t' | 'uint64_t' | 'size_t';

/** One assignment of the size parameters, e.g. { n: 17, m: 3 }. */
export type SizeBinding = Record<string, number>;

/**
 * An element passes when it is within ANY of the given bounds (numpy `isclose`-like):
 * |a-b| <= abs, or |a-b| <= rel*max(|a|,|b|), or ulpDistance(a,b) <= ulp.
 * Integer outputs are compared exactly unless a bound is given.
 */
export interface Tolerance {
  abs?: number;
  rel?: number;
  ulp?: number;
}

/**
 * A generator bound: a number, or an expression over size names and generator sizes
 * evaluated at each test size, e.g. "bins-1" (see spec/expr.ts).
 */
export type Bound = number | string;

/** How an input buffer is filled. All generators are deterministic in (seed, arg name). */
export type InitSpec =
  | { gen: 'uniform'; min: Bound; max: Bound }
  | { gen: 'randint'; min: Bound; max: Bound } // inclusive bounds, integers
  | { gen: 'const'; value: Bound }
  /**
   * Matrix classes (float/double buffers): the first n*n elements are an n×n row-major
   * matrix, the rest 0. Off-diagonal entries are uniform in [-1, 1); each diagonal entry is
   * 1 + u (u uniform in [0, 1)) plus the sum of |off-diagonal| of its row, so the matrix is
   * strictly row diagonally dominant with a positive diagonal. 'spd' is in addition
   * symmetric, hence symmetric positive definite (Gershgorin).
   */
  | { gen: 'diag-dominant'; n: string }
  | { gen: 'spd'; n: string }
  | { gen: 'zero' }
  | { gen: 'iota' } // 0,1,2,...
  | { from: string }; // '<generator name>.<field>', e.g. 'g.rowptr'

export type ArgSpec =
  | {
      name: string;
      kind: 'scalar';
      type: ElemType;
      /** A number, or a C expression over size parameters and generator sizes, e.g. "n*n". */
      value: number | string;
    }
  | {
      name: string;
      kind: 'input' | 'output' | 'inout';
      type: ElemType;
      /**
       * Element count: C expression over size parameters and generator sizes, e.g. "n*m+1".
       * Allowed: names, integers, + - * / % << >> and parentheses (64-bit integer arithmetic).
       */
      length: string;
      /** Required for input and inout; outputs are pre-filled with a fixed pattern. */
      init?: InitSpec;
      /** Overrides the kernel's tolerance for this buffer. */
      tolerance?: Tolerance;
      /** Output/inout: the elements are sums whose order a parallel variant may change (see ReductionBound). */
      reduction?: ReductionBound;
      /**
       * Output/inout: the candidate must give bit-identical values on every call at the same
       * thread count. Default: the kernel's `deterministic`, else true for integer buffers.
       */
      deterministic?: boolean;
      /**
       * Input/inout of type float or double: one extra differential seed (SPECIAL_VALUES_SEED)
       * fills it with NaN, +Inf, -Inf and -0.0 at some positions (always at least one NaN).
       * Outputs must then match position by position (NaN only where the original has NaN).
       */
      specialValues?: boolean;
    };

/**
 * Order-insensitive error bound for an output element that is a sum of `terms` terms
 * (e.g. a dot product or a row of a matrix product). Summing the same terms in two orders
 * differs by at most 2·γ(N)·Σ|t_i| (Higham, recursive summation), with N = terms evaluated
 * at the test size and γ(N) = N·u/(1 − N·u), u the unit roundoff of the element type
 * (2^-53 double, 2^-24 float). Σ|t_i| is taken as N·magnitude when `magnitude` (a bound on
 * |t_i|) is given — a rigorous bound — and as max(|expected|, |actual|) otherwise, which is
 * exact for terms of one sign and too tight under heavy cancellation (give magnitude then).
 * An element passes when within this bound OR within the tolerance.
 */
export interface ReductionBound {
  /** Number of terms per element: an expression over size names, e.g. "n" or "k*k*cin". */
  terms: string;
  /** Upper bound on |term|, e.g. 1 for products of values in [-1, 1]. */
  magnitude?: number;
}

/** Which values derived (edge) test sizes may give a size name. */
export interface SizeLimit {
  /** Smallest value (default: the smallest non-zero value of the name in sizes.test). */
  min?: number;
  /** Largest value (default: the largest value of the name in sizes.test). */
  max?: number;
  /** Values must be multiples of this (e.g. 4 for a kernel that needs n % 4 == 0). */
  multipleOf?: number;
}

/**
 * Structured inputs made by a named generator in the harness.
 * - csr_graph: `nodes` vertices, about `degree` out-edges each (no self loops, sorted
 *   columns, valid row pointers). Fields: rowptr (int, nodes+1), cols (int, nnz),
 *   weights (`weightType`, nnz, uniform in [weightMin, weightMax]). Exposes the size
 *   `<name>_nnz` to length expressions.
 */
export interface GeneratorSpec {
  name: string;
  kind: 'csr_graph';
  nodes: string; // C expression over sizes
  degree: number;
  weightType?: 'float' | 'double' | 'int';
  weightMin?: number;
  weightMax?: number;
}

export interface KernelSpec {
  /** C function name of the kernel in `source`. */
  name: string;
  /** Source file that defines the kernel, relative to the spec file's folder. */
  source: string;
  description?: string;
  sizes: {
    /** Test sizes: include 1, primes and odd tails. 0 where the kernel allows it. */
    test: SizeBinding[];
    /** One bench size, large enough that the serial kernel runs >= 50 ms. */
    bench: SizeBinding;
    /**
     * Derive extra test sizes (default true): 1, 2, small primes and values just above
     * chunk-size multiples (17, 33, 65, 129), within each name's limits, never costlier than
     * the largest test size. See verify/edge-sizes.ts.
     */
    edgeSizes?: boolean;
    /** Legal ranges of the size names for derived sizes (defaults from sizes.test). */
    limits?: Record<string, SizeLimit>;
    /** Derived sizes may set a size name to 0 (default: true when some test binding has a 0). */
    allowZero?: boolean;
  };
  /** One entry per C parameter, in signature order. */
  args: ArgSpec[];
  generators?: GeneratorSpec[];
  /** Present when the kernel returns a value (compared like a 1-element output). */
  returns?: { type: ElemType; tolerance?: Tolerance; reduction?: ReductionBound; deterministic?: boolean };
  /**
   * Outputs must be bit-identical across calls at the same thread count (default: true for
   * integer outputs, false for floating ones, whose reductions may be ordered differently).
   */
  deterministic?: boolean;
  /** Input seeds for differential testing (default [1, 2]). */
  seeds?: number[];
  /** Default tolerance for floating outputs (default { rel: 1e-9, abs: 1e-12 }). */
  tolerance?: Tolerance;
  /**
   * Memory cap of every verification step of this kernel (the sandbox's cgroup memory.max),
   * e.g. "4G" or "512M" (powers of 1024) or a number of bytes. Default: AUTOPAR_MEMORY_LIMIT,
   * else 2G. Raise it for a large bench size: the harness holds every buffer plus a pristine
   * copy of each input and inout.
   */
  memoryLimit?: string | number;
  /** Pointer arguments are distinct objects (never alias); lets the analyzer add `restrict`. */
  noalias?: boolean;
  /**
   * Guesses of a drafted spec still to confirm (`autopar spec init`, `nx g @autopar/nx:kernel`),
   * one line per field: "<field>: <why it was guessed>". Delete each line once checked.
   */
  confirm?: string[];
}

export interface SpecFile {
  version: 1;
  kernels: KernelSpec[];
}
