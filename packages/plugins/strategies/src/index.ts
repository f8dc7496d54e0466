import { definePlugin, GRAFT_VERSION } from '@graft/core';
import { chainThaw } from './chain-thaw.js';
import { fineTune } from './fine-tune.js';
import { gradualUnfreeze } from './gradual-unfreeze.js';
import { linearProbe } from './linear-probe.js';
import { multitask } from './multitask.js';
import { comparePresets } from './presets.js';
import { scratch } from './scratch.js';
import { weightings } from './weightings/index.js';

export { chainThaw, fineTune, gradualUnfreeze, linearProbe, multitask, scratch };
export * from './weightings/index.js';
export { comparePresets };

/** The first-party strategies and multi-task weightings. */
const strategiesPlugin = definePlugin({
  // Versioned with @graft/core (one version for every Graft package); a literal, so a page can load it.
  meta: { name: '@graft/strategies', version: GRAFT_VERSION, graft: GRAFT_VERSION },
  strategies: [scratch, linearProbe, fineTune, gradualUnfreeze, chainThaw, multitask],
  weightings,
  comparePresets,
});

export default strategiesPlugin;
