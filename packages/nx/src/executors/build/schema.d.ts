// Mirrors schema.json; kept in step by packages/nx/src/schema.test.ts.
export interface BuildExecutorSchema {
  sources?: string[];
  spec?: string;
  outputPath?: string;
  artifactName?: string;
  kind?: 'executable' | 'static-library';
  cc?: string;
  cflags?: string[];
  ldflags?: string[];
  proposer?: 'auto' | 'ollama' | 'analyzer' | 'none';
  model?: string;
  ollamaHost?: string;
  threshold?: number;
  cacheDir?: string;
  offline?: boolean;
  requestTimeoutMs?: number;
  modelOutput?: 'function' | 'plan' | 'both';
  checkImpliedPlans?: boolean;
}
