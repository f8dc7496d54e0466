import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { createServer, type Server } from 'node:http';
import { mkdtemp, mkdir, readFile, rename, rm, symlink, truncate, writeFile, cp } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { tmpdir } from 'node:os';
import type { AddressInfo } from 'node:net';
import { GraftError } from '@graft/core/internal';
import { loadLayersModelFrom } from './load-model.js';
import { saveLayersModel } from './save-model.js';

let root: string;
let modelDir: string;
let reference: tf.LayersModel;
const probe = tf.tensor2d([[0.5, -1, 2], [3, 0.25, -0.75]]);

function tinyModel(): tf.LayersModel {
  const m = tf.sequential({ name: 'tiny' });
  m.add(tf.layers.dense({ inputShape: [3], units: 4, activation: 'relu', name: 'hidden' }));
  m.add(tf.layers.dense({ units: 2, name: 'out' }));
  return m;
}

async function rejection(p: Promise<unknown>): Promise<GraftError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(GraftError);
  return e as GraftError;
}

beforeAll(async () => {
  await tf.setBackend('cpu');
  root = await mkdtemp(join(tmpdir(), 'graft-vision-io-'));
  modelDir = join(root, 'models', 'tiny');
  reference = tinyModel();
  await saveLayersModel(reference, modelDir);
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('loadLayersModelFrom a directory', () => {
  it('reads model.json and its shards and predicts like the saved model', async () => {
    const { model, via } = await loadLayersModelFrom(modelDir);
    expect(via).toBe('path');
    const want = (reference.predict(probe) as tf.Tensor).arraySync();
    expect((model.predict(probe) as tf.Tensor).arraySync()).toEqual(want);
  });

  it('resolves a relative path against baseDir, and takes a .json file of any name', async () => {
    const { model } = await loadLayersModelFrom(relative(root, modelDir), { baseDir: root });
    expect(model.layers.map((l) => l.name)).toEqual(['hidden', 'out']);
    const renamed = await mkdtemp(join(root, 'renamed-'));
    await cp(modelDir, renamed, { recursive: true });
    await rename(join(renamed, 'model.json'), join(renamed, 'tiny.json'));
    const { dir } = await loadLayersModelFrom(join(renamed, 'tiny.json'));
    expect(dir).toBe(renamed);
  });

  async function copyWith(edit: (json: any) => void): Promise<string> {
    const dir = await mkdtemp(join(root, 'edited-'));
    await cp(modelDir, dir, { recursive: true });
    const json = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8'));
    edit(json);
    await writeFile(join(dir, 'model.json'), JSON.stringify(json));
    return dir;
  }

  it('refuses a manifest path that escapes the model directory, before reading it', async () => {
    // A perfectly good shard sits outside: loading would succeed if the loader followed the path.
    await cp(join(modelDir, 'group1-shard1of1.bin'), join(root, 'outside.bin'));
    const dir = await copyWith((j) => (j.weightsManifest[0].paths = ['../outside.bin']));
    const e = await rejection(loadLayersModelFrom(dir));
    expect(e.code).toBe('GRAFT_MODEL_LOAD');
    expect(e.message).toContain('The weights manifest lists the path "../outside.bin", which Graft refuses to read');
    expect(e.message).toContain('It escapes the model directory');
    for (const p of ['/etc/passwd', 'file:///etc/passwd', 'a/%2e%2e/%2e%2e/outside.bin', '..\\outside.bin']) {
      const d = await copyWith((j) => (j.weightsManifest[0].paths = [p]));
      expect((await rejection(loadLayersModelFrom(d))).message).toContain('which Graft refuses to read');
    }
  });

  it('refuses a shard that is a link leaving the directory', async () => {
    const dir = await copyWith(() => {});
    await rm(join(dir, 'group1-shard1of1.bin'));
    await symlink(join(root, 'outside.bin'), join(dir, 'group1-shard1of1.bin'));
    const e = await rejection(loadLayersModelFrom(dir));
    expect(e.message).toContain('Weight shard "group1-shard1of1.bin" resolves outside the model directory');
  });

  it('names the file when model.json is malformed', async () => {
    const dir = await mkdtemp(join(root, 'bad-json-'));
    await writeFile(join(dir, 'model.json'), '{"modelTopology": {');
    const e = await rejection(loadLayersModelFrom(dir));
    expect(e.message).toBe(`GRAFT_MODEL_LOAD: The model file is not valid JSON at ${join(dir, 'model.json')}. Re-download the model; the file may be truncated.`);
    const graph = await copyWith((j) => (j.modelTopology = { node: [] }));
    expect((await rejection(loadLayersModelFrom(graph))).message).toContain('is a TensorFlow.js graph model, not a layers model');
    const noDir = join(root, 'nowhere');
    expect((await rejection(loadLayersModelFrom(noDir))).message).toContain(`No model.json in the model directory at ${join(noDir, 'model.json')}`);
  });

  it('names a missing or short shard', async () => {
    const missing = await copyWith(() => {});
    await rm(join(missing, 'group1-shard1of1.bin'));
    const e1 = await rejection(loadLayersModelFrom(missing));
    expect(e1.message).toContain(`Weight shard "group1-shard1of1.bin" listed in model.json is missing at ${join(missing, 'group1-shard1of1.bin')}`);
    const short = await copyWith(() => {});
    await truncate(join(short, 'group1-shard1of1.bin'), 20);
    const e2 = await rejection(loadLayersModelFrom(short));
    // hidden 3×4 + 4, out 4×2 + 2 = 26 floats = 104 bytes.
    expect(e2.message).toContain('Weight shard group1-shard1of1.bin is short: 20 bytes, but the manifest needs 104');
    expect(e2.message).toContain('They hold hidden/kernel, hidden/bias, out/kernel, out/bias');
  });
});

describe('hostile weights manifests', () => {
  async function copyWith(edit: (json: any) => void): Promise<string> {
    const dir = await mkdtemp(join(root, 'hostile-'));
    await cp(modelDir, dir, { recursive: true });
    const json = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8'));
    edit(json);
    await writeFile(join(dir, 'model.json'), JSON.stringify(json));
    return dir;
  }

  it('refuses a shard listed twice (also spelled differently, also across groups)', async () => {
    for (const paths of [['group1-shard1of1.bin', 'group1-shard1of1.bin'], ['group1-shard1of1.bin', './group1-shard1of1.bin']]) {
      const dir = await copyWith((j) => (j.weightsManifest[0].paths = paths));
      const e = await rejection(loadLayersModelFrom(dir));
      expect(e.code).toBe('GRAFT_MODEL_LOAD');
      expect(e.message).toContain('lists the shard "group1-shard1of1.bin" twice');
    }
    const across = await copyWith((j) => j.weightsManifest.push({ paths: ['group1-shard1of1.bin'], weights: [] }));
    expect((await rejection(loadLayersModelFrom(across))).message).toContain('twice');
  });

  it('refuses weights larger than the cap from the manifest alone, before reading a shard', async () => {
    const dir = await copyWith((j) => (j.weightsManifest[0].weights[0].shape = [65536, 65536]));
    await rm(join(dir, 'group1-shard1of1.bin'));
    const e = await rejection(loadLayersModelFrom(dir));
    expect(e.message).toMatch(/weights need 17179869\d+ bytes, more than the \d+-byte cap/);
  });

  it('refuses a model.json over 64 MiB without reading it', async () => {
    const dir = await copyWith(() => {});
    await truncate(join(dir, 'model.json'), 65 * 2 ** 20);
    expect((await rejection(loadLayersModelFrom(dir))).message).toContain('model.json has 68157440 bytes, more than the 67108864-byte cap');
  });

  it('compares shard sizes with the manifest before reading them', async () => {
    const dir = await copyWith(() => {});
    // 3 GiB, sparse: costs no disk, and reading it whole would fail (Node reads at most 2 GiB into one buffer).
    await truncate(join(dir, 'group1-shard1of1.bin'), 3 * 2 ** 30);
    const e = await rejection(loadLayersModelFrom(dir));
    expect(e.message).toContain('is too long: 3221225472 bytes, but the manifest needs 104');
  });
});

describe('loadLayersModelFrom a URL', () => {
  let server: Server;
  let base: string;
  const requests: string[] = [];
  let cacheDir: string;

  beforeAll(async () => {
    // Serves <root>/models/... and a manifest that points outside the model's folder.
    server = createServer(async (req, res) => {
      requests.push(req.url!);
      if (req.url!.startsWith('/endless/')) {
        // A hostile server: a valid model.json, then a shard that never ends (no Content-Length).
        if (req.url!.endsWith('model.json')) return res.end(await readFile(join(root, 'models', 'tiny', 'model.json')));
        const chunk = Buffer.alloc(65536);
        const pump = () => {
          while (res.write(chunk));
          res.once('drain', pump);
        };
        res.on('close', () => res.removeAllListeners('drain'));
        return pump();
      }
      try {
        res.end(await readFile(join(root, 'models', decodeURIComponent(req.url!.replace(/^\/m\//, '')))));
      } catch {
        res.statusCode = 404;
        res.end('not found');
      }
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/m`;
  });
  afterAll(() => new Promise<void>((ok) => server.close(() => ok())));
  beforeEach(async () => {
    requests.length = 0;
    cacheDir = await mkdtemp(join(root, 'cache-'));
  });

  it('downloads into the cache once, then loads from the cache without a request', async () => {
    const first = await loadLayersModelFrom(`${base}/tiny/model.json`, { cacheDir, mirror: join(root, 'empty-mirror') });
    expect(first.via).toBe('cache');
    expect(requests).toEqual(['/m/tiny/model.json', '/m/tiny/group1-shard1of1.bin']);
    expect(first.dir).toBe(join(cacheDir, 'models', `127.0.0.1_${new URL(base).port}`, 'm', 'tiny'));
    requests.length = 0;
    const second = await loadLayersModelFrom(`${base}/tiny/model.json`, { cacheDir });
    expect(requests).toEqual([]);
    const want = (reference.predict(probe) as tf.Tensor).arraySync();
    expect((second.model.predict(probe) as tf.Tensor).arraySync()).toEqual(want);
  });

  it('cuts off a shard download that sends more than its manifest needs', async () => {
    const endless = base.replace(/\/m$/, '/endless');
    const e = await rejection(loadLayersModelFrom(`${endless}/tiny/model.json`, { cacheDir, mirror: join(root, 'empty-mirror') }));
    expect(e.message).toMatch(/group1-shard1of1\.bin sends over \d+ bytes, more than the 104 its model\.json allows/);
  });

  it('says so when the cache cannot be written', async () => {
    const file = join(cacheDir, 'not-a-directory');
    await writeFile(file, '');
    const e = await rejection(loadLayersModelFrom(`${base}/tiny/model.json`, { cacheDir: file }));
    expect(e.message).toContain('Could not write the downloaded model into the cache');
    expect(e.message).toContain('Set GRAFT_CACHE to a writable directory');
  });

  it('downloads again when a cached shard is short', async () => {
    const { dir } = await loadLayersModelFrom(`${base}/tiny/model.json`, { cacheDir });
    await truncate(join(dir, 'group1-shard1of1.bin'), 8);
    requests.length = 0;
    await loadLayersModelFrom(`${base}/tiny/model.json`, { cacheDir });
    expect(requests).toEqual(['/m/tiny/model.json', '/m/tiny/group1-shard1of1.bin']);
  });

  it('reads a mirror directory (option, GRAFT_MIRROR or GRAFT_MODEL_MIRROR) instead of the URL, by folder name or full layout', async () => {
    const mirror = join(root, 'mirror');
    await cp(modelDir, join(mirror, 'tiny'), { recursive: true });
    const byName = await loadLayersModelFrom('https://storage.example.invalid/x/tiny/model.json', { cacheDir, mirror });
    expect(byName).toMatchObject({ via: 'mirror', dir: join(mirror, 'tiny') });
    await cp(modelDir, join(mirror, 'storage.example.invalid', 'y', 'tiny2'), { recursive: true });
    const full = await loadLayersModelFrom('https://storage.example.invalid/y/tiny2/model.json', { cacheDir, mirror });
    expect(full.dir).toBe(join(mirror, 'storage.example.invalid', 'y', 'tiny2'));
    // GRAFT_MIRROR (data and models), a folder there or in GRAFT_MODEL_MIRROR, its older name.
    for (const [mirrorVar, modelVar] of [[mirror, ''], [join(root, 'empty-mirror'), mirror], ['', mirror]]) {
      vi.stubEnv('GRAFT_MIRROR', mirrorVar!);
      vi.stubEnv('GRAFT_MODEL_MIRROR', modelVar!);
      try {
        expect((await loadLayersModelFrom('https://storage.example.invalid/x/tiny/model.json', { cacheDir })).via).toBe('mirror');
      } finally {
        vi.unstubAllEnvs();
      }
    }
    expect(requests).toEqual([]);
  });

  it('downloads from a mirror server (option, GRAFT_MIRROR or GRAFT_MODEL_MIRROR) into the cache under the public URL', async () => {
    // The server holds <root>/models/tiny: the model's folder name under the base URL `${base}/`.
    const first = await loadLayersModelFrom('https://storage.example.invalid/x/tiny/model.json', { cacheDir, mirror: `${base}/` });
    expect(first.via).toBe('cache');
    expect(first.dir).toBe(join(cacheDir, 'models', 'storage.example.invalid', 'x', 'tiny'));
    // The full layout is tried first (404 there), then the folder name, then the shard beside it.
    expect(requests).toEqual(['/m/storage.example.invalid/x/tiny/model.json', '/m/tiny/model.json', '/m/tiny/group1-shard1of1.bin']);
    const want = (reference.predict(probe) as tf.Tensor).arraySync();
    expect((first.model.predict(probe) as tf.Tensor).arraySync()).toEqual(want);
    for (const [mirrorVar, modelVar] of [[base, ''], ['', base], [join(root, 'empty-mirror'), base]]) {
      vi.stubEnv('GRAFT_MIRROR', mirrorVar!);
      vi.stubEnv('GRAFT_MODEL_MIRROR', modelVar!);
      try {
        requests.length = 0;
        const fresh = await mkdtemp(join(root, 'cache-'));
        expect((await loadLayersModelFrom('https://storage.example.invalid/x/tiny/model.json', { cacheDir: fresh })).via).toBe('cache');
        expect(requests).toContain('/m/tiny/group1-shard1of1.bin');
      } finally {
        vi.unstubAllEnvs();
      }
    }
  });

  it('names the mirror server when it cannot be reached', async () => {
    const closed = createServer();
    await new Promise<void>((ok) => closed.listen(0, '127.0.0.1', ok));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((ok) => closed.close(() => ok()));
    const e = await rejection(loadLayersModelFrom('https://storage.example.invalid/x/tiny/model.json', { cacheDir, mirror: `http://127.0.0.1:${port}/` }));
    expect(e.message).toContain(`Could not reach http://127.0.0.1:${port}/storage.example.invalid/x/tiny/model.json`);
    expect(e.message).toContain(`the mirror http://127.0.0.1:${port}/ has no copy of it`);
  });

  it('says an unreachable URL is unreachable and mentions the cache and the mirror', async () => {
    const closed = createServer();
    await new Promise<void>((ok) => closed.listen(0, '127.0.0.1', ok));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((ok) => closed.close(() => ok()));
    const e = await rejection(loadLayersModelFrom(`http://127.0.0.1:${port}/a/model.json`, { cacheDir, mirror: join(root, 'mirror') }));
    expect(e.code).toBe('GRAFT_MODEL_LOAD');
    expect(e.message).toContain(`Could not reach http://127.0.0.1:${port}/a/model.json`);
    expect(e.message).toContain('ECONNREFUSED');
    expect(e.message).toContain(`It is not in the cache (${cacheDir}, set by GRAFT_CACHE) and the mirror ${join(root, 'mirror')} has no copy of it`);
    expect(e.message).toContain('set GRAFT_MIRROR');
  });

  it('reports a 404 and refuses a remote manifest that escapes the model folder without requesting it', async () => {
    const e404 = await rejection(loadLayersModelFrom(`${base}/absent/model.json`, { cacheDir }));
    expect(e404.message).toContain(`The server answered 404 Not Found for ${base}/absent/model.json`);
    const evil = join(root, 'models', 'evil');
    await mkdir(evil, { recursive: true });
    const json = JSON.parse(await readFile(join(modelDir, 'model.json'), 'utf8'));
    json.weightsManifest[0].paths = ['../tiny/group1-shard1of1.bin'];
    await writeFile(join(evil, 'model.json'), JSON.stringify(json));
    requests.length = 0;
    const e = await rejection(loadLayersModelFrom(`${base}/evil/model.json`, { cacheDir }));
    expect(e.message).toContain('which Graft refuses to read');
    expect(requests).toEqual(['/m/evil/model.json']);
  });
});
