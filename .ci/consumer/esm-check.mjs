// ESM consumer: the package root and a capability subpath, then one training step.
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import * as fs from 'flowsentry';
import { trainOneStep } from './train-step.cjs';

await fs.selectBackend({ verbose: true });
const loss = await trainOneStep(tf, tfl, fs);
console.log(`ESM: one training step, loss ${loss.toFixed(4)}, ${Object.keys(fs).length} exports`);
