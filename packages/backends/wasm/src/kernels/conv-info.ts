import * as tf from '@tensorflow/tfjs';

/** Geometry of a 2-D convolution, from tfjs' own `computeConv2DInfo` so padding matches exactly. */
export interface ConvGeometry {
  batch: number;
  inHeight: number;
  inWidth: number;
  inChannels: number;
  outHeight: number;
  outWidth: number;
  outChannels: number;
  filterHeight: number;
  filterWidth: number;
  strideHeight: number;
  strideWidth: number;
  dilationHeight: number;
  dilationWidth: number;
  padTop: number;
  padBottom: number;
  padLeft: number;
  padRight: number;
}

export function convGeometry(
  kernelName: string,
  xShape: number[],
  filterShape: number[],
  strides: number | [number, number],
  dilations: number | [number, number],
  pad: 'same' | 'valid' | number | tf.backend_util.ExplicitPadding,
  dimRoundingMode: 'floor' | 'round' | 'ceil' | undefined,
  depthwise: boolean,
  dataFormat: 'NHWC' | 'NCHW' = 'NHWC',
): ConvGeometry {
  const format = tf.backend_util.convertConv2DDataFormat(dataFormat);
  if (format !== 'channelsLast') {
    throw new Error(`${kernelName} on the wasm backend supports dataFormat 'NHWC' only, got '${dataFormat}'.`);
  }
  const info = tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    strides,
    dilations,
    pad,
    dimRoundingMode,
    depthwise,
    format,
  );
  return {
    batch: info.batchSize,
    inHeight: info.inHeight,
    inWidth: info.inWidth,
    inChannels: info.inChannels,
    outHeight: info.outHeight,
    outWidth: info.outWidth,
    outChannels: info.outChannels,
    filterHeight: info.filterHeight,
    filterWidth: info.filterWidth,
    strideHeight: info.strideHeight,
    strideWidth: info.strideWidth,
    dilationHeight: info.dilationHeight,
    dilationWidth: info.dilationWidth,
    padTop: info.padInfo.top,
    padBottom: info.padInfo.bottom,
    padLeft: info.padInfo.left,
    padRight: info.padInfo.right,
  };
}

let columnBudget = 16 * 1024 * 1024;

/** At most this many floats (64 MiB) in an im2col buffer; larger batches are processed in chunks. */
export function maxColumnFloats(): number {
  return columnBudget;
}

/** Sets the im2col budget (tests use a tiny one to exercise chunking); returns the previous one. */
export function setColumnBudget(floats: number): number {
  const previous = columnBudget;
  columnBudget = floats;
  return previous;
}
