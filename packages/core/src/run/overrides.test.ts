import { describe, expect, it } from 'vitest';
import { memoryFileStore } from '../env/browser/index.js';
import { applyTrainedRunOverrides } from './overrides.js';

const files = memoryFileStore();
const stored = {
  backend: 'webgpu',
  source: { use: 'vision/mobilenet-v1' },
  tasks: [{ name: 'images', data: { use: 'vision/image-folder', path: '/data', size: 28 } }],
};

describe('applyTrainedRunOverrides', () => {
  it('points every task at the folder given (resolved against the working folder) and swaps the backend', () => {
    const out = applyTrainedRunOverrides(stored, { data: 'samples', backend: 'cpu' }, files, '/home/me') as typeof stored;
    expect(out.backend).toBe('cpu');
    expect(out.tasks[0]!.data).toEqual({ use: 'vision/image-folder', path: '/home/me/samples', size: 28 });
    expect(stored.tasks[0]!.data.path).toBe('/data');
  });

  it('leaves the stored config alone without overrides', () => {
    expect(applyTrainedRunOverrides(stored, {}, files, '/')).toBe(stored);
  });

  it('refuses --data when the tasks read several paths, or none', () => {
    const two = { ...stored, tasks: [...stored.tasks, { name: 'other', data: { use: 'x', path: '/elsewhere' } }] };
    expect(() => applyTrainedRunOverrides(two, { data: '/d' }, files, '/')).toThrow(/GRAFT_USAGE.*2 paths \(\/data, \/elsewhere\)/s);
    const none = { ...stored, tasks: [{ name: 'digits', data: { use: 'vision/digits' } }] };
    expect(() => applyTrainedRunOverrides(none, { data: '/d' }, files, '/')).toThrow(/no path and tasks digits read none/);
  });
});
