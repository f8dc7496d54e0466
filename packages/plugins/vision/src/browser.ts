import { definePlugin, GRAFT_VERSION } from '@graft/core';
import { canvasDecode } from './data/canvas-decode.js';
import { imageFolderWith } from './data/image-folder-provider.js';
import { mobilenetV1Browser } from './sources/browser-sources.js';
import { smallCnn } from './sources/small-cnn.js';
import { tfjsLayersExporter } from './io/tfjs-layers-exporter.js';

/**
 * The browser entry of `@graft/vision`: MobileNet v1 by URL through the Cache API (or a mirror URL),
 * `vision/image-folder` over the files a page was given (decoded by the browser), augmentation and
 * preprocessing, the tfjs layers exporter. Nothing here imports a `node:` module (scripts/check-browser-imports.mjs).
 */
export { augment, type AugmentOptions } from './augment.js';
export { imagePreprocess, imagenetPreprocess, type ImagePreprocessOptions, type PixelScale } from './preprocess.js';
export { mobilenetV1Groups, mobilenetV2Groups, perLayerGroups, type GroupSpec } from './sources/groups.js';
export { mobilenetV1Url, type MobileNetV1Options } from './sources/mobilenet-v1-spec.js';
export { loadLayersModelFromUrl } from './io/load-model-url.js';
export { tfjsLayersExporter, exportedLayersModel, exportLayersModelFiles, layersModelFiles, TFJS_MODEL_FILE, TFJS_WEIGHTS_FILE, type TfjsExportMetadata } from './io/tfjs-layers-exporter.js';
export { canvasDecode } from './data/canvas-decode.js';
export { imageFolderWith, type ImageDecoder, type ImageFolderOptions } from './data/image-folder-provider.js';

/** `vision/image-folder` decoded by the browser's own image decoder. */
export const imageFolder = imageFolderWith(canvasDecode, 'the browser’s image decoder');
export { mobilenetV1Browser as mobilenetV1 };

/** `@graft/vision` for a page: the sources and datasets that need no file system. */
const visionPlugin = definePlugin({
  // A page cannot read package.json; the browser registry checks shapes and names, not versions.
  meta: { name: '@graft/vision', version: GRAFT_VERSION, graft: GRAFT_VERSION },
  sources: [mobilenetV1Browser, smallCnn],
  datasets: [imageFolder],
  exporters: [tfjsLayersExporter],
});

export default visionPlugin;
export { visionPlugin };
