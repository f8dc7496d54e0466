import type { onnx as O } from 'onnx-proto';
import { GraftError } from '@graft/core';
import { isMissingFile, modelFileName, type ModelFolder } from '../hf/model-folder.js';
import { onnx } from './proto.js';

/** A float initializer of an ONNX graph. */
export interface OnnxInitializer {
  shape: number[];
  data: Float32Array;
}

export interface ParsedOnnx {
  graph: O.IGraphProto;
  /** Float initializers by name (integer constants such as shapes are skipped). */
  initializers: Map<string, OnnxInitializer>;
}

/**
 * Read `name` (e.g. `onnx/model.onnx`) from a model directory, resolving external data files
 * relative to it and refusing any that leave the model directory.
 */
export async function readOnnxModel(folder: ModelFolder, name: string): Promise<ParsedOnnx> {
  return parseOnnxModel(await folder.read(name), folder, name);
}

/** Parse the bytes of `name` of a model folder, reading its external data files from the same folder. */
export async function parseOnnxModel(bytes: Uint8Array, folder: ModelFolder, name: string): Promise<ParsedOnnx> {
  const dir = folder.location;
  let model: O.ModelProto;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (cause) {
    throw new GraftError('GRAFT_MODEL_LOAD', { what: `${name} is not a valid ONNX model`, where: dir, cause });
  }
  const graph = model.graph;
  if (!graph) throw new GraftError('GRAFT_MODEL_LOAD', { what: `${name} has no graph`, where: dir });
  const initializers = new Map<string, OnnxInitializer>();
  const baseDir = name.includes('/') ? name.slice(0, name.lastIndexOf('/')) : '.';
  // Exported models keep every initializer in one or a few external files: each is read once.
  const externalFiles = new Map<string, Uint8Array>();
  for (const t of graph.initializer ?? []) {
    if (t.dataType !== onnx.TensorProto.DataType.FLOAT || !t.name) continue;
    const shape = (t.dims ?? []).map(Number);
    const count = shape.reduce((a, b) => a * b, 1);
    if (!shape.every((d) => Number.isSafeInteger(d) && d >= 0) || !Number.isSafeInteger(count)) {
      throw new GraftError('GRAFT_MODEL_LOAD', { what: `Initializer "${t.name}" of ${name} has an invalid shape [${shape.join(', ')}]`, where: dir });
    }
    let data: Float32Array;
    if (t.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL) {
      data = await readExternal(folder, baseDir, t, count, name, externalFiles);
    } else if (t.rawData && t.rawData.byteLength > 0) {
      if (t.rawData.byteLength !== count * 4) {
        throw new GraftError('GRAFT_MODEL_LOAD', {
          what: `Initializer "${t.name}" of ${name} holds ${t.rawData.byteLength} bytes but its shape [${shape.join(', ')}] needs ${count * 4}`,
          where: dir,
        });
      }
      data = new Float32Array(count);
      const view = new DataView(t.rawData.buffer, t.rawData.byteOffset, t.rawData.byteLength);
      for (let i = 0; i < count; i++) data[i] = view.getFloat32(i * 4, true);
    } else {
      data = Float32Array.from(t.floatData ?? []);
      if (data.length !== count) {
        throw new GraftError('GRAFT_MODEL_LOAD', { what: `Initializer "${t.name}" of ${name} has ${data.length} values, not ${count}`, where: dir });
      }
    }
    initializers.set(t.name, { shape, data });
  }
  return { graph, initializers };
}

async function readExternal(folder: ModelFolder, baseDir: string, t: O.ITensorProto, count: number, name: string, files: Map<string, Uint8Array>): Promise<Float32Array> {
  const dir = folder.location;
  const entries = new Map((t.externalData ?? []).map((e) => [e.key ?? '', e.value ?? '']));
  const location = entries.get('location');
  if (!location) throw new GraftError('GRAFT_MODEL_LOAD', { what: `Initializer "${t.name}" of ${name} is external but names no file`, where: dir });
  const path = modelFileName(`${baseDir}/${location}`, dir);
  const offset = Number(entries.get('offset') ?? 0);
  const length = Number(entries.get('length') ?? count * 4);
  let file = files.get(path);
  if (!file) {
    try {
      file = await folder.read(path);
    } catch (cause) {
      if (!isMissingFile(cause)) throw cause;
      throw new GraftError('GRAFT_MODEL_LOAD', { what: `The model directory is missing ${path} (external data of ${name})`, where: dir, cause });
    }
    files.set(path, file);
  }
  if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || length !== count * 4 || offset < 0 || offset + length > file.byteLength) {
    throw new GraftError('GRAFT_MODEL_LOAD', {
      what: `External data of initializer "${t.name}" (offset ${offset}, length ${length}) does not fit ${location} (${file.byteLength} bytes) or its shape`,
      where: dir,
    });
  }
  const out = new Float32Array(count);
  const view = new DataView(file.buffer, file.byteOffset + offset, length);
  for (let i = 0; i < count; i++) out[i] = view.getFloat32(i * 4, true);
  return out;
}
