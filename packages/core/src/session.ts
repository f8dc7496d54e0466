import type { Backend } from './backend.js';
import { selectBackend } from './backends/select.js';
import { decodeRun, type RunState } from './checkpoint/checkpoint.js';
import { checkpointNotFound } from './checkpoint/not-found.js';
import type { RunPlan } from './config/load.js';
import { prepareData, type PreparedData } from './data/prepare.js';
import { splitFingerprints } from './data/fingerprint.js';
import type { Environment, FileStore } from './env/environment.js';
import { parseSpec } from './config/plugin-options.js';
import { GraftError, unknownName } from './errors.js';
import type { SourceContext } from './source.js';
import { silentLogger, type Logger } from './logger.js';
import { GraftModel } from './model/graft-model.js';
import type { Registry } from './plugins/registry.js';
import { deriveSeed, Rng } from './train/rng.js';
import type { Callback } from './train/callbacks.js';
import { checkpointCallback, listenerCallback, metricsLogCallback, stopSignalCallback } from './train/run-callbacks.js';
import { Trainer, type TrainCallbacks, type TrainResult } from './train/trainer.js';

/** A run's loaded parts: backend, data, and the model (trunk + heads). */
export interface Session {
  plan: RunPlan;
  backend: Backend;
  data: PreparedData;
  model: GraftModel;
  /** Where this run's checkpoint lives (in `env.artifacts`). */
  checkpointPath: string;
  /** The environment services the session was opened with (the run folder's lock comes from its artifacts). */
  env: Environment;
  dispose(): void;
}

/** Load data, pick and start the backend, load the source and build one head per task. */
export async function openSession(plan: RunPlan, registry: Registry, env: Environment): Promise<Session> {
  const log = env.log;
  const sourcePreprocessing = plan.source.plugin.preprocessing?.(plan.source.options, plan.dir);
  const data = await prepareData(plan.tasks, { seed: plan.seed, configDir: plan.dir, env, sourcePreprocessing, withoutTest: plan.evaluate.split !== 'test' });
  const modalities = new Set(data.groups.map((g) => g.dataset.modality));
  const backend = await selectBackend(plan.backend, registry, { convolutions: modalities.has('image'), embeddings: modalities.has('text') });
  log.debug(`backend: ${backend.name}`);
  const firstInput = Object.values(data.groups[0]!.dataset.train.inputs)[0];
  const context = (configDir: string, where: string): SourceContext => ({
    configDir,
    seed: plan.seed,
    log,
    env,
    where,
    inputShape: firstInput?.shape.slice(1),
    async loadSource(spec, dir) {
      const plugin = registry.sources.get(spec.use);
      if (!plugin) throw unknownName('GRAFT_UNKNOWN_SOURCE', 'source', spec.use, [...registry.sources.keys()], `${where} (nested)`);
      const options = parseSpec(plugin, spec, {}, 'source', `${plan.file} (nested source of ${where})`, []);
      return plugin.load(options, context(dir, `${where} (nested)`));
    },
  });
  const trunk = await plan.source.plugin.load(plan.source.options, context(plan.dir, 'source'));
  for (const group of data.groups) {
    const missing = trunk.inputNames.filter((n) => !(n in group.dataset.train.inputs));
    if (missing.length > 0) {
      throw new GraftError('GRAFT_DATA_INVALID', {
        what: `Source "${plan.source.plugin.name}" reads input ${missing.map((m) => `"${m}"`).join(', ')}, which the dataset of task "${group.tasks[0]!.name}" does not provide`,
        choices: Object.keys(group.dataset.train.inputs),
        fix: `Use a ${group.dataset.modality === 'image' ? 'text' : 'matching'} dataset for this source, or a source for ${group.dataset.modality} data`,
      });
    }
  }
  const model = new GraftModel(trunk, data.tasks, plan.tasks.map((t) => t.head), new Rng(deriveSeed(plan.seed, 1)), data.groups.map((g) => g.dataset));
  return { plan, backend, data, model, checkpointPath: env.artifacts.resolve(plan.output.dir, 'checkpoint.graft'), env, dispose: () => model.dispose() };
}

