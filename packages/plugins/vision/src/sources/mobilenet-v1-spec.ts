import { z } from 'zod';
import { mobilenetV1Groups } from './groups.js';
import type { LayersSourceSpec } from './layers-source.js';

const ALPHAS = [0.25, 0.5, 0.75, 1] as const;
const SIZES = [128, 160, 192, 224] as const;

export const mobilenetV1Options = z.strictObject({
  /** Width multiplier. @default 0.25 */
  alpha: z.literal(ALPHAS).default(0.25).describe('Width multiplier: 0.25, 0.5, 0.75 or 1.'),
  /** Resolution the published model was trained at (chooses the URL). @default 224 */
  size: z.literal(SIZES).default(224).describe('Training resolution of the published model: 128, 160, 192 or 224.'),
  /** Layer whose globally pooled output is the feature vector. @default 'conv_pw_13_relu' */
  cut: z.string().min(1).default('conv_pw_13_relu').describe('Feature layer.'),
  /** Images are resized to `inputSize × inputSize`. @default the model's `size` */
  inputSize: z.number().int().min(32).max(1024).optional().describe('Size images are resized to (e.g. 96).'),
  /** A folder or an http(s) base URL standing in for the public URLs. @default `GRAFT_MIRROR`, then `GRAFT_MODEL_MIRROR` */
  mirror: z.string().min(1).optional().describe('Mirror folder or http(s) base URL holding e.g. mobilenet_v1_0.25_224/.'),
  /** A model directory to read instead of the public URL. */
  path: z.string().min(1).optional().describe('Model directory to read instead of the public URL.'),
});

export type MobileNetV1Options = z.output<typeof mobilenetV1Options>;

/** The URL of the published TensorFlow.js layers MobileNet v1 (tfjs-models bucket). */
export function mobilenetV1Url(alpha: number, size: number): string {
  const a = alpha === 1 ? '1.0' : alpha.toFixed(2);
  return `https://storage.googleapis.com/tfjs-models/tfjs/mobilenet_v1_${a}_${size}/model.json`;
}

/** What to load for given options: the published URL (or `path`), cut, groups and input size. */
export function mobilenetV1Spec(o: MobileNetV1Options): LayersSourceSpec {
  return { location: o.path ?? mobilenetV1Url(o.alpha, o.size), cut: o.cut, groups: mobilenetV1Groups, inputSize: o.inputSize ?? o.size, mirror: o.mirror };
}

/** The name and description both entries (Node, browser) register MobileNet v1 under. */
export const MOBILENET_V1 = {
  name: 'vision/mobilenet-v1',
  description: 'ImageNet MobileNet v1 (TensorFlow.js layers model): stem, 13 depthwise-separable blocks.',
} as const;
