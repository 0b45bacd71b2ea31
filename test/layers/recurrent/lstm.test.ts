import { describe, expect, it } from 'vitest';
import { biLstm, lstm, LSTM } from '../../../src/layers/recurrent/index.js';
import { describeLayer } from '../suite.js';
import { describeTorchParity } from './parity.js';

describeTorchParity('LSTM', (numLayers, bidirectional, returnSequences) =>
  bidirectional ? biLstm({ units: 4, numLayers, returnSequences }) : lstm({ units: 4, numLayers, returnSequences }),
);

describe('lstm / biLstm options', () => {
  it('biLstm is a bidirectional LSTM registered as flowsentry.LSTM', () => {
    const layer = biLstm({ units: 3 });
    expect(layer).toBeInstanceOf(LSTM);
    expect(layer.bidirectional).toBe(true);
    expect(layer.getClassName()).toBe('flowsentry.LSTM');
  });

  it('rejects options it does not implement, naming them', () => {
    expect(() => lstm({ units: 2, stateful: true } as never)).toThrow(/stateful/);
    expect(() => biLstm({ units: 2, bidirectional: false } as never)).toThrow(/bidirectional/);
  });
});

// countParams by hand: per layer and direction, in * 4u + u * 4u + 4u (one bias: PyTorch's two summed).
describeLayer('lstm', { factory: () => lstm({ units: 3, seed: 1, init: 'keras' }), inputShape: [5, 4], expectedParams: 4 * 12 + 3 * 12 + 12 });
describeLayer('biLstm, 2 layers, dropout', {
  factory: () => biLstm({ units: 3, numLayers: 2, dropout: 0.3, seed: 3 }),
  inputShape: [5, 4],
  expectedParams: 2 * (4 * 12 + 3 * 12 + 12) + 2 * (6 * 12 + 3 * 12 + 12),
});
