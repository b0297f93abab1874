// Public surface of the loop analyzer.
export { analyzeKernel, analyzeSource, analyzeState, type AnalysisState } from './analyze.js';
export { checkPlan, type LegalityResult } from './legality.js';
export { kernelFacts, factsText } from './facts.js';
export { explainKernel } from './explain.js';
export type { ArrayReduction, CarriedDependence, KernelAnalysis, LoopFacts, Reduction, ReductionOp, ScalarDependence } from './types.js';
