/**
 * Whole-sequence recurrent ops used by the GRU/LSTM layers. Today these delegate to the
 * op-composition reference (which runs on every backend); the fused-kernel work (issue 7)
 * replaces the bodies with kernels for the embedded backend, keeping the reference as fallback.
 */
export { gruSequenceReference as gruSequence, lstmSequenceReference as lstmSequence } from './recurrent-reference.js';
export type { GruSequenceArgs, LstmSequenceArgs } from './recurrent-types.js';
