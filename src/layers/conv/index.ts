export { MultiScaleResidual, multiScaleResidual } from './multi-scale-residual.js';
export type { BranchMerge, MultiScaleResidualArgs, ShortcutMode } from './multi-scale-residual.js';
export { MemoryResidual, memoryResidual } from './memory-residual.js';
export type { MemoryResidualArgs } from './memory-residual.js';
export { SplitResidualBlock, splitResidualBlock } from './split-residual-block.js';
export type { SplitResidualBlockArgs } from './split-residual-block.js';
export { resCae, resCaeCodeWidth, resCaeEncoder } from './res-cae.js';
export type { ResCae, ResCaeArgs } from './res-cae.js';
export type { ConvActivation, ConvCommonArgs } from './common.js';
