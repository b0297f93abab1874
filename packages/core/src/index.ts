// @autopar/core public API: plain data types between stages, and the pipeline entry points.
export * from './spec/types.js';
export * from './kernel/types.js';
export * from './propose/types.js';
export * from './verify/types.js';
export * from './store/types.js';
export { AUTOPAR_VERSION } from './version.js';
export { loadSpecFile, validateSpec, checkSpecAgainstSignature } from './spec/load.js';
export { extractKernels } from './kernel/extract.js';
export { spliceFunction } from './kernel/splice.js';
export { computeKey, canonicalJson } from './kernel/key.js';
export { fingerprintToolchain } from './toolchain/fingerprint.js';
export { FsStore } from './store/fs-store.js';
export { verifyCandidate, DEFAULT_VERIFY_POLICY } from './verify/verify.js';
export { buildProject, type BuildOptions, type BuildReport, type KernelReport } from './pipeline/build.js';
export { resolveBuildOptions, DEFAULT_TARGET_OPTIONS, type BuildTargetOptions } from './pipeline/options.js';
export { chooseVariant } from './pipeline/choose.js';
