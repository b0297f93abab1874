// The executor's options are the pipeline's target options (schema.json documents them for Nx).
export type { BuildTargetOptions as BuildExecutorSchema } from '@autopar/core';
