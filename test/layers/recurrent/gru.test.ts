import { describe, expect, it } from 'vitest';
import { ValueError } from '../../../src/errors.js';
import { biGru, gru, GRU } from '../../../src/layers/recurrent/index.js';
import { describeTorchParity } from './parity.js';

describeTorchParity('GRU', (numLayers, bidirectional, returnSequences) =>
  bidirectional ? biGru({ units: 4, numLayers, returnSequences }) : gru({ units: 4, numLayers, returnSequences }),
);

describe('gru / biGru options', () => {
  it('reject what they do not implement, naming the option', () => {
    expect(() => gru({ units: 4, resetAfter: false })).toThrow(/resetAfter/);
    expect(() => gru({ units: 4, returnState: true } as never)).toThrow(/returnState/);
    expect(() => gru({ units: 4, unroll: true } as never)).toThrow(ValueError);
    expect(() => biGru({ units: 4, bidirectional: false } as never)).toThrow(/bidirectional/);
  });

  it('biGru is a bidirectional GRU registered as flowsentry.GRU', () => {
    const layer = biGru({ units: 3 });
    expect(layer).toBeInstanceOf(GRU);
    expect(layer.bidirectional).toBe(true);
    expect(layer.getClassName()).toBe('flowsentry.GRU');
  });
});
