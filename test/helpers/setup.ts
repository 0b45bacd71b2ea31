import 'flowsentry/register';
import * as tf from '@tensorflow/tfjs-core';

tf.env().set('IS_TEST', true); // quiets tfjs's 'install tfjs-node' banner
await tf.setBackend('cpu');
await tf.ready();
