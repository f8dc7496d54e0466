import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { vocabFromTexts } from './tokenizer-json.js';

// An app whose node_modules is the workspace's without transformers.js and the ONNX runtime, as after
// `npm install @graft/text` (optional peers are not installed). Node keeps the symlinked paths
// (--preserve-symlinks), so every package resolves its imports from this app's node_modules; the
// built dist is what runs (npm test builds first).
const root = fileURLToPath(new URL('../../../../../', import.meta.url));
const LEFT_OUT = new Set(['@huggingface', 'onnxruntime-node', 'onnxruntime-web', 'onnxruntime-common', '.bin', '.package-lock.json']);
let app: string;

function node(args: string[]) {
  const result = spawnSync(process.execPath, ['--preserve-symlinks', '--preserve-symlinks-main', ...args], { cwd: app, encoding: 'utf8', timeout: 60_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

beforeAll(() => {
  app = mkdtempSync(join(tmpdir(), 'graft-no-transformers-'));
  mkdirSync(join(app, 'node_modules'));
  for (const name of readdirSync(join(root, 'node_modules'))) {
    if (!LEFT_OUT.has(name)) symlinkSync(join(root, 'node_modules', name), join(app, 'node_modules', name));
  }
  const texts = ['the cat sat on the mat', 'a dog ran in the park', 'the bird sang', 'a fish swam'];
  writeFileSync(join(app, 'vocab.txt'), `${vocabFromTexts(texts).join('\n')}\n`);
  writeFileSync(join(app, 'data.jsonl'), texts.map((text, i) => JSON.stringify({ text, label: i % 2 ? 'a' : 'b' })).join('\n'));
});

describe('@graft/text without @huggingface/transformers', () => {
  it('imports, tokenizes a vocabulary, and names the package and its install command where a hub model needs it', () => {
    writeFileSync(
      join(app, 'check.mjs'),
      `const out = {};
try { await import('@huggingface/transformers'); out.transformers = 'found'; } catch (e) { out.transformers = e.code; }
const text = await import('@graft/text');
out.plugin = text.default.meta.name;
const { loadTokenizer } = await import('@graft/text/internal');
out.ids = (await loadTokenizer(${JSON.stringify(join(app, 'vocab.txt'))})).encode('the cat sat');
try { await loadTokenizer('bert-base-uncased', 'tasks[0].data.tokenizer'); } catch (e) { out.error = { code: e.code, message: e.message }; }
console.log(JSON.stringify(out));`,
    );
    const run = node(['check.mjs']);
    expect(run.stderr).toBe('');
    const out = JSON.parse(run.stdout) as { transformers: string; plugin: string; ids: number[]; error?: { code: string; message: string } };
    // The app really cannot resolve the package, so what follows runs without it.
    expect(out.transformers).toBe('ERR_MODULE_NOT_FOUND');
    expect(out.plugin).toBe('@graft/text');
    expect(out.ids).toHaveLength(5);
    expect(out.error?.code).toBe('GRAFT_MISSING_PACKAGE');
    expect(out.error?.message).toContain('@huggingface/transformers, which is not installed');
    expect(out.error?.message).toContain('npm install @huggingface/transformers@~4.3.2');
    expect(out.error?.message).toContain('tasks[0].data.tokenizer');
  });

  it('graft train with a hub model exits 2 with the install hint', () => {
    writeFileSync(
      join(app, 'graft.json'),
      JSON.stringify({
        backend: 'cpu',
        source: { use: 'text/bert', model: 'bert-base-uncased' },
        tasks: [{ name: 'label', data: { use: 'text/jsonl', path: 'data.jsonl', maxLength: 8, tokenizer: './vocab.txt' } }],
        stages: [{ use: 'fine-tune', epochs: 1, lr: 0.01, batchSize: 2 }],
        output: { dir: 'run' },
      }),
    );
    const run = node([join(app, 'node_modules/@graft/cli/dist/bin.js'), 'train', '-c', 'graft.json']);
    expect(run.stderr).toContain('GRAFT_MISSING_PACKAGE');
    expect(run.stderr).toContain('npm install @huggingface/transformers@~4.3.2');
    expect(run.stderr).toContain('source.model');
    expect(run.status).toBe(2);
  });
});
