import 'flowsentry/register';

export * from './conv/index.js';
export * from './recurrent/index.js';
export * from './torch/index.js';
