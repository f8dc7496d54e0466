import onnxProto from 'onnx-proto';
import type { onnx as OnnxNamespace } from 'onnx-proto';

/**
 * The ONNX protobuf schema. onnx-proto is CommonJS and sets its namespace on `module.exports`, which
 * Node's ESM loader exposes only as the default export; types come from `import type { onnx as O }`.
 */
export const onnx: typeof OnnxNamespace = (onnxProto as unknown as { onnx: typeof OnnxNamespace }).onnx;
