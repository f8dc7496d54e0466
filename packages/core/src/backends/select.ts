import type { Backend } from '../backend.js';
import { GraftError, unknownName } from '../errors.js';
import type { Registry } from '../plugins/registry.js';

/** What a run needs a backend to train. */
export interface BackendNeeds {
  convolutions: boolean;
  embeddings: boolean;
}

/**
 * Initialise the backend a config names, or for `auto` the highest-priority available one that can train
 * what the run needs.
 */
export async function selectBackend(name: string, registry: Registry, needs: BackendNeeds = { convolutions: false, embeddings: false }): Promise<Backend> {
  if (name !== 'auto') {
    const backend = registry.backends.get(name);
    if (!backend) throw unknownName('GRAFT_UNKNOWN_BACKEND', 'backend', name, ['auto', ...registry.backends.keys()], 'backend');
    const availability = await backend.detect();
    if (!availability.available) {
      throw new GraftError('GRAFT_BACKEND_UNAVAILABLE', {
        what: `Backend "${name}" is not available here`,
        why: availability.reason,
        fix: availability.fix ?? 'Pick another backend; `graft backends` lists them',
      });
    }
    await backend.init();
    return backend;
  }
  // Detect first: a backend may only know its priority once it has probed the machine (a real GPU or not).
  const all = [...registry.backends.values()];
  const availability = await Promise.all(all.map((b) => b.detect().catch(() => ({ available: false }))));
  const candidates = all.filter((_, i) => availability[i]!.available).sort((a, b) => b.priority - a.priority);
  for (const backend of candidates) {
    const caps = backend.capabilities();
    if ((needs.convolutions && !caps.trainsConvolutions) || (needs.embeddings && !caps.trainsEmbeddings)) continue;
    try {
      await backend.init();
      return backend;
    } catch {
      continue;
    }
  }
  throw new GraftError('GRAFT_BACKEND_UNAVAILABLE', { what: 'No backend is available', fix: 'Install @graft/backend-wasm or use backend: cpu' });
}
