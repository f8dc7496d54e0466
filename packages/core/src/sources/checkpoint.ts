import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import type { CheckpointMeta } from '../checkpoint/checkpoint.js';
import { decodeCheckpoint } from '../checkpoint/codec.js';
import { checkpointNotFound } from '../checkpoint/not-found.js';
import { GraftError } from '../errors.js';
import type { PretrainedSource } from '../source.js';

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
    if (spec.use === 'graft/checkpoint' && files.resolve(meta.configDir, String(spec.path)) === path) {
      throw new GraftError('GRAFT_CHECKPOINT_CORRUPT', { what: `${path} names itself as its source`, fix: 'Point `source.path` at the checkpoint of an earlier run' });
    }
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
