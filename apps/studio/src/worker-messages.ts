import type { HistoryEntry, StepProgress } from '@graft/core';
import type { TrainReport } from './train.js';

/** What the training worker tells the page. */
export type WorkerMessage =
  | { kind: 'note'; text: string }
  | { kind: 'step'; progress: StepProgress }
  | { kind: 'epoch'; entry: HistoryEntry }
  | { kind: 'done'; report: TrainReport }
  | { kind: 'failed'; message: string };
