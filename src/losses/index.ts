import 'flowsentry/register';

export { focalLoss, sigmoidFocalLoss, type FocalLossOptions, type SigmoidFocalLossOptions } from './focal.js';
export {
  distillationLoss,
  distillationLossParts,
  softmaxCrossEntropy,
  type DistillationLossOptions,
  type DistillationLossParts,
  type StudentLoss,
} from './distillation.js';
export type { Reduction } from './common.js';
