import { describe, expect, it } from 'vitest';
import { biLstm, lstm, LSTM } from '../../../src/layers/recurrent/index.js';
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
