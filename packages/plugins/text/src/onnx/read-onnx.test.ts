import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { onnx } from './proto.js';
import { readOnnxModel } from './read-onnx.js';
import { localModelFolder } from '../hf/node-access.js';

const EXTERNAL = onnx.TensorProto.DataLocation.EXTERNAL;

/** A model directory whose `onnx/model.onnx` keeps `n` one-float initializers in one external file. */
function externalModel(n: number, fileBytes: number): string {
  const dir = mkdtempSync(join(tmpdir(), 'graft-onnx-ext-'));
  mkdirSync(join(dir, 'onnx'));
  const data = new Float32Array(fileBytes / 4);
  for (let i = 0; i < n; i++) data[i] = i + 0.5;
  writeFileSync(join(dir, 'onnx', 'weights.bin'), new Uint8Array(data.buffer));
  const initializer = Array.from({ length: n }, (_, i) => ({
    name: `w${i}`,
    dataType: onnx.TensorProto.DataType.FLOAT,
    dims: [1],
    dataLocation: EXTERNAL,
    externalData: [
      { key: 'location', value: 'weights.bin' },
      { key: 'offset', value: String(i * 4) },
      { key: 'length', value: '4' },
    ],
  }));
  writeFileSync(join(dir, 'onnx', 'model.onnx'), onnx.ModelProto.encode({ irVersion: 8, graph: { name: 'g', initializer } }).finish());
  return dir;
}

describe('readOnnxModel external data', () => {
  it('reads each external file once, not once per initializer', async () => {
    // 300 initializers in a 32 MiB file: read per initializer, that is 9.6 GB of reads.
    const dir = externalModel(300, 32 * 2 ** 20);
    const start = performance.now();
    const { initializers } = await readOnnxModel(localModelFolder(dir), 'onnx/model.onnx');
    expect(performance.now() - start).toBeLessThan(1500);
    expect(initializers.size).toBe(300);
    expect(Array.from(initializers.get('w299')!.data)).toEqual([299.5]);
  });

  it('refuses external data outside its file, and garbage bytes, with GRAFT_MODEL_LOAD', async () => {
    const dir = externalModel(1, 4);
    writeFileSync(join(dir, 'onnx', 'weights.bin'), new Uint8Array(2));
    await expect(readOnnxModel(localModelFolder(dir), 'onnx/model.onnx')).rejects.toMatchObject({ code: 'GRAFT_MODEL_LOAD' });
    writeFileSync(join(dir, 'onnx', 'model.onnx'), new Uint8Array([0xff, 0xff, 0xff, 0xff, 0x0f, 1, 2, 3]));
    await expect(readOnnxModel(localModelFolder(dir), 'onnx/model.onnx')).rejects.toMatchObject({ code: 'GRAFT_MODEL_LOAD' });
  });
});
