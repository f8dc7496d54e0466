// The plugin contract (meta, registry check) and the contract of each of its contributions that needs no
// fixture; sources, datasets and strategies with fixtures are checked in their own tests. Both entries:
// the browser one registers its own instances of the sources and datasets.
import { pluginContract } from '@graft/testing/contracts';
import textBrowserPlugin from './browser.js';
import textPlugin from './index.js';

pluginContract(textPlugin);
pluginContract(textBrowserPlugin);