export interface TrainOptions {
  /** Continue from the run's checkpoint (true), or from a given checkpoint file. */
  resume?: boolean | string;
  callbacks?: TrainCallbacks;
  log?: Logger;
  /** Aborting it (the CLI does on SIGINT/SIGTERM) stops training at the next step boundary, writes the checkpoint and throws GRAFT_INTERRUPTED. */
  stop?: AbortSignal;
}

export interface TrainOutcome extends TrainResult {
  checkpoint?: string;
  backend: string;
  /** A digest of each split's examples, so runs that should share their data can be checked to. */
  splits: Partial<Record<'train' | 'validation' | 'test', string>>;
}

/** Train a session's model through every stage, writing metrics.jsonl and a checkpoint after each epoch. */
export async function trainSession(session: Session, options: TrainOptions = {}): Promise<TrainOutcome> {
  const { plan } = session;
  const path = typeof options.resume === 'string' ? options.resume : session.checkpointPath;
  const log = options.log ?? silentLogger;
  // One writer per run folder: metrics.jsonl and the checkpoint of two runs would otherwise interleave.
  const lock = await session.env.artifacts.lock(plan.output.dir);
  if (lock.tookOverFrom) log.warn(`Took over the lock of ${plan.output.dir} from ${lock.tookOverFrom}, which is no longer running.`);
  try {
    return await trainLocked(session, options, path, log);
  } finally {
    await lock.release();
  }
}

async function trainLocked(session: Session, options: TrainOptions, path: string, log: Logger): Promise<TrainOutcome> {
  const { plan, model, data } = session;
  const store = session.env.artifacts;
  let state: RunState | undefined;
  if (options.resume) {
    const bytes = await store.read(path);
    if (!bytes) throw checkpointNotFound(path);
    state = decodeRun(bytes, path);
    if (state.meta.configHash !== plan.hash) {
      throw new GraftError('GRAFT_CHECKPOINT_MISMATCH', {
        what: `${path} was written by a different config (hash ${state.meta.configHash.slice(0, 12)}, this config ${plan.hash.slice(0, 12)})`,
        why: 'Resuming with other settings would silently mix two runs.',
        fix: 'Resume with the config the run started with, or train without --resume (the checkpoint is left as it is)',
      });
    }
  }
  const files = session.env.artifacts;
  await removeStaleTemporaries(files, plan.output.dir, log);
  const metricsPath = files.resolve(plan.output.dir, 'metrics.jsonl');
  const checkpoint = plan.output.checkpoint ? checkpointCallback(store, session.checkpointPath, model, { configHash: plan.hash, config: plan.raw, configDir: plan.dir }) : undefined;
  // Early stopping (built in) and the config's callbacks first, so the checkpoint holds what they decided.
  const callbacks: Callback[] = [
    ...plan.callbacks.map((c) => c.plugin.create(c.options)),
    ...(checkpoint ? [checkpoint] : []),
    metricsLogCallback(files, metricsPath),
    ...(options.callbacks ? [listenerCallback(options.callbacks)] : []),
    // Last: a listener may abort the signal at this very step.
    ...(options.stop ? [stopSignalCallback(options.stop)] : []),
  ];
  const trainer = new Trainer(plan, model, data, log, callbacks);
  try {
    const result = await trainer.run(state);
    return { ...result, backend: session.backend.name, checkpoint: checkpoint?.saved || state ? session.checkpointPath : undefined, splits: splitFingerprints(data) };
  } finally {
    trainer.dispose();
  }
}

/** Remove temporaries (`checkpoint.graft.tmp-<pid>`, `.<name>.<pid>.<hex>.tmp`) that processes which no longer run left behind (killed mid-write). */
async function removeStaleTemporaries(files: FileStore, dir: string, log: Logger): Promise<void> {
  for (const name of await files.list(dir)) {
    const pid = (/\.tmp-(\d+)$/.exec(name) ?? /^\..+\.(\d+)\.[0-9a-f]+\.tmp$/.exec(name))?.[1];
    if (!pid || processAlive(Number(pid))) continue;
    await files.remove(files.resolve(dir, name));
    log.info(`Removed ${name}, left by process ${pid} which stopped while writing it.`);
  }
}

function processAlive(pid: number): boolean {
  // Only Node leaves such files behind; elsewhere there is no process to ask.
  if (typeof process === 'undefined' || pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
