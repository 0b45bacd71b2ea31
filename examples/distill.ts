/**
 * Distil a student: train the LKT-ADN teacher from the model zoo, then a lightweight student on
 * the teacher's softened outputs with Distiller (KL at temperature T, scaled by T^2, plus the hard
 * labels), and compare size, accuracy and inference time.
 * Run: npx tsx examples/distill.ts [--quick]
 */
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { Distiller, MinMaxScaler, classificationReport, lktAdnStudent, lktAdnTeacher, syntheticFlows, trainTestSplit } from 'flowsentry';

const { values } = parseArgs({ options: { quick: { type: 'boolean', default: false } } });
const quick = values.quick ?? false;

const data = syntheticFlows({
  features: quick ? 12 : 20,
  classes: [
    { name: 'BENIGN', size: quick ? 200 : 2500 },
    { name: 'DoS', size: quick ? 80 : 800 },
    { name: 'PortScan', size: quick ? 40 : 400 },
  ],
  separation: 1,
  seed: 5,
});
const { train, test } = trainTestSplit(data, { testSize: 0.3, seed: 5 });
const classes = [...new Set(data.labels)].sort();
const scaler = new MinMaxScaler({ clip: true }).fit({ data: train.features, rows: train.rows, cols: train.cols });
const asTensor = (part: typeof train): tf.Tensor2D => {
  const m = scaler.transform({ data: part.features, rows: part.rows, cols: part.cols });
  return tf.tensor2d(m.data, [m.rows, m.cols]);
};
const xTrain = asTensor(train);
const xTest = asTensor(test);
const yTrain = train.labels.map((l) => classes.indexOf(l));
const epochs = quick ? 1 : 15;

// 1. The teacher: an ordinary compiled tfjs model from the zoo (softmax output).
const teacher = lktAdnTeacher({ inputDim: data.cols, numClasses: classes.length, seed: 5 });
teacher.compile({ optimizer: tf.train.adam(0.003), loss: 'sparseCategoricalCrossentropy' });
const yTrainTensor = tf.tensor1d(yTrain, 'float32');
await teacher.fit(xTrain, yTrainTensor, { epochs, batchSize: 64, shuffle: true, verbose: 0 });

// 2. The student, trained by the Distiller against the frozen teacher.
const student = lktAdnStudent({ inputDim: data.cols, numClasses: classes.length, seed: 5 });
const distiller = new Distiller({
  teacher,
  student,
  optimizer: tf.train.adam(0.003),
  temperature: 3,
  studentLossWeight: 0.1,
  outputs: 'probabilities', // zoo models end in a softmax
});
const history = await distiller.fit(xTrain, yTrain, {
  epochs,
  batchSize: 64,
  seed: 5,
  onEpochEnd: (epoch, logs) => console.log(`distil epoch ${epoch + 1}: loss ${logs.loss.toFixed(4)} (student ${logs.studentLoss.toFixed(4)}, distillation ${logs.distillationLoss.toFixed(4)})`),
});

// 3. Compare.
function evaluate(name: string, model: tfl.LayersModel): void {
  const t0 = performance.now();
  const predicted = tf.tidy(() => tf.argMax(model.predict(xTest) as tf.Tensor2D, 1).dataSync());
  const ms = performance.now() - t0;
  const report = classificationReport(test.labels, Array.from(predicted, (i) => classes[i] ?? '?'));
  console.log(`${name.padEnd(8)} ${String(model.countParams()).padStart(7)} parameters  accuracy ${report.accuracy.toFixed(4)}  macro F1 ${report.macro.f1.toFixed(4)}  inference ${ms.toFixed(0)} ms for ${test.rows} flows`);
}
evaluate('teacher', teacher);
evaluate('student', distiller.student);
console.log(`distillation epochs run: ${history.epoch.length}`);
tf.dispose([xTrain, xTest, yTrainTensor]);
teacher.dispose();
student.dispose();
