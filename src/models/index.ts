import 'flowsentry/register';

export { buildFlowModel, type FlowModelOptions, type ArchitectureBody, type ArchitectureContext } from './builder.js';
export { mlp, type MlpOptions } from './mlp.js';
export { buildModel, modelNames, registerModel, type ModelBuilder } from './registry.js';
