import 'flowsentry/register';

export type { Label, LabelInput } from './labels.js';
export { confusionMatrix, type ConfusionMatrix, type ConfusionMatrixOptions } from './confusion-matrix.js';
export {
  classificationReport,
  type ClassificationReport,
  type ClassificationReportOptions,
  type ClassScores,
  type AverageScores,
  type BinaryScores,
} from './classification-report.js';
