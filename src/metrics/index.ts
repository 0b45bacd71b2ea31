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
export {
  rocAuc,
  averagePrecision,
  rocAucOneVsRest,
  averagePrecisionOneVsRest,
  type ScoreInput,
  type RankingMetricOptions,
  type OneVsRestScores,
} from './ranking.js';
export { reportToMarkdown, reportToJson, type MarkdownReportOptions } from './report-text.js';
export { confusionMatrixSvg, type ConfusionMatrixSvgOptions } from './confusion-svg.js';
export { trainingCurvesSvg, scatterSvg, type TrainingCurvesSvgOptions, type ScatterSvgOptions } from './chart-svg.js';
