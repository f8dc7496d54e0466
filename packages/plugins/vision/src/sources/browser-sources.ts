import type { PretrainedSource } from '@graft/core';
import { mirroredUrl } from '@graft/core/browser';
import { loadLayersModelFromUrl } from '../io/load-model-url.js';
import { MOBILENET_V1, mobilenetV1Options, mobilenetV1Spec, type MobileNetV1Options } from './mobilenet-v1-spec.js';
import { trunkOfModel } from './trunk-of-model.js';

/**
 * MobileNet v1 in a browser: the published URL (or `path`, a URL relative to the page), through the
 * environment's resource store (the Cache API); `mirror` is a base URL serving `<model folder>/model.json`.
 */
export const mobilenetV1Browser: PretrainedSource<MobileNetV1Options> = {
  ...MOBILENET_V1,
  options: mobilenetV1Options,
  async load(o, ctx) {
    const spec = mobilenetV1Spec(o);
    const page = (globalThis as { location?: { href: string } }).location?.href;
    let url = new URL(spec.location, page);
    if (spec.mirror) url = mirroredUrl(url, new URL(spec.mirror, page).href);
    const model = await loadLayersModelFromUrl(url.href, ctx.env.resources, { inputSize: spec.inputSize, where: ctx.where });
    ctx.log.info(`Loaded ${model.name} from ${url.href}.`);
    return trunkOfModel(model, spec, ctx.where);
  },
};
