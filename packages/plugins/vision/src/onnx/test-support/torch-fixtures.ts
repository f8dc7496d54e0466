import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

/** Debian's Python with python3-torch, python3-torchvision and python3-onnx (scripts/test-assets.sh). */
export const PYTHON = '/usr/bin/python3';
const SCRIPT = new URL('../../../scripts/export-torchvision-onnx.py', import.meta.url).pathname;

/** Whether PyTorch, torchvision and onnx import (test-only helper). */
export async function torchAvailable(): Promise<boolean> {
  if (!existsSync(PYTHON)) return false;
  try {
    await promisify(execFile)(PYTHON, ['-c', 'import torch, torchvision, onnx']);
    return true;
  } catch {
    return false;
  }
}

export interface TorchFixture {
  onnxPath: string;
  /** The input, NCHW as PyTorch had it. */
  input: { shape: number[]; data: Float32Array };
  /** PyTorch's eval-mode logits. */
  output: { shape: number[]; data: Float32Array };
  /** A second model's state dict (safetensors) and PyTorch's logits under it. */
  stateDict: { path: string; output: Float32Array };
}

/** Export torchvision `arch` with seeded random weights to ONNX in `dir`, with PyTorch's output on a seeded input. */
export async function exportTorchvision(arch: string, size: number, dir: string, batch = 2): Promise<TorchFixture> {
  await promisify(execFile)(PYTHON, [SCRIPT, arch, String(size), dir, String(batch)], { maxBuffer: 1 << 24 });
  const shapes = JSON.parse(await readFile(join(dir, `${arch}.json`), 'utf8')) as { input: number[]; output: number[] };
  const floats = async (name: string) => {
    const b = await readFile(join(dir, name));
    return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
  };
  return {
    onnxPath: join(dir, `${arch}.onnx`),
    input: { shape: shapes.input, data: await floats(`${arch}.input.bin`) },
    output: { shape: shapes.output, data: await floats(`${arch}.output.bin`) },
    stateDict: { path: join(dir, `${arch}.safetensors`), output: await floats(`${arch}.sd-output.bin`) },
  };
}
