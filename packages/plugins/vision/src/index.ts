import { definePlugin, packageMeta } from '@graft/core';
import { digits } from './data/digits.js';
import { fashionMnist } from './data/fashion-mnist.js';
import { fontDigits } from './data/font-digits.js';
import { imageFolder } from './data/image-folder.js';
import { mobilenetV1 } from './sources/mobilenet-v1.js';
import { smallCnn } from './sources/small-cnn.js';
import { mobilenetV2 } from './sources/mobilenet-v2.js';
import { tfjsLayers } from './sources/tfjs-layers.js';
import { contrastiveTask } from './contrastive/contrastive-task.js';
import { onnxSource } from './onnx/onnx-source.js';
import { resnetSource } from './onnx/resnet-source.js';
import { tfjsLayersExporter } from './io/tfjs-layers-exporter.js';

export { augment, augmentation, augmentSchema, type AugmentOptions, type AugmentSpec } from './augment.js';
export { contrastiveTask, ContrastiveHead } from './contrastive/contrastive-task.js';
export { ntXent } from './contrastive/nt-xent.js';
export { imagePreprocess, imagenetPreprocess, type ImagePreprocessOptions, type PixelScale } from './preprocess.js';
export { loadLayersModelFrom, type ModelLocationOptions, type ResolvedModel } from './io/load-model.js';
export { directoryHandler } from './io/directory-handler.js';
export { saveLayersModel } from './io/save-model.js';
export { tfjsLayersExporter, exportedLayersModel, exportLayersModelFiles, layersModelFiles, TFJS_MODEL_FILE, TFJS_WEIGHTS_FILE, type TfjsExportMetadata } from './io/tfjs-layers-exporter.js';
export { defaultCacheDir } from './io/cache-dir.js';
export { mobilenetV1Groups, mobilenetV2Groups, perLayerGroups, type GroupSpec } from './sources/groups.js';
export { mobilenetV1, mobilenetV1Url, type MobileNetV1Options } from './sources/mobilenet-v1.js';
export { mobilenetV2, type MobileNetV2Options } from './sources/mobilenet-v2.js';
export { tfjsLayers, type TfjsLayersOptions } from './sources/tfjs-layers.js';
export { onnxSource, IMAGENET_MEAN, IMAGENET_STD, type OnnxSourceOptions } from './onnx/onnx-source.js';
export { resnetSource, type ResNetOptions } from './onnx/resnet-source.js';
export { fashionMnist, FASHION_CLASSES, DEBIAN_FASHION_MNIST_DIR, type FashionMnistOptions } from './data/fashion-mnist.js';
export { fashionMnistFile, sklearnDigitsFile, FASHION_MNIST_NAMES } from './data/public-files.js';
export { imageFolder, type ImageFolderOptions } from './data/image-folder.js';
export { imageFolderWith, type ImageDecoder } from './data/image-folder-provider.js';
export { digits, type DigitsOptions } from './data/digits.js';
export { fontDigits, renderFontDigits, type FontDigitsOptions, type FontDigitPool } from './data/font-digits.js';
export { readIdx, parseIdx, type IdxArray } from './data/idx.js';

/** `@graft/vision`: ImageNet CNN sources (tfjs layers models), image datasets, augmentation and the `contrastive` task. */
const visionPlugin = definePlugin({
  meta: packageMeta(import.meta.url),
  sources: [mobilenetV1, mobilenetV2, tfjsLayers, smallCnn, onnxSource, resnetSource],
  datasets: [fashionMnist, imageFolder, digits, fontDigits],
  tasks: [contrastiveTask],
  exporters: [tfjsLayersExporter],
});

export default visionPlugin;
export { visionPlugin };
