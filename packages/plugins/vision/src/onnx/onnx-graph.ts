import type { onnx as O } from 'onnx-proto';
import { GraftError } from '@graft/core';
import { onnx } from './proto.js';

/** A constant tensor of the graph (an initializer or a `Constant` node's value). */
export interface OnnxConstant {
  shape: number[];
  /** Float tensors as float32; integer tensors (shapes, axes, pads) as plain numbers. */
  data: Float32Array | number[];
  float: boolean;
}

/** One node, with its attributes decoded. */
export interface OnnxNode {
  name: string;
  opType: string;
  inputs: string[];
  outputs: string[];
  attrs: Map<string, number | number[] | string | Float32Array>;
}

/** An ONNX graph reduced to what the importer needs. */
export interface OnnxGraph {
  /** The graph input that is not an initializer, with its dims (a string for a symbolic one). */
  input: { name: string; dims: (number | string)[] };
  outputs: string[];
  /** Nodes in the file's order (ONNX requires topological order). */
  nodes: OnnxNode[];
  constants: Map<string, OnnxConstant>;
  opset: number;
}

/**
 * Decode an ONNX model (the protobuf bytes of a `.onnx` file). Weights must be stored inside the file:
 * external data (models over 2 GB) is refused with a clear error rather than read half-way.
 */
export function parseOnnx(bytes: Uint8Array, where: string): OnnxGraph {
  let model: O.ModelProto;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (cause) {
    throw new GraftError('GRAFT_MODEL_LOAD', { what: 'The file is not a valid ONNX model', where, cause, fix: 'Export it with torch.onnx.export and give the .onnx file.' });
  }
  const graph = model.graph;
  if (!graph || (graph.node ?? []).length === 0) throw new GraftError('GRAFT_MODEL_LOAD', { what: 'The ONNX model has no graph', where });
  const opset = Math.max(0, ...(model.opsetImport ?? []).filter((o) => !o.domain || o.domain === 'ai.onnx').map((o) => Number(o.version ?? 0)));
  const constants = new Map<string, OnnxConstant>();
  for (const t of graph.initializer ?? []) if (t.name) constants.set(t.name, decodeTensor(t, where));
  const nodes: OnnxNode[] = [];
  (graph.node ?? []).forEach((n, i) => {
    // A Constant node is a constant like an initializer (a Dropout ratio, a Reshape shape).
    if (n.opType === 'Constant' && n.output?.[0]) {
      const value = (n.attribute ?? []).find((a) => a.name === 'value' && a.t);
      if (value) {
        constants.set(n.output[0], decodeTensor(value.t!, where));
        return;
      }
    }
    nodes.push(toNode(n, i, where));
  });
  const inputs = (graph.input ?? []).filter((v) => v.name && !constants.has(v.name));
  if (inputs.length !== 1) {
    throw new GraftError('GRAFT_MODEL_LOAD', {
      what: `The ONNX graph has ${inputs.length} inputs (${inputs.map((v) => v.name).join(', ')}); an image model has one`,
      where,
      fix: 'Export the CNN with a single image input.',
    });
  }
  const dims = (inputs[0]!.type?.tensorType?.shape?.dim ?? []).map((d) => (d.dimValue != null && Number(d.dimValue) > 0 ? Number(d.dimValue) : d.dimParam || '?'));
  return { input: { name: inputs[0]!.name!, dims }, outputs: (graph.output ?? []).map((v) => v.name ?? ''), nodes, constants, opset };
}

function toNode(n: O.INodeProto, i: number, where: string): OnnxNode {
  return {
    name: n.name || `${n.opType}_${i}`,
    opType: n.opType ?? '',
    inputs: (n.input ?? []).slice(),
    outputs: (n.output ?? []).slice(),
    attrs: new Map((n.attribute ?? []).map((a) => [a.name ?? '', decodeAttribute(a, where)])),
  };
}

const T = () => onnx.TensorProto.DataType;

function decodeTensor(t: O.ITensorProto, where: string): OnnxConstant {
  const shape = (t.dims ?? []).map(Number);
  const count = shape.reduce((a, b) => a * b, 1);
  if (t.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL) {
    throw new GraftError('GRAFT_MODEL_LOAD', {
      what: `Tensor "${t.name}" is stored in an external data file`,
      where,
      why: 'The importer reads self-contained .onnx files only',
      fix: 'Export again without external data (models under 2 GB fit in one file), or merge it with onnx.load(..., load_external_data=True) and onnx.save.',
    });
  }
  const raw = t.rawData && t.rawData.byteLength > 0 ? new DataView(t.rawData.buffer, t.rawData.byteOffset, t.rawData.byteLength) : undefined;
  const type = t.dataType;
  if (type === T().FLOAT) {
    const data = new Float32Array(count);
    if (raw) {
      if (raw.byteLength !== count * 4) throw badSize(t, where);
      for (let i = 0; i < count; i++) data[i] = raw.getFloat32(i * 4, true);
    } else {
      if ((t.floatData ?? []).length !== count) throw badSize(t, where);
      data.set(t.floatData ?? []);
    }
    return { shape, data, float: true };
  }
  if (type === T().INT64 || type === T().INT32) {
    const width = type === T().INT64 ? 8 : 4;
    let data: number[];
    if (raw) {
      if (raw.byteLength !== count * width) throw badSize(t, where);
      data = Array.from({ length: count }, (_, i) => (width === 8 ? Number(raw.getBigInt64(i * 8, true)) : raw.getInt32(i * 4, true)));
    } else {
      data = (type === T().INT64 ? t.int64Data ?? [] : t.int32Data ?? []).map(Number);
      if (data.length !== count) throw badSize(t, where);
    }
    return { shape, data, float: false };
  }
  if (type === T().BOOL) {
    // Flags such as Dropout's training_mode.
    const data = raw ? Array.from({ length: count }, (_, i) => raw.getUint8(i)) : (t.int32Data ?? []).map(Number);
    if (data.length !== count) throw badSize(t, where);
    return { shape, data, float: false };
  }
  throw new GraftError('GRAFT_MODEL_LOAD', {
    what: `Tensor "${t.name}" has data type ${onnx.TensorProto.DataType[type ?? 0] ?? type}`,
    where,
    why: 'The importer reads float32 weights and int32/int64 shapes',
    fix: 'Export the model in float32 (model.float() before torch.onnx.export).',
  });
}

function badSize(t: O.ITensorProto, where: string): GraftError {
  return new GraftError('GRAFT_MODEL_LOAD', { what: `Tensor "${t.name}" holds a number of values that does not match its shape [${(t.dims ?? []).join(', ')}]`, where, fix: 'Export the model again; the file is damaged.' });
}

function decodeAttribute(a: O.IAttributeProto, where: string): number | number[] | string | Float32Array {
  const A = onnx.AttributeProto.AttributeType;
  switch (a.type) {
    case A.INT: return Number(a.i ?? 0);
    case A.FLOAT: return a.f ?? 0;
    case A.INTS: return (a.ints ?? []).map(Number);
    case A.FLOATS: return (a.floats ?? []).slice();
    case A.STRING: return new TextDecoder().decode(a.s ?? new Uint8Array());
    case A.TENSOR: {
      const c = decodeTensor(a.t!, where);
      return c.float ? (c.data as Float32Array) : (c.data as number[]);
    }
    default: return [];
  }
}
