import { GraftError, type TrainedRun } from '@graft/core';
import { cliRuntime } from './context.js';

/** The flags eval, predict and export share to name a trained run. */
export interface RunFlags {
  config?: string;
  checkpoint?: string;
  /** eval and predict: the folder the run's dataset reads instead of the stored one. */
  data?: string;
  /** eval and predict: the backend instead of the stored one. */
  backend?: string;
}

/** Open the trained run the flags name: `-c` (its run folder, or `--checkpoint`), or a run folder/checkpoint alone. */
export async function openTrainedFromFlags(run: string | undefined, flags: RunFlags): Promise<TrainedRun> {
  const checkpoint = flags.checkpoint ?? run;
  const overrides = { ...(flags.data !== undefined ? { data: flags.data } : {}), ...(flags.backend !== undefined ? { backend: flags.backend } : {}) };
  if (flags.config) {
    if (Object.keys(overrides).length > 0) {
      throw new GraftError('GRAFT_USAGE', {
        what: `${flags.data !== undefined ? '--data' : '--backend'} changes the config stored in a checkpoint, and -c names a config of its own`,
        fix: 'Edit the config file passed with -c, or drop -c and name the run folder or checkpoint alone',
        where: flags.data !== undefined ? '--data' : '--backend',
      });
    }
    return (await cliRuntime().load(flags.config)).openTrained(checkpoint);
  }
  if (checkpoint) return cliRuntime().openTrained(checkpoint, overrides);
  throw new GraftError('GRAFT_USAGE', {
    what: 'No trained run named',
    fix: 'Pass a run folder or checkpoint (graft eval runs/<name>), or the config it was trained with (-c FILE)',
  });
}

/** Run `use` on the opened run and dispose it whatever happens. */
export async function withTrainedRun<T>(run: string | undefined, flags: RunFlags, use: (trained: TrainedRun) => Promise<T>): Promise<T> {
  const trained = await openTrainedFromFlags(run, flags);
  try {
    return await use(trained);
  } finally {
    trained.dispose();
  }
}
