import 'flowsentry/register';

export {
  trainModel,
  evaluateModel,
  resolveClassWeight,
  type TrainData,
  type TrainOptions,
  type History,
  type EpochLogs,
  type EarlyStoppingOptions,
  type CheckpointOptions,
  type CheckpointReason,
} from './trainModel.js';
export { trainTwoStage, type TwoStageModels, type TwoStageOptions, type TwoStageHistory } from './twoStage.js';
export { categoricalCrossentropy, meanSquaredError, resolveLoss, type LossFn, type LossName } from './losses.js';
export { Progress, type Verbosity, type TextSink } from './progress.js';
export { recalibrateBatchNorm, type RecalibrateBatchNormOptions } from './batchNorm.js';
export { setLearningRate } from '../optim/learning-rate.js';
