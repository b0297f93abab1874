export interface KernelGeneratorSchema {
  project: string;
  source: string;
  function: string;
  target?: string;
  spec?: string;
  sources?: string[];
  kind?: 'executable' | 'static-library';
  check?: boolean;
  calibrate?: boolean;
  targetMs?: number;
  force?: boolean;
  skipFormat?: boolean;
}
