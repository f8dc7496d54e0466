import * as tf from '@tensorflow/tfjs';
import { cpuBackend, Rng } from '@graft/core/internal';
import { webgpuBackend } from '../backend.js';

/**
 * Whether this machine can run the WebGPU tests. Outside CI a missing adapter skips them with the
 * reason and the fix; in CI (which installs the Debian packages first) it is a failure.
 */
export async function webgpuForTests(): Promise<boolean> {
  const availability = await webgpuBackend.detect();
  if (availability.available) return true;
  const message = `WebGPU is not available: ${availability.reason}. ${availability.fix}. (packages/backends/webgpu/scripts/fetch-test-assets.sh installs what CI needs.)`;
  if (process.env.CI) throw new Error(`CI must run the webgpu tests. ${message}`);
  console.warn(`Skipping the webgpu tests. ${message}`);
  return false;
}

/** Both cpu and webgpu initialised in this process, so a test can run the same computation on each. */
export async function initCpuAndWebGpu(): Promise<void> {
  await cpuBackend.init();
  await webgpuBackend.init();
}

/** Runs `compute` on `backend` with fresh copies of the host inputs and returns its outputs on the host. */
export async function runOn(backend: 'cpu' | 'webgpu', inputs: Host[], compute: (...xs: tf.Tensor[]) => tf.Tensor | tf.Tensor[]): Promise<Float32Array[]> {
  if (!(await tf.setBackend(backend))) throw new Error(`backend ${backend} is not initialised`);
  const outs = tf.tidy(() => {
    const result = compute(...inputs.map((h) => tf.tensor(h.values, h.shape)));
    return Array.isArray(result) ? result : [result];
  });
  const values = await Promise.all(outs.map(async (t) => (await t.data()) as Float32Array));
  tf.dispose(outs);
  return values;
}

export interface Host {
  values: Float32Array;
  shape: number[];
}

/** Seeded values uniform in [-1, 1). */
export function randomHost(shape: number[], seed: number): Host {
  const rng = new Rng(seed);
  const values = new Float32Array(shape.reduce((a, b) => a * b, 1));
  for (let i = 0; i < values.length; i++) values[i] = rng.next() * 2 - 1;
  return { values, shape };
}

/** `max |actual − expected| / max |expected|`: the error relative to the tensor's scale. */
export function relativeError(actual: Float32Array, expected: Float32Array): number {
  if (actual.length !== expected.length) return Infinity;
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < expected.length; i++) {
    diff = Math.max(diff, Math.abs(actual[i]! - expected[i]!));
    scale = Math.max(scale, Math.abs(expected[i]!));
  }
  return scale === 0 ? diff : diff / scale;
}
