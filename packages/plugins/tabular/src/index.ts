import { definePlugin, PLUGIN_API_VERSION } from '@graft/core';
import { csvDataset } from './csv/dataset.js';
import { csvOptionsSchema, type CsvOptions } from './csv/options.js';
import { mlpOptionsSchema, mlpSource, type MlpOptions } from './mlp/source.js';
import { mlpTrunk, type MlpTrunkOptions } from './mlp/trunk.js';
import { findPenguinsCsv, penguinsFile, PENGUINS_DIR, PENGUINS_URL } from './penguins.js';
import { penguinsDataset } from './penguins-dataset.js';

export { csvDataset, csvOptionsSchema, findPenguinsCsv, penguinsDataset, penguinsFile, mlpOptionsSchema, mlpSource, mlpTrunk, PENGUINS_DIR, PENGUINS_URL };
export type { CsvOptions, MlpOptions, MlpTrunkOptions };

/** `@graft/tabular`: the `tabular/csv` and `tabular/penguins` datasets and the `tabular/mlp` source. */
const tabularPlugin = definePlugin({
  meta: { name: '@graft/tabular', version: '0.1.0', api: PLUGIN_API_VERSION },
  sources: [mlpSource],
  datasets: [csvDataset, penguinsDataset],
});

export default tabularPlugin;
