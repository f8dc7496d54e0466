import type { Backend } from './backend.js';
import { selectBackend } from './backends/select.js';
import { decodeRun, encodeRun, type RunState } from './checkpoint/checkpoint.js';
import { checkpointNotFound } from './checkpoint/not-found.js';
import type { RunPlan } from './config/load.js';
import { prepareData, type PreparedData } from './data/prepare.js';
import { splitFingerprints } from './data/fingerprint.js';
import type { Environment } from './env/environment.js';
import { GraftError, unknownName } from './errors.js';
import type { SourceContext } from './source.js';
import { silentLogger, type Logger } from './logger.js';
import { GraftModel } from './model/graft-model.js';
import type { Registry } from './plugins/registry.js';
import { deriveSeed, Rng } from './train/rng.js';
import { Trainer, type TrainCallbacks, type TrainResult } from './train/trainer.js';

/** A run's loaded parts: backend, data, and the model (trunk + heads). */
export interface Session {
  plan: RunPlan;
  backend: Backend;
  data: PreparedData;
  model: GraftModel;
  /** Where this run's checkpoint lives (in `env.artifacts`). */
  checkpointPath: string;
  /** The environment services the run reads and writes through. */
  env: Environment;
  dispose(): void;
}

/** Load data, pick and start the backend, load the source and build one head per task. */
export async function openSession(plan: RunPlan, registry: Registry, env: Environment): Promise<Session> {
  const log = env.log;
  const sourceTokenizer = plan.source.plugin.tokenizer?.(plan.source.options, plan.dir);
  const data = await prepareData(plan.tasks, { seed: plan.seed, configDir: plan.dir, env, sourceTokenizer });
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
      const { use: _use, ...rest } = spec;
      const parsed = plugin.options.safeParse(rest);
      if (!parsed.success) throw new GraftError('GRAFT_CONFIG_INVALID', { what: `The nested source "${spec.use}" has invalid options: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`, where });
      return plugin.load(parsed.data, context(dir, `${where} (nested)`));
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
}

export interface TrainOutcome extends TrainResult {
  checkpoint?: string;
  backend: string;
  /** A digest of each split's examples, so runs that should share their data can be checked to. */
  splits: Partial<Record<'train' | 'validation' | 'test', string>>;
}

/** Train a session's model through every stage, writing metrics.jsonl and a checkpoint after each epoch. */
export async function trainSession(session: Session, options: TrainOptions = {}): Promise<TrainOutcome> {
  const { plan, model, data, env } = session;
  const store = env.artifacts;
  const path = typeof options.resume === 'string' ? options.resume : session.checkpointPath;
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
  const metricsPath = store.resolve(plan.output.dir, 'metrics.jsonl');
  if (!state) await store.remove(metricsPath);
  const meta = { configHash: plan.hash, config: plan.raw, configDir: plan.dir };
  let saved = false;
  const trainer = new Trainer(plan, model, data, options.log ?? silentLogger, {
    onStep: options.callbacks?.onStep,
    async onEpochEnd(entry, snapshot) {
      await store.append(metricsPath, `${JSON.stringify({ type: 'epoch', ...entry })}\n`);
      if (plan.output.checkpoint) {
        await store.write(session.checkpointPath, await encodeRun(model, snapshot(), meta));
        saved = true;
      }
      await options.callbacks?.onEpochEnd?.(entry, snapshot);
    },
  });
  try {
    const result = await trainer.run(state);
    await store.append(metricsPath, `${JSON.stringify({ type: 'final', ...result.final })}\n`);
    return { ...result, backend: session.backend.name, checkpoint: saved || state ? session.checkpointPath : undefined, splits: splitFingerprints(data) };
  } finally {
    trainer.dispose();
  }
}
