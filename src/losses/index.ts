import 'flowsentry/register';

export { focalLoss, sigmoidFocalLoss, type FocalLossOptions, type SigmoidFocalLossOptions } from './focal.js';
export type { Reduction } from './common.js';
