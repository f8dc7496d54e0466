// The files of a new plugin package, as text. Kept as code (not copied files) so names substitute cleanly.

/** @param {{ name: string, scope: string, graftRange: string }} p */
export function files({ name, scope, graftRange }) {
  const pkg = {
    name,
    version: '0.1.0',
    description: `A Graft plugin: ${scope}/top-half, ${scope}/blobs and ${scope}/mlp.`,
    type: 'module',
    keywords: ['graft', 'graft-plugin'],
    license: 'Apache-2.0',
    exports: { '.': './src/index.js', './package.json': './package.json' },
    files: ['src', '!src/**/*.test.js'],
    engines: { node: '>=20.9.0' },
    scripts: { test: 'vitest run' },
    peerDependencies: { '@graft/core': graftRange, '@tensorflow/tfjs': '~4.22.0', zod: '^4.1.0' },
    devDependencies: { '@graft/cli': graftRange, '@graft/core': graftRange, '@graft/testing': graftRange, '@tensorflow/tfjs': '~4.22.0', vitest: '^4.1.0', zod: '^4.1.0' },
  };
  return {
    'package.json': `${JSON.stringify(pkg, null, 2)}\n`,
    '.gitignore': 'node_modules\nruns\n',
    'README.md': `# ${name}

A [Graft](https://github.com/graft-ml/graft#readme) plugin. In a config:

\`\`\`yaml
plugins: ['${name}']
source: { use: ${scope}/mlp }
tasks: [{ name: blobs, data: { use: ${scope}/blobs } }]
stages: [{ use: ${scope}/top-half, epochs: 5, lr: 0.05 }]
\`\`\`

\`npm test\` runs Graft's contract suites on each contribution.
`,
    'graft.yaml': `# A run using the three contributions of this plugin: npx graft train -c graft.yaml
plugins: ['./src/index.js']
backend: cpu
seed: 1
source: { use: ${scope}/mlp }
tasks: [{ name: blobs, data: { use: ${scope}/blobs } }]
stages: [{ use: ${scope}/top-half, epochs: 6, lr: 0.05, batchSize: 16 }]
`,
    'src/index.js': `import { definePlugin, packageMeta } from '@graft/core';
import { blobsDataset } from './dataset.js';
import { mlpSource } from './source.js';
import { topHalfStrategy } from './strategy.js';

/**
 * The plugin: meta (name, version and the Graft range it supports) comes from package.json.
 * Contributions of third-party plugins are named \`scope/name\`.
 */
export default definePlugin({
  meta: packageMeta(import.meta.url),
  strategies: [topHalfStrategy],
  datasets: [blobsDataset],
  sources: [mlpSource],
});
`,
    'src/strategy.js': `import { z } from 'zod';

/**
 * \`${scope}/top-half\`: train the upper half of the layer groups (and the heads), keep the lower half frozen.
 * Strategies are stateless: everything they do follows from the stage options, so a resumed run repeats it.
 * @type {import('@graft/core').Strategy<{}>}
 */
export const topHalfStrategy = {
  name: '${scope}/top-half',
  description: 'Freeze the lower half of the trunk groups; train the upper half and the heads.',
  options: z.strictObject({}),
  setup(stage) {
    stage.freezeTo(Math.floor(stage.groups.length / 2));
  },
};
`,
    'src/dataset.js': `import { z } from 'zod';

const options = z.strictObject({
  /** Training rows. @default 96 */
  train: z.number().int().positive().default(96),
  /** Test rows. @default 48 */
  test: z.number().int().positive().default(48),
  /** Spread of each blob around its centre. @default 0.6 */
  spread: z.number().positive().default(0.6),
});

/** A small seeded generator (mulberry32), so the same seed gives the same rows on every load. */
function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const CENTRES = [[-2, 0, 1, 0], [2, 0, -1, 0], [0, 2, 0, -1]];
const CLASSES = ['left', 'right', 'top'];

function split(size, spread, next) {
  const features = new Float32Array(size * 4);
  const labels = new Int32Array(size);
  for (let i = 0; i < size; i++) {
    const label = i % CLASSES.length;
    labels[i] = label;
    for (let j = 0; j < 4; j++) features[i * 4 + j] = CENTRES[label][j] + spread * (next() * 2 - 1);
  }
  return { size, inputs: { features: { data: features, shape: [size, 4] } }, targets: { label: { data: labels, shape: [size] } } };
}

/**
 * \`${scope}/blobs\`: three Gaussian-like blobs in 4 dimensions. Inputs are host arrays with the sample axis
 * first (\`features\`: [N, 4]); class labels are Int32 indices into \`targets.label.classes\`.
 * @type {import('@graft/core').DatasetProvider<z.output<typeof options>>}
 */
export const blobsDataset = {
  name: '${scope}/blobs',
  description: 'Three blobs in four dimensions (synthetic, seeded): a quick classification task.',
  options,
  async load(o, ctx) {
    const next = random(ctx.seed + 1);
    return {
      modality: 'table',
      targets: { label: { kind: 'classes', classes: CLASSES } },
      defaultTarget: 'label',
      train: split(o.train, o.spread, next),
      test: split(o.test, o.spread, next),
    };
  },
};
`,
    'src/source.js': `import * as tf from '@tensorflow/tfjs';
import { layersTrunk } from '@graft/core';
import { z } from 'zod';

const options = z.strictObject({
  /** Width of each hidden layer. @default 16 */
  width: z.number().int().positive().default(16),
});

/**
 * \`${scope}/mlp\`: a two-layer MLP trunk with seeded weights, one layer group per layer (so strategies can
 * freeze and thaw them). A real source would load pretrained weights here, through \`ctx.env.resources\`.
 * @type {import('@graft/core').PretrainedSource<z.output<typeof options>>}
 */
export const mlpSource = {
  name: '${scope}/mlp',
  description: 'A small two-layer MLP trunk on the \`features\` input, randomly initialised from the run seed.',
  options,
  async load(o, ctx) {
    const inputSize = ctx.inputShape?.[0] ?? 4;
    const init = (k) => tf.initializers.glorotUniform({ seed: ctx.seed * 7 + k });
    const model = tf.sequential({
      layers: [
        tf.layers.dense({ inputShape: [inputSize], units: o.width, activation: 'relu', name: 'hidden1', kernelInitializer: init(1) }),
        tf.layers.dense({ units: o.width, activation: 'relu', name: 'hidden2', kernelInitializer: init(2) }),
      ],
    });
    return layersTrunk({ model, inputName: 'features', groups: [{ name: 'hidden1', layers: ['hidden1'] }, { name: 'hidden2', layers: ['hidden2'] }] });
  },
};
`,
    'src/contracts.test.js': `import * as tf from '@tensorflow/tfjs';
import { createRuntime } from '@graft/core';
import { datasetContract, sourceContract, strategyContract } from '@graft/testing/contracts';
import { expect, it } from 'vitest';
import plugin from './index.js';
import { blobsDataset } from './dataset.js';
import { mlpSource } from './source.js';
import { topHalfStrategy } from './strategy.js';

await tf.setBackend('cpu');

strategyContract(topHalfStrategy);
datasetContract(blobsDataset, {});
sourceContract(mlpSource, { options: mlpSource.options.parse({}), sampleInputs: () => ({ features: tf.randomNormal([3, 4]) }) });

it('loads into Graft next to the first-party plugins', () => {
  const { registry } = createRuntime({ plugins: [plugin] });
  expect(registry.plugins.map((p) => p.name)).toContain(plugin.meta.name);
  expect(registry.strategies.has('${scope}/top-half')).toBe(true);
  expect(registry.sources.has('${scope}/mlp')).toBe(true);
});
`,
  };
}
