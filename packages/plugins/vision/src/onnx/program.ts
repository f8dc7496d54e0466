import * as tf from '@tensorflow/tfjs';
import { GraftError, didYouMean } from '@graft/core';
import type { OnnxGraph, OnnxNode } from './onnx-graph.js';
import { OPS, type CompileEnv, type NormState, type Run } from './ops.js';
import { fromOnnxLayout, type Value } from './values.js';

/** A weight of the imported graph: the ONNX initializer it came from and the node that uses it. */
export interface OnnxParam {
  /** The initializer's name (for a PyTorch export, the state-dict key such as `layer1.0.conv1.weight`). */
  key: string;
  variable: tf.Variable;
  /** The first node reading it. */
  node: OnnxNode;
  /** The ONNX-layout tensor → the variable's layout (e.g. OIHW → HWIO). */
  layout: (t: tf.Tensor) => tf.Tensor;
}

/** An ONNX graph compiled to tfjs ops over variables, from the image input to the cut tensor. */
export interface OnnxProgram {
  /** The nodes that run, in order. */
  nodes: OnnxNode[];
  params: OnnxParam[];
  /** BatchNormalization nodes by name. */
  norms: Map<string, NormState>;
  /** The tensor the trunk ends at. */
  cut: string;
  /** NHWC images → the cut tensor (NHWC when 4-D). Call inside `tf.tidy` or a gradient. */
  run(image: tf.Tensor4D, training: boolean): Value;
  dispose(): void;
}

export interface CompileOptions {
  /** Node name or tensor name the trunk ends at; omitted: the input of the last Gemm/MatMul (the classifier). */
  cut?: string;
  /** Config path for messages. */
  where: string;
}

/**
 * Compile the part of `graph` that computes the cut tensor. Every operator is checked before any weight
 * is created, and a failure while creating them disposes what was made: nothing is left half-loaded.
 */
export function compileOnnx(graph: OnnxGraph, options: CompileOptions): OnnxProgram {
  const cut = resolveCut(graph, options);
  const nodes = needed(graph, cut);
  const missing = nodes.filter((n) => !OPS[n.opType]);
  if (missing.length > 0) {
    throw new GraftError('GRAFT_MODEL_LOAD', {
      what: `The ONNX graph uses operators the importer does not support: ${[...new Set(missing.map((n) => n.opType))].join(', ')} (first at node "${missing[0]!.name}")`,
      where: options.where,
      why: `Graft builds a trainable tfjs model from the common CNN operators only: ${Object.keys(OPS).join(', ')}`,
      fix: 'Simplify the graph (onnx-simplifier folds shape arithmetic), cut the trunk before the unsupported part (`cut`), or export a model made of these operators.',
      choices: missing.slice(0, 10).map((n) => `${n.name} (${n.opType})`),
    });
  }
  const params = new Map<string, OnnxParam>();
  const constants = new Map<string, Value>();
  const norms = new Map<string, NormState>();
  let current: OnnxNode | undefined;
  const env: CompileEnv = {
    opset: graph.opset,
    where: options.where,
    constant: (name) => graph.constants.get(name),
    param(name, layout, trainable) {
      const existing = params.get(name);
      if (existing) return existing.variable;
      const c = graph.constants.get(name)!;
      if (!c.float) throw new GraftError('GRAFT_MODEL_LOAD', { what: `Weight "${name}" of node "${current!.name}" is not a float tensor`, where: options.where });
      const variable = tf.tidy(() => tf.variable(layout(tf.tensor(c.data as Float32Array, c.shape)), trainable));
      params.set(name, { key: name, variable, node: current!, layout });
      return variable;
    },
    norm(node) {
      const state = { momentum: typeof node.attrs.get('momentum') === 'number' ? (node.attrs.get('momentum') as number) : 0.9, inference: false };
      norms.set(node.name, state);
      return state;
    },
  };
  const steps: { node: OnnxNode; run: Run }[] = [];
  const dispose = () => {
    for (const p of params.values()) p.variable.dispose();
    for (const c of constants.values()) c.t.dispose();
  };
  try {
    for (const node of nodes) {
      current = node;
      steps.push({ node, run: OPS[node.opType]!(node, env) });
    }
  } catch (e) {
    dispose();
    throw e;
  }
  const constantValue = (name: string): Value | undefined => {
    const c = graph.constants.get(name);
    if (!c) return undefined;
    let v = constants.get(name);
    if (!v) {
      const t = tf.keep(tf.tidy(() => fromOnnxLayout(tf.tensor(c.float ? (c.data as Float32Array) : Float32Array.from(c.data), c.shape)).t));
      v = { t, nhwc: t.rank === 4 };
      constants.set(name, v);
    }
    return v;
  };
  return {
    nodes,
    params: [...params.values()],
    norms,
    cut,
    run(image, training) {
      const values = new Map<string, Value>([[graph.input.name, { t: image, nhwc: true }]]);
      const get = (name: string): Value => {
        const v = values.get(name) ?? constantValue(name);
        if (!v) throw new GraftError('GRAFT_MODEL_LOAD', { what: `The ONNX graph reads "${name}", which no node computes`, where: options.where });
        return v;
      };
      for (const { node, run } of steps) values.set(node.outputs[0]!, run(get, training));
      return get(cut);
    },
    dispose,
  };
}

function resolveCut(graph: OnnxGraph, options: CompileOptions): string {
  if (options.cut === undefined) {
    const classifier = [...graph.nodes].reverse().find((n) => n.opType === 'Gemm' || n.opType === 'MatMul');
    return classifier ? classifier.inputs[0]! : graph.outputs[0]!;
  }
  const byNode = graph.nodes.find((n) => n.name === options.cut);
  if (byNode) return byNode.outputs[0]!;
  if (graph.nodes.some((n) => n.outputs.includes(options.cut!))) return options.cut;
  const names = graph.nodes.map((n) => n.name);
  const guess = didYouMean(options.cut, names);
  throw new GraftError('GRAFT_INVALID_ARGUMENT', {
    what: `The ONNX graph has no node or tensor "${options.cut}" (the trunk's \`cut\`)`,
    where: `${options.where}.cut`,
    fix: guess ? `Did you mean "${guess}"?` : 'Name a node of the graph (the last few are listed) or one of their output tensors.',
    choices: guess ? undefined : names.slice(-12),
  });
}

/** The nodes the cut tensor depends on, in graph order. */
function needed(graph: OnnxGraph, cut: string): OnnxNode[] {
  const producer = new Map<string, number>();
  graph.nodes.forEach((n, i) => n.outputs.forEach((o) => producer.set(o, i)));
  const keep = new Set<number>();
  const stack = [cut];
  while (stack.length > 0) {
    const i = producer.get(stack.pop()!);
    if (i === undefined || keep.has(i)) continue;
    keep.add(i);
    stack.push(...graph.nodes[i]!.inputs.filter(Boolean));
  }
  return graph.nodes.filter((_, i) => keep.has(i));
}
