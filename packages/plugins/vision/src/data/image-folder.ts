import sharp from 'sharp';
import { imageFolderWith, type ImageDecoder } from './image-folder-provider.js';

export type { ImageFolderOptions } from './image-folder-provider.js';

/** Decode with sharp: EXIF rotation applied, alpha dropped, resized by `fit`. */
const sharpDecode: ImageDecoder = async (bytes, o) => {
  let image = sharp(bytes, { failOn: 'error' }).rotate().removeAlpha().resize(o.size, o.size, { fit: o.fit, background: { r: 0, g: 0, b: 0 } });
  image = o.channels === 1 ? image.greyscale() : image.toColourspace('srgb');
  const { data, info } = await image.raw().toBuffer({ resolveWithObject: true });
  if (info.channels !== o.channels) throw new Error(`decoded to ${info.channels} channels, expected ${o.channels}`);
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
};

/** Images in one folder per class (`flowers/daisy/*.jpg`, `flowers/rose/*.png`), decoded with sharp. */
export const imageFolder = imageFolderWith(sharpDecode, 'sharp');
