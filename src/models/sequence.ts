import * as tfl from '@tensorflow/tfjs-layers';

/** `[batch, F]` -> `[batch, F, 1]`: a flow as a sequence of F one-feature steps (layer `to_sequence`). */
export function asSequence(x: tfl.SymbolicTensor): tfl.SymbolicTensor {
  const f = x.shape[1] as number;
  return tfl.layers.reshape({ targetShape: [f, 1], name: 'to_sequence' }).apply(x) as tfl.SymbolicTensor;
}
