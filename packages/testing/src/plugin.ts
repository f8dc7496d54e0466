import { definePlugin, PLUGIN_API_VERSION } from '@graft/core';
import { strokesDataset } from './fixtures/synthetic.js';
import { tinyConvSource } from './fixtures/tiny-conv.js';

/** Fixtures as a plugin, so configs and contract suites can use them by name. */
export const testingPlugin = definePlugin({
  meta: { name: '@graft/testing', version: '0.1.0', api: PLUGIN_API_VERSION },
  sources: [tinyConvSource],
  datasets: [strokesDataset],
});
