import 'flowsentry/register';

export { IsolationForest, averagePathLength, isolationTreeDepthLimit, type IsolationForestOptions, type IsolationForestJSON, type Fraction } from './isolation-forest.js';
// `Label` (number | string) is exported by metrics; the same type is used here.
export { type LabelArray } from './labels.js';
export { NearestNeighbors, type NearestNeighborsOptions, type KNeighborsResult, type NeighborsMethod } from './neighbors.js';
