import 'flowsentry/register';

export { biGruFinalStates, biGruSequence, biLstmFinalStates, biLstmSequence, gruSequence, lstmSequence, usesFusedRecurrentKernels } from './recurrent.js';
export type {
  BiGruSequenceArgs,
  BiLstmSequenceArgs,
  GruDirectionWeights,
  GruSequenceArgs,
  LstmDirectionWeights,
  LstmSequenceArgs,
  RecurrentSequenceOp,
} from './recurrent-types.js';
export { fusedConv2d, type FusedConv2dArgs } from './conv-bias.js';
export { fusedConv2dTranspose, type FusedConv2dTransposeArgs } from './conv-transpose.js';
export { fusedConv2dResidual, type FusedConv2dResidualArgs } from './conv-residual.js';
export { addRelu } from './add-relu.js';
export { batchNormTraining, type BatchNormTrainingResult } from './batch-norm.js';
export { gemm, gemmKernel, gemmUsesWasm, releaseGemmMemory, setRelaxedSimd, type GemmArgs, type GemmKernel } from './gemm.js';
export { setFlowsentryKernels } from './switch.js';
export { flowsentryKernelsEnabled } from './state.js';
export { kernelWorkerEnabled, setKernelWorker } from './workers.js';
