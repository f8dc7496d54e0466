import type { onnx as O } from 'onnx-proto';
import { onnx } from './proto.js';

/** An attribute value; `{ f }` forces FLOAT for a value that happens to be an integer. */
type Attr = number | number[] | string | { f: number };

/** A tiny helper to assemble an ONNX graph: nodes get unique output names, constants become initializers. */
export class GraphBuilder {
  readonly nodes: O.INodeProto[] = [];
  readonly initializers: O.ITensorProto[] = [];
  private counter = 0;

  /** Add a node; returns its output names (one per `outputs`). */
  op(opType: string, inputs: string[], attrs: Record<string, Attr> = {}, outputs = 1, name?: string): string[] {
    const base = name ?? `${opType}_${this.counter++}`;
    const outs = Array.from({ length: outputs }, (_, i) => (outputs === 1 ? base : `${base}:${i}`));
    this.nodes.push({
      opType,
      name: base,
      input: inputs,
      output: outs,
      attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)),
    });
    return outs;
  }

  /** Single-output shorthand. */
  one(opType: string, inputs: string[], attrs: Record<string, Attr> = {}, name?: string): string {
    return this.op(opType, inputs, attrs, 1, name)[0]!;
  }

  /** A float32 initializer. */
  float(name: string, dims: number[], data: Float32Array | number[]): string {
    const arr = data instanceof Float32Array ? data : Float32Array.from(data);
    this.initializers.push({
      name,
      dims,
      dataType: onnx.TensorProto.DataType.FLOAT,
      rawData: new Uint8Array(arr.buffer.slice(arr.byteOffset, arr.byteOffset + arr.byteLength)),
    });
    return name;
  }

  /** An int64 initializer (shapes, axes, indices). */
  int64(name: string, dims: number[], data: number[]): string {
    const bytes = new Uint8Array(data.length * 8);
    const view = new DataView(bytes.buffer);
    data.forEach((v, i) => view.setBigInt64(i * 8, BigInt(v), true));
    this.initializers.push({ name, dims, dataType: onnx.TensorProto.DataType.INT64, rawData: bytes });
    return name;
  }
}

function attribute(name: string, v: Attr): O.IAttributeProto {
  const T = onnx.AttributeProto.AttributeType;
  if (typeof v === 'string') return { name, type: T.STRING, s: new TextEncoder().encode(v) };
  if (typeof v === 'object' && !Array.isArray(v)) return { name, type: T.FLOAT, f: v.f };
  if (Array.isArray(v)) return { name, type: T.INTS, ints: v };
  if (Number.isInteger(v) && !Object.is(v, -0)) return { name, type: T.INT, i: v };
  return { name, type: T.FLOAT, f: v };
}

/** A graph input or output with symbolic (`batch_size`) or fixed dimensions. */
export function valueInfo(name: string, elemType: number, dims: Array<string | number>): O.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType,
        shape: { dim: dims.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })) },
      },
    },
  };
}
