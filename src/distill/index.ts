import 'flowsentry/register';

export {
  Distiller,
  type DistillerOptions,
  type DistillerFitOptions,
  type DistillerHistory,
  type DistillerEpochLogs,
  type DistillInputs,
  type DistillLabels,
  type ModelOutputs,
} from './distiller.js';
