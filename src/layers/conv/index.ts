export { MultiScaleResidual, multiScaleResidual } from './multi-scale-residual.js';
export type { BranchMerge, MultiScaleResidualArgs, ShortcutMode } from './multi-scale-residual.js';
export type { ConvActivation, ConvCommonArgs } from './common.js';
