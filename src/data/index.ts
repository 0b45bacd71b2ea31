import 'flowsentry/register';

export { countClasses, emptySummary, type FlowDataset, type LoadSummary, type SkipReason, type CategoricalColumns } from './dataset.js';
export { syntheticFlows, takeRows, type SyntheticFlowsOptions, type SyntheticClass } from './synthetic.js';
export { featureMatrix, type Transformer, type FeatureInput } from './transformer.js';
export { LabelEncoder, type LabelEncoderJSON } from './label-encoder.js';
export { OneHotEncoder, type OneHotEncoderOptions, type OneHotEncoderJSON, type CategoricalInput } from './one-hot-encoder.js';
export { MinMaxScaler, type MinMaxScalerOptions, type MinMaxScalerJSON } from './min-max-scaler.js';
export { StandardScaler, type StandardScalerOptions, type StandardScalerJSON } from './standard-scaler.js';
export { trainTestSplit, splitIndices, type TrainTestSplitOptions, type TrainTestSplit, type SplitIndices } from './split.js';
export { readCsv, parseNumber, dedupeNames, type ReadCsvOptions, type CsvBatch, type ColumnSelection } from './csv.js';
export { NonFiniteImputer, type NonFinitePolicy, type NonFiniteImputerOptions, type NonFiniteImputerJSON } from './non-finite.js';
export { loadTabular, listFiles, type LoadOptions, type TabularSpec } from './tabular.js';
export { loadCicids2017, normaliseCicidsLabel, CICIDS2017_IDENTIFIERS, CICIDS2017_MACHINE_LEARNING_COLUMNS, type Cicids2017Options } from './cicids2017.js';
export { loadNslKdd, NSL_KDD_COLUMNS, NSL_KDD_CATEGORICAL, NSL_KDD_CATEGORIES, type NslKddOptions } from './nsl-kdd.js';
export { loadUnswNb15, UNSW_NB15_CATEGORICAL, type UnswNb15Options } from './unsw-nb15.js';
export { loadNetflowV2, NETFLOW_V2_IDENTIFIERS, type NetflowV2Options } from './netflow-v2.js';
export { pca, type PcaOptions, type PcaResult } from './pca.js';
