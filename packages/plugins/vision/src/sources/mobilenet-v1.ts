import type { PretrainedSource } from '@graft/core';
import { loadLayersSource } from './layers-source.js';
import { MOBILENET_V1, mobilenetV1Options, mobilenetV1Spec, type MobileNetV1Options } from './mobilenet-v1-spec.js';

export { mobilenetV1Url, type MobileNetV1Options } from './mobilenet-v1-spec.js';

/** ImageNet MobileNet v1 (Howard et al. 2017), the published TensorFlow.js layers models. */
export const mobilenetV1: PretrainedSource<MobileNetV1Options> = {
  ...MOBILENET_V1,
  options: mobilenetV1Options,
  load: (o, ctx) => loadLayersSource(mobilenetV1Spec(o), ctx),
};
