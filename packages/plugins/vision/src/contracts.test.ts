// The plugin contract (meta, registry check) and the contract of each of its contributions that needs no
// fixture; sources, datasets and strategies with fixtures are checked in their own tests.
import { pluginContract } from '@graft/testing/contracts';
import visionPlugin from './index.js';

pluginContract(visionPlugin);
