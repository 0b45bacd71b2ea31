import 'flowsentry/register';

export { countClasses, emptySummary, type FlowDataset, type LoadSummary, type SkipReason, type CategoricalColumns } from './dataset.js';
export { syntheticFlows, takeRows, type SyntheticFlowsOptions, type SyntheticClass } from './synthetic.js';
export type { Transformer } from './transformer.js';
export { LabelEncoder, type LabelEncoderJSON } from './label-encoder.js';
export { OneHotEncoder, type OneHotEncoderOptions, type OneHotEncoderJSON, type CategoricalInput } from './one-hot-encoder.js';
export { MinMaxScaler, type MinMaxScalerOptions, type MinMaxScalerJSON } from './min-max-scaler.js';
export { StandardScaler, type StandardScalerOptions, type StandardScalerJSON } from './standard-scaler.js';
export { trainTestSplit, splitIndices, type TrainTestSplitOptions, type TrainTestSplit, type SplitIndices } from './split.js';
