import 'flowsentry/register';

export { FusedAdam, fusedAdam } from './fused-adam.js';
export { SAM, type SAMOptions, type StatisticsUpdate, type NamedTensor } from './sam.js';
export {
  cosineAnnealing,
  linearWarmup,
  withSchedule,
  ScheduledOptimizer,
  type Schedule,
  type CosineAnnealingOptions,
  type LinearWarmupOptions,
  type WithScheduleOptions,
} from './schedules.js';
export { WrappedOptimizer } from './wrapped-optimizer.js';
