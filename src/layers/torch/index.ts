export { importTorchWeights, type ImportTorchWeightsOptions, type ImportTorchWeightsResult, type TorchWeightsSource } from './import-weights.js';
export { readSafetensors, type Safetensors, type SafetensorsTensor, type SafetensorsDtype } from './safetensors.js';
