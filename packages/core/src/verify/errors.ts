// A problem that is not the candidate's fault: the original kernel does not build or run
// with its spec's harness, or the toolchain is missing. verifyCandidate throws it instead
// of returning a verdict, so no "rejected" verdict is ever stored for a broken setup.
export class VerifySetupError extends Error {
  override readonly name = 'VerifySetupError';
  constructor(
    message: string,
    /** Compiler or run output (tail) that shows the problem. */
    readonly log = '',
  ) {
    super(message);
  }
}
