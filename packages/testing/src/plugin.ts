import { definePlugin, packageMeta } from '@graft/core';
import { strokesDataset } from './fixtures/synthetic.js';
import { tinyConvSource } from './fixtures/tiny-conv.js';

/** Fixtures as a plugin, so configs and contract suites can use them by name. */
export const testingPlugin = definePlugin({
  meta: packageMeta(import.meta.url),
  sources: [tinyConvSource],
  datasets: [strokesDataset],
});
