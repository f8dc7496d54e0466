import type { Registry } from '../plugins/registry.js';
import type { Session } from '../session.js';
import { silentLogger } from '../logger.js';
import { Trainer } from './trainer.js';

/** What `graft plan` prints: the run a config describes, decided by the same code that trains it. */
export interface RunPlanReport {
  backend: {
    requested: string;
    chosen: string;
    why: string;
    /** Every registered backend, highest priority first, and whether it could run this. */
    candidates: { name: string; priority: number; available: boolean; note?: string }[];
  };
  /** Examples per split of each distinct dataset, with the tasks that read it. */
  data: { tasks: string[]; train: number; validation?: number; test?: number }[];
  stages: { stage: number; name: string; weighting: string; epochs: { epoch: number; groups: { name: string; lr: number }[] }[] }[];
}

/** Dry-run a session: the backend choice and why, data sizes, and per stage and epoch the groups that train and their rates. */
export async function planRun(session: Session, registry: Registry): Promise<RunPlanReport> {
  const { plan, data, backend } = session;
  const needs = new Set(data.groups.map((g) => g.dataset.modality));
  const candidates = await Promise.all(
    [...registry.backends.values()].map(async (b) => {
      const availability = await b.detect().catch((e: unknown) => ({ available: false, reason: String(e) }));
      const caps = b.capabilities();
      const unfit = (needs.has('image') && !caps.trainsConvolutions) || (needs.has('text') && !caps.trainsEmbeddings);
      const note = !availability.available ? (availability as { reason?: string }).reason ?? 'not available here' : unfit ? 'cannot train what this run needs' : undefined;
      return { name: b.name, priority: b.priority, available: availability.available, note };
    }),
  );
  candidates.sort((a, b) => b.priority - a.priority);
  const why =
    plan.backend === 'auto'
      ? `auto: the highest-priority available backend that trains ${[...needs].join(' and ')} data`
      : `named in the config (backend: ${plan.backend})`;
  const trainer = new Trainer(plan, session.model, data, silentLogger);
  try {
    return {
      backend: { requested: plan.backend, chosen: backend.name, why, candidates },
      data: data.groups.map((g) => ({
        tasks: g.tasks.map((t) => t.name),
        train: g.dataset.train.size,
        validation: g.dataset.validation?.size,
        test: g.dataset.test?.size,
      })),
      stages: plan.stages.map((_, s) => ({ stage: s, ...trainer.describeStage(s) })),
    };
  } finally {
    trainer.dispose();
  }
}
