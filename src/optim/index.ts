import 'flowsentry/register';

export { SAM, type SAMOptions, type StatisticsUpdate } from './sam.js';
