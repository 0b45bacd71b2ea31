import { describe, expect, it } from 'vitest';
import { ValueError } from '../../../src/errors.js';
import { biGru, gru, GRU } from '../../../src/layers/recurrent/index.js';
import { describeLayer } from '../suite.js';
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

// countParams by hand: per layer and direction, in * 3u + u * 3u + 2 * 3u.
describeLayer('gru', { factory: () => gru({ units: 3, seed: 1 }), inputShape: [5, 4], expectedParams: 4 * 9 + 3 * 9 + 18 });
describeLayer('biGru, 2 layers, dropout, returnSequences, Keras init', {
  factory: () => biGru({ units: 3, numLayers: 2, dropout: 0.2, returnSequences: true, init: 'keras', seed: 2 }),
  inputShape: [5, 4],
  expectedParams: 2 * (4 * 9 + 3 * 9 + 18) + 2 * (6 * 9 + 3 * 9 + 18),
});
