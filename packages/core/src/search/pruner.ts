/**
 * Stops a trial early when its running score is already worse than most finished trials: after fold k,
 * the trial's mean over folds 0..k is compared with the median of the same quantity over the reference
 * trials (Optuna's MedianPruner; Golovin et al., "Google Vizier", KDD 2017, §3.2.2). Scores are losses here:
 * lower is better.
 */
export interface Pruner {
  readonly name: string;
  /** Whether a trial whose per-fold losses so far are `losses` should stop. Pure in its inputs. */
  shouldPrune(losses: readonly number[], reference: readonly (readonly number[])[]): boolean;
}

export const noPruner: Pruner = { name: 'none', shouldPrune: () => false };

export interface MedianPrunerOptions {
  /** Finished trials needed before anything is pruned. @default 3 */
  startup?: number;
}

export function medianPruner(options: MedianPrunerOptions = {}): Pruner {
  const startup = options.startup ?? 3;
  return {
    name: 'median',
    shouldPrune(losses, reference) {
      const step = losses.length;
      const peers = reference.filter((r) => r.length >= step).map((r) => runningMean(r, step));
      if (peers.length < startup || step === 0) return false;
      return runningMean(losses, step) > median(peers);
    },
  };
}

function runningMean(losses: readonly number[], step: number): number {
  let sum = 0;
  for (let i = 0; i < step; i++) sum += losses[i]!;
  return sum / step;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
