import { cpuBackend } from '../backends/cpu.js';
import { checkpointSource } from '../sources/checkpoint.js';
import { definePlugin } from '../plugins/define.js';
import { GRAFT_VERSION } from '../version.js';
import { classificationTask } from './classification.js';
import { regressionTask } from './regression.js';
import { equal } from '../weightings/equal.js';

/** What core itself registers: the task kinds, the cpu backend, the checkpoint source and the `equal` weighting. */
export const corePlugin = definePlugin({
  meta: { name: '@graft/core', version: GRAFT_VERSION, graft: GRAFT_VERSION },
  tasks: [classificationTask, regressionTask],
  backends: [cpuBackend],
  sources: [checkpointSource],
  weightings: [equal],
});
