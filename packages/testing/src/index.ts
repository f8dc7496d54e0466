/**
 * `@graft/testing`: tiny fixtures as a plugin (`plugins: ['@graft/testing']` in a config), with no test
 * runner dependency. The contract suites plugin authors run are in `@graft/testing/contracts` (vitest peer).
 */
import { testingPlugin } from './plugin.js';

export { buildTinyConv, saveLayersModel, loadTinyLayersModel, writeTinyConvFixture, tinyConvSource, TINY_CONV_GROUPS } from './fixtures/tiny-conv.js';
export { strokesDataset } from './fixtures/synthetic.js';
export { testingPlugin };
export default testingPlugin;
