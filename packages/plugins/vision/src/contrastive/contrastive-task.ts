import * as tf from '@tensorflow/tfjs';
import { deriveSeed, GraftError, Head } from '@graft/core';
import type { Augmentation, HostTensor, NamedVariable, PretextContext, PretextHead, Rng, TaskType, Trunk } from '@graft/core';
import { ntXent } from './nt-xent.js';

/** Width of the projection's output, where the loss is computed (SimCLR: 128). */
export const PROJECTION_SIZE = 128;
/** NT-Xent's temperature (SimCLR, Table 5: 0.5 does well at moderate batch sizes). */
export const TEMPERATURE = 0.5;

/**
 * The head of a `contrastive` task: makes two augmented views of each image of a batch with the dataset's
 * augmentation, runs both through the trunk, projects the features with a small MLP g(·) (SimCLR §2.1: the
 * loss is computed after g, and the trunk's own features are what transfers) and scores them with NT-Xent.
 */
export class ContrastiveHead implements PretextHead {
  private readonly projection: Head;

  constructor(
    task: string,
    private readonly trunk: Trunk,
    private readonly augment: Augmentation,
    hidden: readonly number[],
    rng: Rng,
  ) {
    this.projection = new Head(task, trunk.featureSize, hidden.length > 0 ? hidden : [trunk.featureSize], PROJECTION_SIZE, 0, rng);
  }

  get variables(): tf.Variable[] {
    return this.projection.variables;
  }

  weights(): NamedVariable[] {
    return this.projection.weights();
  }

  loss(inputs: Record<string, HostTensor>, training: boolean, seed: number): tf.Scalar {
    const image = inputs.image;
    if (!image || image.shape.length !== 4) {
      throw new GraftError('GRAFT_DATA_INVALID', { what: 'A contrastive task needs an `image` input of shape [batch, height, width, channels]', fix: 'Use an image dataset for this task' });
    }
    return tf.tidy(() => {
      const raw = tf.tensor(image.data instanceof Float32Array ? image.data : Float32Array.from(image.data), image.shape);
      const view = (k: number) => this.augment({ image: raw }, deriveSeed(seed, k)).image!;
      const views = tf.concat([view(1), view(2)], 0);
      const features = this.trunk.apply(this.trunk.preprocess({ image: views }), training);
      return ntXent(this.projection.apply(features, training), TEMPERATURE);
    });
  }

  reinitialize(rng: Rng): void {
    this.projection.reinitialize(rng);
  }

  dispose(): void {
    this.projection.dispose();
  }
}

/**
 * `contrastive`: self-supervised SimCLR pretraining on the images of the task's dataset, labels unread
 * (Chen et al. 2020): two augmented views per image (the dataset's `augment` option), NT-Xent over the batch
 * (temperature 0.5) after a projection MLP (`head.hidden`, default one layer as wide as the features; output
 * 128). Trained by the one loop as any stage; its checkpoint is a source (`graft/checkpoint`) whose trunk
 * transfers. Its one metric is the loss on fixed views.
 */
export const contrastiveTask: TaskType = {
  name: 'contrastive',
  description: 'SimCLR: two augmented views per image, NT-Xent after a projection head; labels are not read.',
  checkTarget: () => undefined,
  headSize: () => 0,
  loss() {
    throw new GraftError('GRAFT_INVALID_ARGUMENT', {
      what: 'contrastive has no loss over head outputs',
      why: 'its head makes its views from the inputs (TaskType.pretext), and the loop calls that head’s loss',
    });
  },
  evaluate: () => ({}),
  primaryMetric: { name: 'loss', higherIsBetter: false },
  describePrediction: () => undefined,
  pretext: {
    createHead({ trunk, rng, task, head, augment, where }: PretextContext): ContrastiveHead {
      if (!augment) {
        throw new GraftError('GRAFT_CONFIG_INVALID', {
          what: `The contrastive task "${task}" has no augmentation to make its two views`,
          where: `${where}.data.augment`,
          fix: 'Set `augment` on the task’s image dataset, e.g. { resizedCrop: { scale: [0.2, 1] }, flip: true, jitter: {} }',
        });
      }
      if (!trunk.inputNames.includes('image')) {
        throw new GraftError('GRAFT_CONFIG_INVALID', { what: 'A contrastive task needs an image trunk', where: `${where}.type`, fix: 'Use an image source (vision/small-cnn, vision/mobilenet-v1, …)' });
      }
      return new ContrastiveHead(task, trunk, augment, head.hidden, rng);
    },
  },
};
