import * as tf from '@tensorflow/tfjs';
import type { TaskType } from '../task.js';
import { accuracy, argmax, confusionMatrix, macroF1 } from '../metrics/classification.js';

/** Single-label classification: softmax cross-entropy; accuracy, macro-F1 and the confusion matrix. */
export const classificationTask: TaskType = {
  name: 'classification',
  description: 'One label out of several classes (softmax cross-entropy).',
  checkTarget: (info) => (info.kind === 'classes' ? undefined : 'classification needs a column of class labels, and this one holds numeric values'),
  headSize: (info) => (info.kind === 'classes' ? info.classes.length : 0),
  loss(output, target, mask) {
    return tf.tidy(() => {
      const logp = tf.logSoftmax(output);
      const onehot = tf.oneHot(tf.cast(target, 'int32'), output.shape[1]);
      const perSample = tf.neg(tf.sum(tf.mul(onehot, logp), 1));
      return tf.div(tf.sum(tf.mul(perSample, mask)), tf.maximum(tf.sum(mask), 1)) as tf.Scalar;
    });
  },
  evaluate(output, headSize, target) {
    const predicted = Array.from({ length: target.length }, (_, i) => argmax(output, i * headSize, headSize));
    const confusion = confusionMatrix(target, predicted, headSize);
    return { accuracy: accuracy(confusion), macroF1: macroF1(confusion), confusion };
  },
  primaryMetric: { name: 'accuracy', higherIsBetter: true },
  describePrediction(output, info) {
    const classes = info.kind === 'classes' ? info.classes : [];
    const max = Math.max(...output);
    const exp = Array.from(output, (v) => Math.exp(v - max));
    const sum = exp.reduce((a, b) => a + b, 0);
    const best = argmax(output, 0, output.length);
    return { label: classes[best] ?? best, probabilities: Object.fromEntries(exp.map((e, i) => [classes[i] ?? String(i), e / sum])) };
  },
};
