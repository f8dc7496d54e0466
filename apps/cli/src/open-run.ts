import { GraftError, type TrainedRun } from '@graft/core';
import { cliRuntime } from './context.js';

/** The flags eval, predict and export share to name a trained run. */
export interface RunFlags {
  config?: string;
  checkpoint?: string;
}

/** Open the trained run the flags name: `-c` (its run folder, or `--checkpoint`), or a run folder/checkpoint alone. */
export async function openTrainedFromFlags(run: string | undefined, flags: RunFlags): Promise<TrainedRun> {
  const checkpoint = flags.checkpoint ?? run;
  if (flags.config) return (await cliRuntime().load(flags.config)).openTrained(checkpoint);
  if (checkpoint) return cliRuntime().openTrained(checkpoint);
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
