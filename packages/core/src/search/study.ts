import { GraftError } from '../errors.js';
import type { FileStore } from '../env/environment.js';
import type { Params } from './space.js';

/** What became of a trial. */
export type TrialState = 'complete' | 'pruned' | 'failed';

/** One trial as the study records it, once, when it ends. */
export interface TrialRecord {
  number: number;
  params: Params;
  state: TrialState;
  /** The metric on each held-out fold run so far (averaged over seeds), in fold order. */
  folds: number[];
  /** Mean over `folds`; NaN for a failed trial. */
  mean: number;
  /** Sample standard deviation over `folds`. */
  std: number;
  seconds: number;
  /** Why a failed trial failed (its last attempt). */
  error?: string;
  /** Which worker ran it (`local`, or a queue worker's name). */
  worker: string;
}

export interface StudyHeader {
  /** sha256 of the config without its `search` block's bookkeeping: trials are only comparable under one config. */
  configHash: string;
  metric: string;
  direction: 'maximize' | 'minimize';
  created: number;
}

/**
 * The study's trials, one JSON line each in `study.jsonl` of the search folder: appended durably as each
 * trial ends, so `graft search --resume` after a crash continues without repeating a finished trial.
 */
export class StudyStore {
  private constructor(
    private readonly files: FileStore,
    readonly path: string,
    readonly header: StudyHeader,
    private readonly trials: Map<number, TrialRecord>,
  ) {}

  /** Start a study, or continue the one at `path` when `resume` (its config must match). */
  static async open(files: FileStore, path: string, header: StudyHeader, resume: boolean): Promise<StudyStore> {
    const existing = await files.read(path);
    if (existing && !resume) {
      throw new GraftError('GRAFT_SEARCH_INVALID', {
        what: `A study already exists at ${path}`,
        why: 'Starting over would discard its finished trials.',
        fix: 'Continue it with `graft search --resume`, or pass `--fresh` to start a new one',
      });
    }
    if (!existing) {
      await files.write(path, `${JSON.stringify({ type: 'study', ...header })}\n`);
      return new StudyStore(files, path, header, new Map());
    }
    const lines = new TextDecoder().decode(existing).split('\n').filter((l) => l.trim() !== '');
    const records = lines.flatMap((line, i) => {
      try {
        return [JSON.parse(line) as { type: string } & Record<string, unknown>];
      } catch {
        // A crash can tear only the last line; anything else is a damaged file.
        if (i === lines.length - 1) return [];
        throw new GraftError('GRAFT_SEARCH_INVALID', { what: `Line ${i + 1} of ${path} is not JSON`, fix: 'Restore the file, or start a new study with `--fresh`' });
      }
    });
    const head = records[0] as (StudyHeader & { type: string }) | undefined;
    if (head?.type !== 'study') throw new GraftError('GRAFT_SEARCH_INVALID', { what: `${path} is not a Graft study`, fix: 'Start a new study with `--fresh`' });
    if (head.configHash !== header.configHash) {
      throw new GraftError('GRAFT_SEARCH_CONFIG_MISMATCH', {
        what: `The study at ${path} was run with a different config (hash ${head.configHash.slice(0, 12)}, this config ${header.configHash.slice(0, 12)})`,
        why: 'Trials scored under other settings cannot be compared with new ones.',
        fix: 'Resume with the config the study started with, or pass `--fresh` to start a new study',
      });
    }
    const trials = new Map<number, TrialRecord>();
    for (const r of records.slice(1)) if (r.type === 'trial') trials.set(r.number as number, r as unknown as TrialRecord);
    return new StudyStore(files, path, { configHash: head.configHash, metric: head.metric, direction: head.direction, created: head.created }, trials);
  }

  has(number: number): boolean {
    return this.trials.has(number);
  }

  get(number: number): TrialRecord | undefined {
    return this.trials.get(number);
  }

  /** Every recorded trial, by number. */
  all(): TrialRecord[] {
    return [...this.trials.values()].sort((a, b) => a.number - b.number);
  }

  /** Record a trial's end. A trial already recorded is kept as it is (a queue may deliver a result twice). */
  async record(trial: TrialRecord): Promise<boolean> {
    if (this.trials.has(trial.number)) return false;
    await this.files.append(this.path, `${JSON.stringify({ type: 'trial', ...trial })}\n`);
    this.trials.set(trial.number, trial);
    return true;
  }
}
