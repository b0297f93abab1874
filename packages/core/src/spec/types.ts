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

/** How an input buffer is filled. All generators are deterministic in (seed, arg name). */
export type InitSpec =
  | { gen: 'uniform'; min: number; max: number }
  | { gen: 'randint'; min: number; max: number } // inclusive bounds
  | { gen: 'const'; value: number }
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
    };

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
  };
  /** One entry per C parameter, in signature order. */
  args: ArgSpec[];
  generators?: GeneratorSpec[];
  /** Present when the kernel returns a value (compared like a 1-element output). */
  returns?: { type: ElemType; tolerance?: Tolerance };
  /** Input seeds for differential testing (default [1, 2]). */
  seeds?: number[];
  /** Default tolerance for floating outputs (default { rel: 1e-9, abs: 1e-12 }). */
  tolerance?: Tolerance;
  /** Pointer arguments are distinct objects (never alias); lets the analyzer add `restrict`. */
  noalias?: boolean;
}

export interface SpecFile {
  version: 1;
  kernels: KernelSpec[];
}
