import 'flowsentry/register';

export {
  Detector,
  DETECTOR_FORMAT,
  DETECTOR_FORMAT_VERSION,
  type DetectorOptions,
  type DecisionRule,
  type IsolationForestCleaning,
  type LabelledFlows,
  type Probabilities,
  type FitSummary,
} from './detector.js';
export { DetectorEnsemble, loadDetector, ENSEMBLE_FORMAT, ENSEMBLE_FORMAT_VERSION, type DetectorEnsembleOptions, type EnsembleFitSummary } from './ensemble.js';
export { alignInput, type FlowInput, type FlowRecord, type FlowTable, type InputReport, type ColumnSpec, type AlignedInput } from './features.js';
export { makeOptimizer, makeLoss, makeSchedule, type OptimizerSpec, type LossSpec } from './training-spec.js';
