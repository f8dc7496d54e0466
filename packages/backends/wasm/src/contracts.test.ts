// The plugin contract (meta, registry check) and the backend contract: where the backend is available
// here, its matMul and gradient against a JavaScript reference; where not (no adapter, no package), why and the fix.
import { pluginContract } from '@graft/testing/contracts';
import plugin from './index.js';

pluginContract(plugin);
