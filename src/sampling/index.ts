import 'flowsentry/register';

export { IsolationForest, averagePathLength, isolationTreeDepthLimit, type IsolationForestOptions, type IsolationForestJSON, type Fraction } from './isolation-forest.js';
// `Label` (number | string) is exported by metrics; the same type is used here.
export { type LabelArray } from './labels.js';
export { NearestNeighbors, type NearestNeighborsOptions, type KNeighborsResult, type NeighborsMethod } from './neighbors.js';
export { SMOTE, type SMOTEOptions } from './smote.js';
export { TomekLinks, type TomekLinksOptions } from './tomek-links.js';
export { SMOTETomek, type SMOTETomekOptions } from './smote-tomek.js';
export { IsolationForestCleaner, type IsolationForestCleanerOptions } from './isolation-forest-cleaner.js';
export { type Resampled, type Sampler } from './sampler.js';
export { type OverSamplingStrategy, type CleaningStrategy, type ClassCounts } from './strategy.js';
