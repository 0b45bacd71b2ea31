import * as tfl from '@tensorflow/tfjs-layers';
import { ValueError } from '../errors.js';
import { gru, multiScaleResidual } from '../layers/index.js';
import { buildFlowModel, positiveInt, type FlowModelOptions } from './builder.js';
import { asSequence } from './sequence.js';

/** Options of {@link lktAdnTeacher}. */
export interface LktAdnTeacherOptions extends FlowModelOptions {
  /** Filters of each multi-scale residual block, `msr_1`, `msr_2`, ... (default `[32, 64]`). */
  blockFilters?: number[];
  /** Kernel sizes of the parallel branches of each block (default `[1, 3, 5]`). */
  kernelSizes?: number[];
  /** Units of the GRU (`temporal`) over the block outputs (default 64). */
  temporalUnits?: number;
  /** Dropout before the classifier (default 0.3). */
  dropout?: number;
}

/** Options of {@link lktAdnStudent}. */
export interface LktAdnStudentOptions extends FlowModelOptions {
  /** Filters of the single Conv1D (`conv`) (default 8). */
  filters?: number;
  /** Units of the hidden dense layer (`dense`) (default 16). */
  hiddenUnits?: number;
  /**
   * How the convolution's feature map reaches the dense layer (`pool`): `'flatten'` keeps each
   * feature's position (default); `'average'` is global average pooling over the feature axis,
   * which leaves only `filters` numbers per flow and learns little on flow records (CICIDS2017:
   * accuracy 0.68 against 0.97 with `'flatten'`, 20 epochs on hard labels;
   * `scripts/explore-student-pooling.ts`).
   */
  pooling?: 'flatten' | 'average';
  /** Dropout before the classifier (default 0). */
  dropout?: number;
}

/**
 * LKT-ADN teacher: multi-scale residual spatio-temporal network. The flow as a feature sequence,
 * stride-2 multi-scale residual blocks (spatial, `msr_k`), a GRU over the result (temporal), softmax.
 */
export function lktAdnTeacher(options: LktAdnTeacherOptions): tfl.LayersModel {
  const blocks = options.blockFilters ?? [32, 64];
  if (!Array.isArray(blocks) || blocks.length === 0) throw new ValueError('blockFilters', 'a non-empty array of positive integers', blocks);
  blocks.forEach((f, i) => positiveInt(`blockFilters[${i}]`, f));
  const kernelSizes = options.kernelSizes ?? [1, 3, 5];
  const units = positiveInt('temporalUnits', options.temporalUnits ?? 64);
  return buildFlowModel(
    options,
    (input, ctx) => {
      let x = asSequence(input);
      blocks.forEach((f, i) => {
        x = multiScaleResidual({ filters: f, kernelSizes, strides: 2, seed: ctx.seed(), name: `msr_${i + 1}` }).apply(x) as tfl.SymbolicTensor;
      });
      return gru({ units, seed: ctx.seed(), name: 'temporal' }).apply(x) as tfl.SymbolicTensor;
    },
    { dropout: 0.3, name: 'lktadn_teacher' },
  );
}

/**
 * LKT-ADN student: the lightweight model the teacher is distilled into. One stride-2 Conv1D over
 * the feature sequence (`conv`), flattened (or globally averaged, `pooling`) (`pool`), one dense
 * layer (`dense`), softmax. With the defaults about 5,600 parameters for 80 features and 16
 * classes, some 20 times fewer than the teacher.
 */
export function lktAdnStudent(options: LktAdnStudentOptions): tfl.LayersModel {
  const filters = positiveInt('filters', options.filters ?? 8);
  const hidden = positiveInt('hiddenUnits', options.hiddenUnits ?? 16);
  const pooling = options.pooling ?? 'flatten';
  if (pooling !== 'flatten' && pooling !== 'average') throw new ValueError('pooling', "'flatten' or 'average'", pooling);
  return buildFlowModel(
    options,
    (input, ctx) => {
      let x = asSequence(input);
      x = tfl.layers.conv1d({ filters, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu', kernelInitializer: ctx.he(), name: 'conv' }).apply(x) as tfl.SymbolicTensor;
      x = (pooling === 'flatten' ? tfl.layers.flatten({ name: 'pool' }) : tfl.layers.globalAveragePooling1d({ name: 'pool' })).apply(x) as tfl.SymbolicTensor;
      return tfl.layers.dense({ units: hidden, activation: 'relu', kernelInitializer: ctx.he(), name: 'dense' }).apply(x) as tfl.SymbolicTensor;
    },
    { dropout: 0, name: 'lktadn_student' },
  );
}
