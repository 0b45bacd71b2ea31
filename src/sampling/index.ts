import 'flowsentry/register';

export { IsolationForest, averagePathLength, isolationTreeDepthLimit, type IsolationForestOptions, type IsolationForestJSON, type Fraction } from './isolation-forest.js';
export { type Label, type LabelArray } from './labels.js';
