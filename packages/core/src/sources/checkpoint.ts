import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import type { CheckpointMeta } from '../checkpoint/checkpoint.js';
import { decodeCheckpoint } from '../checkpoint/codec.js';
import { checkpointNotFound } from '../checkpoint/not-found.js';
import { GraftError } from '../errors.js';
import type { FileStore } from '../env/environment.js';
import type { PretrainedSource } from '../source.js';

/** Checkpoints trained from checkpoints, at most this deep: transfer chains longer than this are not real. */
const MAX_CHAIN = 16;

type SourceSpec = { use: string } & Record<string, unknown>;
const sourceOf = (meta: CheckpointMeta) => (meta.config as { source?: SourceSpec }).source;

/**
 * Follow the chain of checkpoints this one was trained from (each names its source) before loading any
 * of them, and refuse a chain that comes back to a checkpoint already in it (which would load forever)
 * or is implausibly long. The error names the whole chain.
 */
async function checkSourceChain(files: FileStore, path: string, meta: CheckpointMeta): Promise<void> {
  const chain = [path];
  let spec = sourceOf(meta);
  let dir = meta.configDir;
  while (spec?.use === 'graft/checkpoint' && typeof spec.path === 'string') {
    const next = files.resolve(dir, spec.path);
    if (chain.includes(next)) {
      throw new GraftError('GRAFT_CHECKPOINT_CORRUPT', {
        what: `The checkpoint ${path} is trained from a chain of checkpoints that loops: ${[...chain, next].join(' → ')}`,
        why: 'Each checkpoint records the source it was trained from; following them would never end',
        fix: 'Point `source.path` at the checkpoint of an earlier run that was not trained from this one',
      });
    }
    if (chain.length >= MAX_CHAIN) {
      throw new GraftError('GRAFT_CHECKPOINT_CORRUPT', { what: `The checkpoint ${path} is trained from a chain of more than ${MAX_CHAIN} checkpoints: ${chain.join(' → ')} → …`, fix: 'Train from a checkpoint nearer the original source' });
    }
    chain.push(next);
    const bytes = await files.read(next);
    if (!bytes) return; // the nested load says it is missing
    const nextMeta = decodeCheckpoint<CheckpointMeta>(bytes, next).meta;
    spec = sourceOf(nextMeta);
    dir = nextMeta.configDir;
  }
}

const options = z.strictObject({
  /** A checkpoint written by `graft train` (`runs/<name>/checkpoint.graft`). */
  path: z.string().describe('Path of a checkpoint written by `graft train`, relative to this config.'),
});

/**
 * `graft/checkpoint`: a model Graft trained, as a pretrained source. The trunk is rebuilt from the source
 * its config named, with the same layer groups, and its trained weights are loaded; the old heads are
 * dropped. Transfer learning is one way to solve several tasks: train on one, then transfer to the next.
 */
export const checkpointSource: PretrainedSource<z.output<typeof options>> = {
  name: 'graft/checkpoint',
  description: 'The trunk of a model Graft trained (a checkpoint file), groups intact, heads dropped.',
  options,
  async load(o, ctx) {
    const files = ctx.env.files;
    const path = files.resolve(ctx.configDir, o.path);
    const bytes = await files.read(path);
    if (!bytes) throw checkpointNotFound(path);
    const { meta, tensors } = decodeCheckpoint<CheckpointMeta>(bytes, path);
    const spec = (meta.config as { source?: { use: string } & Record<string, unknown> }).source;
    if (!spec) throw new GraftError('GRAFT_CHECKPOINT_CORRUPT', { what: `${path} does not record the source it was trained from`, fix: 'Use a checkpoint written by `graft train`' });
    await checkSourceChain(files, path, meta);
    const trunk = await ctx.loadSource(spec, meta.configDir);
    for (const w of trunk.weights()) {
      const t = tensors.get(`w/${w.key}`);
      if (!t || t.shape.join(',') !== w.variable.shape.join(',')) {
        trunk.dispose();
        throw new GraftError('GRAFT_CHECKPOINT_MISMATCH', {
          what: `${path} does not match the trunk of its own source "${spec.use}": weight "${w.key}" is ${t ? `[${t.shape}]` : 'missing'} in the checkpoint, [${w.variable.shape}] in the trunk`,
          fix: 'Was the source’s model changed since the checkpoint was written? Use the same model files',
        });
      }
      tf.tidy(() => w.variable.assign(tf.tensor(t.data, t.shape, w.variable.dtype)));
    }
    ctx.log.info(`Loaded the trunk of ${path} (trained from ${spec.use}, ${meta.history.length} epochs).`);
    return trunk;
  },
};
