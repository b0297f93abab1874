// The one error type for a spec that cannot be used. Its message always names the file,
// the JSON path of the offending field and what to do, so a user can fix it without
// reading autopar's code.

export class SpecError extends Error {
  override readonly name = 'SpecError';
  constructor(
    /** The spec file (or another description of where the spec came from). */
    readonly where: string,
    /** JSON path of the field, e.g. `kernels[0].args[2].length`; '' for the whole file. */
    readonly field: string,
    /** What is wrong and what to do. */
    readonly problem: string,
  ) {
    super(`${where}: ${field ? `${field}: ` : ''}${problem}`);
  }
}
